// Right-sizing from workloads (L29): for each node group, the cheapest set of nodes of its allowed
// types that holds the requests of the workloads selecting it, after kubelet reservations, the
// DaemonSets on every node and one node per zone; compared with the spec's desired size, with the
// allocatable nobody requested (waste) in CPU, memory and dollars. Pure over model and workloads.
import type { ClusterCapacity } from '../capacity/index.js';
import type { ResolvedCluster } from '../model/types.js';
import type { Workload } from '../workloads/manifests.js';
import { groupHourly, HOURS_PER_MONTH } from './estimate.js';
import { type PackerNodeCount, packNodeGroup } from './packer.js';
import { instancePrice } from './prices.js';

export interface RightSizing {
  group: string;
  role: string;
  /** Workload replicas that select the group. */
  pods: number;
  desiredNodes: number;
  desiredMonthlyUsd: number | null;
  recommended: PackerNodeCount[];
  recommendedNodes: number;
  recommendedMonthlyUsd: number | null;
  lowerBoundMonthlyUsd: number | null;
  gap: number | null;
  waste: { cpuMillicores: number; memoryMiB: number; monthlyUsd: number | null };
  unplaceable: string[];
}

const monthly = (h: number | null) => (h === null ? null : Math.round(h * HOURS_PER_MONTH * 100) / 100);

/** Which group a workload lands on: the first group of the role it selects; no role means an app group. */
function groupFor(m: ResolvedCluster, w: Workload): string | undefined {
  const role = w.role ?? 'app';
  return (m.nodeGroups.find((g) => g.role === role) ?? (w.role ? undefined : m.nodeGroups.find((g) => g.role !== 'system')))?.name;
}

export function rightSize(m: ResolvedCluster, capacity: ClusterCapacity, workloads: readonly Workload[]): RightSizing[] {
  const daemonSets = workloads.filter((w) => w.kind === 'DaemonSet');
  const ds = { cpuMillicores: daemonSets.reduce((s, w) => s + w.cpuMillicores, 0), memoryMiB: daemonSets.reduce((s, w) => s + w.memoryMiB, 0), pods: daemonSets.length };
  return m.nodeGroups.map((g, i) => {
    const mine = workloads.filter((w) => w.kind !== 'DaemonSet' && groupFor(m, w) === g.name);
    const zones = g.zones.length;
    const nodesNow = g.perAz ? g.desiredSize * zones : g.desiredSize;
    const result = packNodeGroup({
      pods: mine.map((w) => ({ name: `${w.namespace}/${w.name}`, cpuMillicores: w.cpuMillicores, memoryMiB: w.memoryMiB, count: w.replicas })),
      daemonSet: ds,
      instanceTypes: capacity.nodeGroups[i]!.instances.map((c) => ({
        name: c.instanceType,
        cpuMillicores: c.allocatableCpuMillicores,
        memoryMiB: c.allocatableMemoryMiB,
        maxPods: c.maxPods,
        usdPerHour: instancePrice(m.region, c.instanceType)?.usd ?? null,
      })),
      zones,
      // Groups spread across zones keep a node in each; per-AZ groups one per zone by construction.
      minNodesPerZone: zones > 1 || g.perAz ? 1 : 0,
    });
    return {
      group: g.name,
      role: g.role,
      pods: mine.reduce((s, w) => s + w.replicas, 0),
      desiredNodes: nodesNow,
      // Both sides at on-demand prices, so the comparison is of node counts and types, not of spot luck.
      desiredMonthlyUsd: monthly(groupHourly(m, { ...g, capacity: 'onDemand' }, nodesNow)),
      recommended: result.nodes,
      recommendedNodes: result.nodeCount,
      recommendedMonthlyUsd: monthly(result.usdPerHour),
      lowerBoundMonthlyUsd: monthly(result.lowerBoundUsdPerHour),
      gap: result.gap,
      waste: { cpuMillicores: result.waste.cpuMillicores, memoryMiB: result.waste.memoryMiB, monthlyUsd: monthly(result.waste.usdPerHour) },
      unplaceable: result.unplaceable,
    };
  });
}
