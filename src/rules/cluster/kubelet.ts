// Kubelet protection (L11): reservations and eviction thresholds that keep nodes Ready under pressure.
import { mib, percent } from '../../util/quantity.js';
import type { RawFinding, ClusterRule } from '../types.js';
import { kubeletPath } from './paths.js';

const MIN_HARD_EVICTION_MiB = 256;

export const kubeletRules: ClusterRule[] = [
  {
    id: 'kubelet/eviction-threshold',
    severity: 'error',
    lessons: ['L11'],
    equivalents: [],
    title: 'Hard memory eviction missing or below 256Mi',
    why: 'The kubelet evicts pods only when free memory drops below the threshold; at the 100Mi default the kernel OOM killer often strikes first and the node goes NotReady.',
    fix: 'Keep evictionHard memory.available at 500Mi or more (1Gi on large nodes), as kuberator computes by default.',
    check: (m) =>
      m.nodeGroups.flatMap((g): RawFinding[] => {
        const t = g.kubelet.evictionHard['memory.available'];
        const path = kubeletPath(g, 'evictionHard');
        if (t === undefined) return [{ path, message: `node group '${g.name}' has no memory.available hard eviction threshold` }];
        const p = percent(t);
        const minMem = Math.min(...g.instances.map((i) => i.memoryMiB));
        const value = p !== undefined ? p * minMem : (mib(t) ?? 0);
        return value < MIN_HARD_EVICTION_MiB ? [{ path, severity: 'warning', message: `node group '${g.name}' evicts at memory.available ${t} (${Number(value.toFixed(1))}Mi < ${MIN_HARD_EVICTION_MiB}Mi)` }] : [];
      }),
  },
  {
    id: 'kubelet/reservations-removed',
    severity: 'warning',
    lessons: ['L11'],
    equivalents: [],
    title: 'Kubelet or system reservations removed',
    why: 'Without kube-reserved and system-reserved, pods may take all memory and CPU, starving the kubelet and container runtime until the node drops out.',
    fix: 'Remove the empty kubeReserved/systemReserved overrides so kuberator computes them, or set cpu and memory in both.',
    check: (m) =>
      m.nodeGroups.flatMap((g) =>
        (['kubeReserved', 'systemReserved'] as const)
          .filter((k) => g.kubelet[k].cpu === undefined || g.kubelet[k].memory === undefined)
          .map((k) => ({ path: kubeletPath(g, k), message: `node group '${g.name}' reserves no ${['cpu', 'memory'].filter((r) => g.kubelet[k][r as 'cpu' | 'memory'] === undefined).join(' or ')} in ${k}` })),
      ),
  },
];
