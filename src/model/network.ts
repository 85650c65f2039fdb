// Subnet layout for a new VPC, and the subnet list of an existing one.
import type { ClusterSpec } from '../spec/schema.js';
import { formatCidr, nthBlock, parseCidr } from '../util/cidr.js';
import type { ResolvedSubnet } from './types.js';

/**
 * Carve a new VPC: one large private subnet per zone (nodes and pods draw their IPs from it, L12),
 * then one public subnet per zone an eighth of that size (load balancers, NAT gateways).
 * For a /16 and three zones: private /19s (8,187 usable IPs each) and public /22s.
 */
export function planSubnets(vpcCidr: string, zones: string[]): ResolvedSubnet[] {
  const vpc = parseCidr(vpcCidr)!;
  const slots = 2 ** Math.ceil(Math.log2(Math.max(1, zones.length)));
  // Half of the VPC for private subnets, leaving room for public ones and later additions.
  const privatePrefix = Math.min(28, vpc.prefix + Math.log2(slots) + 1);
  const publicPrefix = Math.min(28, privatePrefix + 3);
  const out: ResolvedSubnet[] = [];
  zones.forEach((zone, i) => out.push({ zone, tier: 'private', cidr: formatCidr(nthBlock(vpc, privatePrefix, i)), path: 'spec.network.vpc.cidr' }));
  // Public subnets start right after the private ones.
  const publicStart = (zones.length * 2 ** (32 - privatePrefix)) / 2 ** (32 - publicPrefix);
  zones.forEach((zone, i) => out.push({ zone, tier: 'public', cidr: formatCidr(nthBlock(vpc, publicPrefix, publicStart + i)), path: 'spec.network.vpc.cidr' }));
  return out;
}

/** Pod subnets for custom networking: the secondary range split evenly across the zones. */
export function planPodSubnets(cidr: string, zones: string[]): ResolvedSubnet[] {
  const c = parseCidr(cidr)!;
  const prefix = Math.min(28, c.prefix + Math.ceil(Math.log2(Math.max(1, zones.length))));
  return zones.map((zone, i) => ({ zone, tier: 'pods' as const, cidr: formatCidr(nthBlock(c, prefix, i)), path: 'spec.network.pods.customNetworking.cidr' }));
}

export function existingSubnets(vpc: NonNullable<NonNullable<ClusterSpec['spec']['network']>['vpc']>, zones: string[]): ResolvedSubnet[] {
  const out: ResolvedSubnet[] = [];
  for (const tier of ['private', 'public'] as const) {
    for (const [zone, s] of Object.entries(vpc.subnets?.[tier] ?? {})) {
      if (!zones.includes(zone)) continue;
      out.push({ zone, tier, cidr: s.cidr, ...(s.id ? { id: s.id } : {}), path: `spec.network.vpc.subnets.${tier}[${JSON.stringify(zone)}]` });
    }
  }
  return out;
}
