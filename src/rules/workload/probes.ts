// Probes (L30): readiness decides who gets traffic, liveness decides who gets restarted; the two
// answer different questions and must not be the same check.
import { asRecord, type Container } from '../../audit/graph.js';
import type { KubeObject } from '../../audit/objects.js';
import type { WorkloadRule } from '../types.js';
import { at, eachContainer, isLongRunning } from './common.js';

/** Long-running pods: controllers and bare Pods that restart, not run-to-completion Pods or Helm hooks. */
function servesLongRunning(o: KubeObject): boolean {
  if (!isLongRunning(o)) return false;
  if (o.kind !== 'Pod') return true;
  const rp = asRecord(o.raw.spec)?.restartPolicy;
  return (rp === undefined || rp === 'Always') && o.annotations['helm.sh/hook'] === undefined;
}

const present = (p: unknown) => asRecord(p) !== undefined;

/** A probe's handler in a comparable form (named ports resolved), or undefined when it has none. */
export function probeHandler(probe: unknown, c: Container): string | undefined {
  const p = asRecord(probe);
  if (!p) return undefined;
  const port = (v: unknown) => {
    if (typeof v === 'string') {
      const named = c.ports?.find((x) => x.name === v);
      if (named?.containerPort !== undefined) return String(named.containerPort);
    }
    return String(v);
  };
  const http = asRecord(p.httpGet);
  const host = (v: unknown) => (typeof v === 'string' && v ? ` of ${v}` : '');
  if (http) return `${String(http.scheme ?? 'HTTP').toUpperCase()} GET ${String(http.path ?? '/')} on port ${port(http.port)}${host(http.host)}`;
  const tcp = asRecord(p.tcpSocket);
  if (tcp) return `TCP connect to port ${port(tcp.port)}${host(tcp.host)}`;
  const exec = asRecord(p.exec);
  if (exec) return `exec ${JSON.stringify(exec.command ?? [])}`;
  const grpc = asRecord(p.grpc);
  if (grpc) return `gRPC health check on port ${port(grpc.port)}${typeof grpc.service === 'string' && grpc.service ? ` (service ${grpc.service})` : ''}`;
  return undefined;
}

const TIMINGS = ['initialDelaySeconds', 'periodSeconds', 'timeoutSeconds', 'failureThreshold', 'successThreshold'] as const;

export const probeRules: WorkloadRule[] = [
  {
    scope: 'workload',
    id: 'workload/readiness-probe',
    severity: 'warning',
    lessons: ['L30'],
    equivalents: ['polaris:readinessProbeMissing', 'kube-score:pod-probes', 'kube-linter:no-readiness-probe', 'eksup:K8S006', 'hardeneks:check_readiness_probes'],
    title: 'Container without a readiness probe',
    why: 'Without a readiness probe a pod counts as ready the moment its process starts: during a rollout or scale-up the Service sends requests to pods that cannot answer yet, and the old pods are already gone.',
    fix: 'Add a readinessProbe that succeeds only when the container can serve (an HTTP health endpoint or a TCP check on the serving port).',
    appliesTo: servesLongRunning,
    check: (o, g) => {
      const services = g.servicesFor(o);
      const via = services.length ? `Service '${services[0]!.name}'${services.length > 1 ? ` (and ${services.length - 1} more)` : ''}` : undefined;
      return eachContainer(o, (c) => {
        if (present(c.container.readinessProbe)) return undefined;
        if (via) return { path: c.path, message: `container '${c.name}' has no readinessProbe, and ${via} sends traffic to these pods: during rollouts requests reach pods that are not ready yet` };
        return { path: c.path, severity: 'info', message: `container '${c.name}' has no readinessProbe (no Service in the input selects these pods, so nothing routes traffic by it yet)` };
      });
    },
  },
  {
    scope: 'workload',
    id: 'workload/liveness-probe',
    severity: 'info',
    lessons: ['L30'],
    equivalents: ['polaris:livenessProbeMissing', 'kube-linter:no-liveness-probe', 'hardeneks:check_liveness_probes'],
    title: 'Container without a liveness probe',
    why: 'A process that hangs without exiting (a deadlock, a stuck event loop) stays up forever unless a liveness probe notices and restarts it.',
    fix: 'Add a livenessProbe that checks only the process itself (not databases or other services it calls), with a failureThreshold generous enough to ride out a slow moment.',
    appliesTo: servesLongRunning,
    check: (o) => eachContainer(o, (c) => (present(c.container.livenessProbe) ? undefined : { path: c.path, message: `container '${c.name}' has no livenessProbe: if it hangs, nothing restarts it` })),
  },
  {
    scope: 'workload',
    id: 'workload/identical-probes',
    severity: 'warning',
    lessons: ['L30'],
    equivalents: ['kube-score:pod-probes-identical'],
    title: 'Liveness probe identical to the readiness probe',
    why: 'When liveness runs the same check as readiness, a failing dependency (a database, a downstream API) fails liveness on every pod at once, and the kubelet restarts them all: a partial outage becomes a full one, with cold caches on top.',
    fix: 'Point the livenessProbe at a check of the process alone (a cheap /livez, or a TCP check), keep dependency checks in the readinessProbe only, and give liveness a higher failureThreshold.',
    appliesTo: servesLongRunning,
    check: (o) =>
      eachContainer(o, (c) => {
        const live = probeHandler(c.container.livenessProbe, c.container);
        if (live === undefined || live !== probeHandler(c.container.readinessProbe, c.container)) return undefined;
        const l = asRecord(c.container.livenessProbe)!;
        const r = asRecord(c.container.readinessProbe)!;
        const sameTimings = TIMINGS.every((k) => l[k] === r[k]);
        return {
          path: at(c.path, 'livenessProbe'),
          message: `container '${c.name}': livenessProbe runs the same check as readinessProbe (${live}${sameTimings ? ', timings included' : ''}): when what it checks fails, every pod is restarted at once instead of only being taken out of the Service`,
        };
      }),
  },
];
