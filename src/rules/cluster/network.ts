// Network shape: NAT, endpoints, access path, subnet room, overlaps, CNI SNAT (L02, L03, L12–L14).
import { servicePrice } from '../../cost/prices.js';
import type { ResolvedCluster } from '../../model/types.js';
import { overlaps, parseCidr } from '../../util/cidr.js';
import type { RawFinding, ClusterRule } from '../types.js';
import { HOURS_PER_MONTH, usd } from './paths.js';

const PRIVATE_ONLY_ENDPOINTS = ['s3', 'ecr.api', 'ecr.dkr', 'sts', 'ec2'] as const;
/** A /21: 2,048 addresses, 2,043 usable once AWS keeps its five. */
const MIN_POD_SUBNET_ADDRESSES = 2048;

function natCount(m: ResolvedCluster): number {
  return m.network.nat === 'perAz' ? m.network.zones.length : m.network.nat === 'single' ? 1 : 0;
}

export const networkRules: ClusterRule[] = [
  {
    id: 'network/single-nat',
    severity: 'warning',
    lessons: ['L02', 'L19'],
    equivalents: [],
    title: 'One NAT gateway serves several zones',
    why: 'A single NAT gateway lives in one zone: when that zone fails, private nodes in the others lose egress, and their traffic to it is billed as cross-zone transfer on top of NAT processing.',
    fix: 'Set spec.network.nat to perAz, or accept the risk with spec.ignore and a reason.',
    check: (m) =>
      m.network.nat === 'single' && m.network.zones.length > 1 && m.network.topology === 'private'
        ? [{ path: 'spec.network.nat', message: `one NAT gateway for ${m.network.zones.length} zones: the private subnets of ${m.network.zones.length - 1} zones depend on ${m.network.zones[0]}` }]
        : [],
  },
  {
    id: 'network/private-without-egress',
    severity: 'error',
    lessons: ['L02'],
    equivalents: [],
    title: 'Private nodes with no NAT and missing VPC endpoints',
    why: 'Without NAT, private nodes reach AWS only through VPC endpoints; missing ones mean nodes cannot pull images, get credentials or join the cluster.',
    fix: 'Set spec.network.nat to perAz, or add the VPC endpoints s3, ecr.api, ecr.dkr, sts and ec2.',
    check: (m) => {
      if (m.network.topology !== 'private' || m.network.nat !== 'none') return [];
      const missing = PRIVATE_ONLY_ENDPOINTS.filter((e) => !m.network.vpcEndpoints.includes(e));
      return missing.length ? [{ path: 'spec.network.nat', message: `private nodes without NAT and without the endpoints ${missing.join(', ')}` }] : [];
    },
  },
  {
    id: 'network/nat-cost',
    severity: 'info',
    lessons: ['L02'],
    equivalents: [],
    title: 'What the NAT gateways cost',
    why: 'NAT gateways bill per hour and per GB processed; teams that chose private topology were surprised by the bill.',
    fix: 'Keep per-zone NAT for availability, and cut the per-GB part with VPC endpoints for S3, ECR and STS.',
    check: (m) => {
      const n = natCount(m);
      if (n === 0) return [];
      const hour = servicePrice('natGateway', m.region, 'perHour');
      const gb = servicePrice('natGateway', m.region, 'perGbProcessed');
      if (!hour || !gb) {
        const ref = servicePrice('natGateway', 'us-east-1', 'perHour');
        return [{ path: 'spec.network.nat', message: `${n} NAT gateway${n > 1 ? 's' : ''}; the NAT price for ${m.region} is not in kuberator's data${ref ? ` (us-east-1: ${usd(n * ref.usd * HOURS_PER_MONTH)}/month before traffic)` : ''}` }];
      }
      const fixed = n * hour.usd * HOURS_PER_MONTH;
      const traffic = m.cost.natGbPerMonth * gb.usd;
      const single = n > 1 ? `; one gateway for all zones would save ${usd(fixed - hour.usd * HOURS_PER_MONTH)}/month but fail with its zone and add cross-zone traffic` : '';
      return [{ path: 'spec.network.nat', message: `${n} NAT gateway${n > 1 ? 's' : ''}: ${usd(fixed)}/month, plus ${usd(traffic)} for ${m.cost.natGbPerMonth} GB at ${usd(gb.usd)}/GB${single}` }];
    },
  },
  {
    id: 'network/registry-endpoints',
    severity: 'warning',
    lessons: ['L02'],
    equivalents: [],
    title: 'Image pulls go through NAT',
    why: 'Image layers come from S3 and manifests from ECR; without endpoints every pull is billed per GB at the NAT gateway.',
    fix: 'Add s3 (a free gateway endpoint) and, for heavy pulls, ecr.api and ecr.dkr to spec.network.vpcEndpoints.',
    check: (m) => {
      if (m.network.topology !== 'private' || m.network.nat === 'none') return [];
      const eps = m.network.vpcEndpoints;
      if (!eps.includes('s3')) return [{ path: 'spec.network.vpcEndpoints', message: 'no S3 gateway endpoint: every image layer is billed through NAT' }];
      const ecr = (['ecr.api', 'ecr.dkr'] as const).filter((e) => !eps.includes(e));
      return ecr.length ? [{ path: 'spec.network.vpcEndpoints', severity: 'info', message: `no ${ecr.join(' or ')} endpoint: registry API calls go through NAT` }] : [];
    },
  },
  {
    id: 'network/private-without-access',
    severity: 'warning',
    lessons: ['L03'],
    equivalents: [],
    title: 'Private nodes with no way in',
    why: 'When a node misbehaves someone needs a shell on it; private nodes with neither SSM nor a bastion leave only replacing them.',
    fix: 'Set spec.network.access to ssm (no open port) or bastion.',
    check: (m) => (m.network.topology === 'private' && m.network.access === 'none' ? [{ path: 'spec.network.access', message: 'private topology with access: none' }] : []),
  },
  {
    id: 'network/subnet-too-small',
    severity: 'warning',
    lessons: ['L12'],
    equivalents: [],
    title: 'Pod subnet smaller than a /21',
    why: 'With the VPC CNI every pod takes a VPC address; subnets under about 2,000 usable IPs per zone run out as the cluster grows, and subnets cannot be resized.',
    fix: 'Use a /21 or larger per zone for pods (a larger VPC cidr, or spec.network.pods.customNetworking).',
    check: (_m, { capacity }) =>
      capacity.subnets
        .filter((s) => s.podSubnet && s.usableIps + 5 < MIN_POD_SUBNET_ADDRESSES)
        .map((s) => ({ path: s.path, message: `${s.tier} subnet ${s.cidr} in ${s.zone} has ${s.usableIps} usable IPs (a /21 has 2,043)` })),
  },
  {
    id: 'network/subnet-exhausted',
    severity: 'error',
    lessons: ['L12', 'L40'],
    equivalents: ['eksup:AWS001', 'eksup:AWS002'],
    title: 'Subnets cannot hold the cluster at full scale',
    why: 'At max size every node and pod needs an address; when the subnet runs out, new pods stay in ContainerCreating and nodes fail to join.',
    fix: 'Lower the group maxSize or maxPods, enlarge the subnets, or turn on prefix delegation or custom networking.',
    check: (_m, { capacity }) =>
      capacity.subnets
        .filter((s) => s.ipsNeeded > s.usableIps)
        .map((s) => ({ path: s.path, message: `${s.tier} subnet ${s.cidr} in ${s.zone}: ${s.ipsNeeded} IPs needed at max scale, ${s.usableIps} usable` })),
  },
  {
    id: 'network/cidr-overlap',
    severity: 'error',
    lessons: ['L13'],
    equivalents: [],
    title: 'Address ranges overlap',
    why: 'Overlapping VPC, service, pod and peered ranges make traffic go to the wrong place: pods cannot reach a peer, or a Service IP shadows a real host.',
    fix: 'Pick ranges that do not overlap, for example a service range in 172.20.0.0/16 and pods in 100.64.0.0/16.',
    check: (m) => {
      const ranges: Array<[string, string, string]> = [
        ['VPC', m.network.vpc.cidr, 'spec.network.vpc.cidr'],
        ['service', m.network.serviceCidr, 'spec.network.serviceCidr'],
        ...(m.network.pods.customNetworkingCidr ? [['pod', m.network.pods.customNetworkingCidr, 'spec.network.pods.customNetworking.cidr'] as [string, string, string]] : []),
        ...m.network.peeredCidrs.map((c, i) => ['peered', c, `spec.network.peeredCidrs[${i}]`] as [string, string, string]),
      ];
      const out: RawFinding[] = [];
      for (let i = 0; i < ranges.length; i++) {
        for (let j = i + 1; j < ranges.length; j++) {
          const [an, ac] = ranges[i]!;
          const [bn, bc, bp] = ranges[j]!;
          const a = parseCidr(ac);
          const b = parseCidr(bc);
          if (a && b && overlaps(a, b)) out.push({ path: bp, message: `${bn} range ${bc} overlaps the ${an} range ${ac}` });
        }
      }
      return out;
    },
  },
  {
    id: 'network/vpc-dns-off',
    severity: 'error',
    lessons: ['L13'],
    equivalents: [],
    title: 'Existing VPC without DNS hostnames or support',
    why: 'EKS nodes register by their private DNS names and private endpoints resolve through VPC DNS; with either flag off nodes cannot join.',
    fix: 'Turn on enableDnsHostnames and enableDnsSupport on the VPC, then set them true in the spec.',
    check: (m) => {
      const v = m.network.vpc;
      if (v.mode !== 'existing') return [];
      const off = [!v.dnsHostnames && 'dnsHostnames', !v.dnsSupport && 'dnsSupport'].filter((x): x is string => Boolean(x));
      return off.map((k) => ({ path: `spec.network.vpc.${k}`, message: `${k} is off in ${v.id}` }));
    },
  },
  {
    id: 'network/external-snat',
    severity: 'error',
    lessons: ['L14'],
    equivalents: [],
    title: 'VPC CNI external SNAT does not match the egress path',
    why: 'AWS_VPC_K8S_CNI_EXTERNALSNAT=true leaves address translation to a NAT gateway; public nodes have none, so pods lose the internet. Behind NAT with peered networks it must be true, or peers see node addresses instead of pods.',
    fix: 'Leave spec.network.pods.externalSnat at auto, or set it true for private nodes and false for public ones.',
    check: (m) => {
      const { pods, topology, nat, peeredCidrs } = m.network;
      if (pods.externalSnat && (topology === 'public' || nat === 'none') && pods.externalSnatSetting === true) {
        return [{ path: 'spec.network.pods.externalSnat', message: `externalSnat true with ${topology === 'public' ? 'public nodes' : 'no NAT gateway'}: pod traffic to the internet is not translated` }];
      }
      if (!pods.externalSnat && topology === 'private' && pods.externalSnatSetting === false && peeredCidrs.length > 0) {
        const egress = nat === 'none' ? 'on private nodes' : 'behind NAT';
        return [{ path: 'spec.network.pods.externalSnat', severity: 'warning', message: `externalSnat false ${egress} with ${peeredCidrs.length} peered range(s): peers see node addresses, and connections to pod IPs fail` }];
      }
      return [];
    },
  },
];
