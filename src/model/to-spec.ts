// The resolved model written back in spec form: every default explicit. Valid spec input, so
// `plan --show-defaults` output can be saved and planned again with the same result.
import { API_VERSION } from '../spec/schema.js';
import type { ResolvedCluster } from './types.js';

export function toSpec(m: ResolvedCluster): Record<string, unknown> {
  const n = m.network;
  const vpc: Record<string, unknown> =
    n.vpc.mode === 'existing'
      ? {
          id: n.vpc.id,
          cidr: n.vpc.cidr,
          subnets: Object.fromEntries(
            (['private', 'public'] as const)
              .map((tier) => [tier, Object.fromEntries(n.subnets.filter((s) => s.tier === tier).map((s) => [s.zone, { id: s.id, cidr: s.cidr }]))] as const)
              .filter(([, zones]) => Object.keys(zones).length > 0),
          ),
          dnsHostnames: n.vpc.dnsHostnames,
          dnsSupport: n.vpc.dnsSupport,
        }
      : { cidr: n.vpc.cidr };
  const cp = m.controlPlane;
  return {
    apiVersion: API_VERSION,
    kind: 'Cluster',
    metadata: { name: m.name, environment: m.environment, ...(Object.keys(m.tags).length ? { tags: m.tags } : {}) },
    spec: {
      region: m.region,
      kubernetesVersion: m.kubernetesVersion,
      account: { ...(m.account.id ? { id: m.account.id } : {}), shared: m.account.shared },
      network: {
        vpc,
        ...(n.peeredCidrs.length ? { peeredCidrs: n.peeredCidrs } : {}),
        availabilityZones: n.zones,
        topology: n.topology,
        nat: n.nat,
        access: n.access,
        ...(n.bastion ? { bastion: n.bastion } : {}),
        vpcEndpoints: n.vpcEndpoints,
        serviceCidr: n.serviceCidr,
        pods: {
          prefixDelegation: n.pods.prefixDelegation,
          externalSnat: n.pods.externalSnatSetting,
          ...(n.pods.customNetworkingCidr ? { customNetworking: { cidr: n.pods.customNetworkingCidr } } : {}),
        },
      },
      controlPlane: {
        managed: cp.managed,
        endpoint: cp.endpoint.public ? cp.endpoint : { public: false, private: cp.endpoint.private },
        logging: cp.logging,
        logRetentionDays: cp.logRetentionDays,
        secretsEncryption: cp.secretsEncryption,
        ...(cp.selfManaged ? { count: cp.selfManaged.count, instanceType: cp.selfManaged.instanceType.name, etcdVolume: cp.selfManaged.etcdVolume } : {}),
      },
      nodeGroups: m.nodeGroups.map((g) => ({
        name: g.name,
        role: g.role,
        instanceTypes: g.instances.map((t) => t.name),
        capacity: g.capacity,
        ...(g.spot ? { spot: g.spot } : {}),
        minSize: g.minSize,
        maxSize: g.maxSize,
        desiredSize: g.desiredSize,
        perAz: g.perAz,
        managed: g.managed,
        volume: g.volume,
        labels: g.labels,
        ...(g.taints.length ? { taints: g.taints } : {}),
        kubelet: g.kubelet,
        amiFamily: g.amiFamily,
        ...(g.kubernetesVersionPinned ? { kubernetesVersion: g.kubernetesVersion } : {}),
      })),
      ...(m.scaling.scheduled.length ? { scaling: { scheduled: m.scaling.scheduled.map(({ path: _p, ...a }) => a) } } : {}),
      addons: { ...m.addons, ...addonPins(m) },
      ...(m.access.admins.length || m.access.teams.length ? { access: m.access } : {}),
      ...(m.workloads.expectedPods !== undefined || m.workloads.manifests.length ? { workloads: m.workloads } : {}),
      cost: { ...m.cost, ...(Object.keys(m.cost.spotDiscountByFamily).length ? {} : { spotDiscountByFamily: undefined }) },
      ...(m.ignore.length ? { ignore: m.ignore.map(({ rule, reason }) => ({ rule, reason })) } : {}),
    },
  };
}

/** `{ versions }` with the add-on versions the spec pins; empty when it pins none (table versions stay implicit). */
function addonPins(m: ResolvedCluster): { versions?: Record<string, string> } {
  const pins = Object.entries(m.addonVersions).filter(([, v]) => v.pinned);
  return pins.length ? { versions: Object.fromEntries(pins.map(([a, v]) => [a, v.version])) } : {};
}
