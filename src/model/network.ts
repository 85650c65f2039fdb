// Subnet layout for a new VPC, and the subnet list of an existing one.
import type { ClusterSpec } from '../spec/schema.js';
import { formatCidr, nthBlock, parseCidr } from '../util/cidr.js';
import type { ResolvedSubnet } from './types.js';

/**
 * Carve a new VPC: one large subnet per zone in the nodes' tier (nodes and pods draw their IPs
 * from it, L12), then one subnet per zone in the other tier an eighth of that size (load
 * balancers and NAT gateways for private nodes). For a /16, three zones and private nodes:
 * private /19s (8,187 usable IPs each) and public /22s.
 */
export function planSubnets(vpcCidr: string, zones: string[], nodeTier: 'private' | 'public' = 'private'): ResolvedSubnet[] {
  const otherTier = nodeTier === 'private' ? 'public' : 'private';
  const vpc = parseCidr(vpcCidr)!;
  const slots = 2 ** Math.ceil(Math.log2(Math.max(1, zones.length)));
  // Half of the VPC for the node subnets, leaving room for the others and later additions.
  const nodePrefix = Math.min(28, vpc.prefix + Math.log2(slots) + 1);
  const otherPrefix = Math.min(28, nodePrefix + 3);
  const out: ResolvedSubnet[] = [];
  zones.forEach((zone, i) => out.push({ zone, tier: nodeTier, cidr: formatCidr(nthBlock(vpc, nodePrefix, i)), path: 'spec.network.vpc.cidr' }));
  // The other tier starts right after the node subnets.
  const otherStart = (zones.length * 2 ** (32 - nodePrefix)) / 2 ** (32 - otherPrefix);
  zones.forEach((zone, i) => out.push({ zone, tier: otherTier, cidr: formatCidr(nthBlock(vpc, otherPrefix, otherStart + i)), path: 'spec.network.vpc.cidr' }));
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
