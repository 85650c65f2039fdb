// Requests and limits on every container (L29): the scheduler packs by requests, the kernel
// kills by limits, and the cost estimate is only as good as both.
import { mib, parseQuantity } from '../../util/quantity.js';
import type { WorkloadRule } from '../types.js';
import { at, eachContainer, hasPods } from './common.js';

const has = (v: Record<string, unknown> | undefined, key: string) => v !== undefined && v !== null && v[key] !== undefined && v[key] !== null && v[key] !== '';

export const resourceRules: WorkloadRule[] = [
  {
    scope: 'workload',
    id: 'workload/cpu-requests',
    severity: 'warning',
    lessons: ['L29'],
    equivalents: ['polaris:cpuRequestsMissing', 'kube-score:container-resources', 'kube-linter:unset-cpu-requirements', 'hardeneks:set_requests_limits_for_containers'],
    title: 'Container without a CPU request',
    why: 'Without a CPU request the scheduler treats the container as free: nodes are overpacked, the pod is first to be starved, and the cluster autoscaler never adds capacity for it.',
    fix: 'Set resources.requests.cpu to the container’s typical use (kuberator cost --manifests shows what requests cost).',
    appliesTo: hasPods,
    check: (o) => eachContainer(o, (c) => (has(c.container.resources?.requests, 'cpu') ? undefined : { path: at(c.path, 'resources'), message: `container '${c.name}' has no CPU request` })),
  },
  {
    scope: 'workload',
    id: 'workload/memory-requests',
    severity: 'warning',
    lessons: ['L29'],
    equivalents: ['polaris:memoryRequestsMissing', 'kube-score:container-resources', 'kube-linter:unset-memory-requirements', 'hardeneks:set_requests_limits_for_containers'],
    title: 'Container without a memory request',
    why: 'Pods without memory requests land on nodes that cannot hold them and are the first evicted under memory pressure, taking neighbours down with them.',
    fix: 'Set resources.requests.memory to the container’s working set.',
    appliesTo: hasPods,
    check: (o) => eachContainer(o, (c) => (has(c.container.resources?.requests, 'memory') ? undefined : { path: at(c.path, 'resources'), message: `container '${c.name}' has no memory request` })),
  },
  {
    scope: 'workload',
    id: 'workload/memory-limits',
    severity: 'warning',
    lessons: ['L29'],
    equivalents: ['polaris:memoryLimitsMissing', 'kube-score:container-resources'],
    title: 'Container without a memory limit',
    why: 'A container without a memory limit can grow until the node runs out, and then the kernel picks its victim among every pod on the node.',
    fix: 'Set resources.limits.memory above the request with headroom (about 1.25–1.5×), or equal to it for a fixed-size process.',
    appliesTo: hasPods,
    check: (o) => eachContainer(o, (c) => (has(c.container.resources?.limits, 'memory') ? undefined : { path: at(c.path, 'resources'), message: `container '${c.name}' has no memory limit` })),
  },
  {
    scope: 'workload',
    id: 'workload/cpu-limits',
    severity: 'info',
    lessons: ['L29'],
    equivalents: ['polaris:cpuLimitsMissing', 'kube-score:container-resources'],
    title: 'Container without a CPU limit',
    why: 'Without a CPU limit one busy container can take every idle core on its node. Many teams leave CPU unlimited on purpose to avoid throttling, so this is informational; raise it in .kuberator.yaml if your policy requires limits.',
    fix: 'Set resources.limits.cpu where noisy neighbours matter, or keep it unset deliberately and turn this rule off.',
    appliesTo: hasPods,
    check: (o) => eachContainer(o, (c) => (has(c.container.resources?.limits, 'cpu') ? undefined : { path: at(c.path, 'resources'), message: `container '${c.name}' has no CPU limit` })),
  },
  {
    scope: 'workload',
    id: 'workload/memory-headroom',
    severity: 'error',
    lessons: ['L29'],
    equivalents: [],
    title: 'Memory limit too close to the request',
    why: 'A memory limit only a little above the request turns every short burst into an OOMKill; a limit below the request is rejected by the API server.',
    fix: 'Set the memory limit to about 1.25–1.5× the request, or exactly equal to it for a process with a fixed heap.',
    appliesTo: hasPods,
    check: (o, _g, ctx) =>
      eachContainer(o, (c) => {
        const req = c.container.resources?.requests?.memory;
        const lim = c.container.resources?.limits?.memory;
        if (req === undefined || lim === undefined || req === null || lim === null) return undefined;
        const r = parseQuantity(req as string | number);
        const l = parseQuantity(lim as string | number);
        if (r === undefined || l === undefined || r === 0) return undefined;
        const path = at(c.path, 'resources.limits.memory');
        if (l < r) return { path, message: `container '${c.name}': memory limit ${String(lim)} is below its request ${String(req)}` };
        if (l === r) return undefined;
        const ratio = l / r;
        if (ratio >= ctx.thresholds.memoryLimitHeadroom) return undefined;
        const overMiB = Math.round((mib(lim as string | number)! - mib(req as string | number)!) * 10) / 10;
        return {
          path,
          severity: 'warning',
          message: `container '${c.name}': memory limit ${String(lim)} is only ${Math.round((ratio - 1) * 100)}% (${overMiB} MiB) above the request ${String(req)}; headroom below ${ctx.thresholds.memoryLimitHeadroom}×`,
        };
      }),
  },
];
