// Capacity: what each node can give pods after the kubelet's protection (L11), how many pods and
// IPs the cluster needs at full scale against what its subnets hold (L12), and CoreDNS sizing (L15).
// Pure over the resolved model.
import type { ResolvedCluster, ResolvedNodeGroup } from '../model/types.js';
import { parseCidr, usableInSubnet } from '../util/cidr.js';
import { mib, millicores, percent } from '../util/quantity.js';

export interface InstanceCapacity {
  instanceType: string;
  vcpu: number;
  memoryMiB: number;
  maxPods: number;
  allocatableCpuMillicores: number;
  allocatableMemoryMiB: number;
  /** Share of the node's memory pods can use. */
  allocatableMemoryShare: number;
}

export interface NodeGroupCapacity {
  name: string;
  path: string;
  role: string;
  capacity: string;
  instances: InstanceCapacity[];
  maxPods: number;
  /** Nodes at full scale, across all its zones. */
  maxNodes: number;
  /** Nodes at full scale in each zone. */
  maxNodesPerZone: number;
  /** Distinct (instance type, zone) pairs spot can draw from; 0 for on-demand groups. */
  spotPools: number;
  /** IPs one node holds at full pod count, with the VPC CNI's warm pool. */
  ipsPerNode: number;
}

export interface SubnetCapacity {
  zone: string;
  tier: string;
  cidr: string;
  path: string;
  usableIps: number;
  /** IPs nodes and pods need at full scale (0 for subnets pods do not use). */
  ipsNeeded: number;
  headroom: number;
  /** Whether pods draw their IPs from this subnet. */
  podSubnet: boolean;
}

export interface ClusterCapacity {
  nodeGroups: NodeGroupCapacity[];
  subnets: SubnetCapacity[];
  maxNodes: number;
  maxPods: number;
  maxVcpu: number;
  dns: { expectedPods: number | null; recommendedCorednsReplicas: number };
}

const memMiB = (q: string | undefined) => (q === undefined ? 0 : (mib(q) ?? 0));
const cpuM = (q: string | undefined) => (q === undefined ? 0 : (millicores(q) ?? 0));

/** Memory held back by a hard eviction threshold (absolute, or a share of the node). */
function evictionMiB(threshold: string | undefined, nodeMiB: number): number {
  if (threshold === undefined) return 0;
  const p = percent(threshold);
  return p !== undefined ? nodeMiB * p : memMiB(threshold);
}

export function instanceCapacity(g: ResolvedNodeGroup, i: number): InstanceCapacity {
  const t = g.instances[i]!;
  const k = g.kubelet;
  const cpu = t.vcpu * 1000 - cpuM(k.kubeReserved.cpu) - cpuM(k.systemReserved.cpu);
  const mem = t.memoryMiB - memMiB(k.kubeReserved.memory) - memMiB(k.systemReserved.memory) - evictionMiB(k.evictionHard['memory.available'], t.memoryMiB);
  return {
    instanceType: t.name,
    vcpu: t.vcpu,
    memoryMiB: t.memoryMiB,
    maxPods: k.maxPods,
    allocatableCpuMillicores: Math.max(0, Math.round(cpu)),
    allocatableMemoryMiB: Math.max(0, Math.round(mem)),
    allocatableMemoryShare: Math.max(0, mem) / t.memoryMiB,
  };
}

/**
 * IPs one node takes from its subnet at full pod count: the node's own address, one per pod, and
 * the CNI's warm pool (one spare ENI's worth by default; one spare /28 with prefix delegation),
 * never more than the instance can attach.
 */
export function ipsPerNode(g: ResolvedNodeGroup, prefixDelegation: boolean, customNetworking: boolean): number {
  return Math.max(
    ...g.instances.map((t) => {
      if (prefixDelegation) return (Math.ceil(g.kubelet.maxPods / 16) + 1) * 16 + 1;
      const enis = customNetworking ? t.maxEnis - 1 : t.maxEnis;
      const ceiling = enis * t.ipv4PerEni + (customNetworking ? 1 : 0);
      return Math.min(ceiling, g.kubelet.maxPods + 1 + (t.ipv4PerEni - 1));
    }),
  );
}

export function computeCapacity(m: ResolvedCluster): ClusterCapacity {
  const { pods } = m.network;
  const custom = pods.customNetworkingCidr !== undefined;
  const nodeGroups: NodeGroupCapacity[] = m.nodeGroups.map((g) => {
    const perZone = g.perAz ? g.maxSize : Math.ceil(g.maxSize / Math.max(1, g.zones.length));
    return {
      name: g.name,
      path: g.path,
      role: g.role,
      capacity: g.capacity,
      instances: g.instances.map((_, i) => instanceCapacity(g, i)),
      maxPods: g.kubelet.maxPods,
      maxNodes: g.perAz ? g.maxSize * g.zones.length : g.maxSize,
      maxNodesPerZone: perZone,
      spotPools: g.capacity === 'onDemand' ? 0 : new Set(g.instances.map((t) => t.name)).size * (g.perAz ? 1 : g.zones.length),
      ipsPerNode: ipsPerNode(g, pods.prefixDelegation, custom),
    };
  });

  // Pods draw IPs from the custom-networking subnets when set, else from the nodes' subnets.
  const nodeTier = m.network.topology;
  const podTier = custom ? 'pods' : nodeTier;
  const subnets: SubnetCapacity[] = m.network.subnets.map((s) => {
    const c = parseCidr(s.cidr);
    const usable = c ? usableInSubnet(c) : 0;
    let needed = 0;
    if (s.tier === podTier || s.tier === nodeTier) {
      for (const g of nodeGroups) {
        if (s.tier === podTier && s.tier === nodeTier) needed += g.maxNodesPerZone * g.ipsPerNode;
        else if (s.tier === nodeTier) needed += g.maxNodesPerZone; // nodes only; pods are elsewhere
        else needed += g.maxNodesPerZone * (g.ipsPerNode - 1);
      }
    }
    return { zone: s.zone, tier: s.tier, cidr: s.cidr, path: s.path, usableIps: usable, ipsNeeded: needed, headroom: usable - needed, podSubnet: s.tier === podTier };
  });

  const maxNodes = nodeGroups.reduce((n, g) => n + g.maxNodes, 0);
  const maxPods = nodeGroups.reduce((n, g) => n + g.maxNodes * g.maxPods, 0);
  const maxVcpu = m.nodeGroups.reduce((n, g, i) => n + nodeGroups[i]!.maxNodes * Math.max(...g.instances.map((t) => t.vcpu)), 0);
  return {
    nodeGroups,
    subnets,
    maxNodes,
    maxPods,
    maxVcpu,
    dns: { expectedPods: m.workloads.expectedPods ?? null, recommendedCorednsReplicas: corednsReplicas(maxNodes, maxVcpu) },
  };
}

/**
 * The cluster-proportional-autoscaler's linear ladder as EKS documents it for CoreDNS: one replica
 * per 256 cores or per 16 nodes, whichever is more, and never fewer than two (one per zone pair).
 */
export function corednsReplicas(nodes: number, cores: number): number {
  return Math.max(2, Math.ceil(cores / 256), Math.ceil(nodes / 16));
}

