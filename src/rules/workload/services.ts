// Services, Ingresses and NetworkPolicies (L20, L21): one load balancer in front of one ingress
// layer, TLS at the edge, references that lead somewhere, and pods that are not open to all.
import { asRecord, type ObjectGraph, podTemplate } from '../../audit/graph.js';
import type { KubeObject } from '../../audit/objects.js';
import type { ObjectRawFinding, WorkloadRule } from '../types.js';
import { hasPods } from './common.js';

const isLoadBalancer = (o: KubeObject) => o.kind === 'Service' && asRecord(o.raw.spec)?.type === 'LoadBalancer';

const lbCounts = new WeakMap<ObjectGraph, number>();

/** LoadBalancer Services in the whole input, counted once per audit. */
function loadBalancerCount(g: ObjectGraph): number {
  let n = lbCounts.get(g);
  if (n === undefined) {
    n = g.ofKind('Service').filter(isLoadBalancer).length;
    lbCounts.set(g, n);
  }
  return n;
}

/** Annotations by which a cloud load balancer in front of the Ingress terminates TLS itself. */
function tlsAtLoadBalancer(o: KubeObject): boolean {
  const a = o.annotations;
  if (a['alb.ingress.kubernetes.io/certificate-arn']?.trim()) return true;
  if (/HTTPS/i.test(a['alb.ingress.kubernetes.io/listen-ports'] ?? '')) return true;
  return Boolean(a['networking.gke.io/managed-certificates']?.trim() || a['ingress.gcp.kubernetes.io/pre-shared-cert']?.trim());
}

type Direction = 'Ingress' | 'Egress';

/** The directions a NetworkPolicy isolates: its policyTypes, or as Kubernetes defaults them. */
function directions(np: KubeObject): Direction[] {
  const spec = asRecord(np.raw.spec);
  const types = spec?.policyTypes;
  if (Array.isArray(types) && types.length) return types.filter((t): t is Direction => t === 'Ingress' || t === 'Egress');
  return Array.isArray(spec?.egress) && spec.egress.length ? ['Ingress', 'Egress'] : ['Ingress'];
}

function describeSelector(sel: Record<string, unknown>): string {
  return Object.entries(sel)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(',');
}

export const serviceRules: WorkloadRule[] = [
  {
    scope: 'workload',
    id: 'workload/load-balancer-services',
    severity: 'warning',
    lessons: ['L20'],
    equivalents: [],
    title: 'Too many LoadBalancer Services',
    why: 'Every Service of type LoadBalancer gets its own cloud load balancer, at roughly $16–20 a month each plus capacity units, and its own DNS name to keep in step; one ingress layer behind one load balancer serves them all.',
    fix: 'Run one ingress controller (nginx, Traefik or Kong, optionally behind an ALB) behind a single load balancer, turn these Services into ClusterIP, and route to them with Ingress rules (external-dns keeps the DNS names).',
    appliesTo: isLoadBalancer,
    check: (o, g, ctx): ObjectRawFinding[] => {
      const n = loadBalancerCount(g);
      const max = ctx.thresholds.maxLoadBalancerServices;
      if (n <= max) return [];
      return [{ path: 'spec.type', message: `Service '${o.name}' is one of ${n} LoadBalancer Services in the input (more than ${max}): each one is a separate cloud load balancer` }];
    },
  },
  {
    scope: 'workload',
    id: 'workload/ingress-tls',
    severity: 'warning',
    lessons: ['L21', 'L26'],
    equivalents: ['polaris:tlsSettingsMissing'],
    title: 'Ingress without TLS',
    why: 'An Ingress without a TLS section serves plain HTTP: credentials and session cookies cross the internet readable by anyone on the path.',
    fix: 'Add spec.tls with the hosts and a certificate Secret (cert-manager can issue it), or terminate TLS at an ALB with the alb.ingress.kubernetes.io/certificate-arn annotation.',
    appliesTo: (o) => o.kind === 'Ingress',
    check: (o): ObjectRawFinding[] => {
      const spec = asRecord(o.raw.spec);
      if (Array.isArray(spec?.tls) && spec.tls.length > 0) return [];
      if (tlsAtLoadBalancer(o)) return [];
      return [{ path: spec && 'tls' in spec ? 'spec.tls' : 'spec', message: `Ingress '${o.name}' has no TLS section and no load-balancer certificate: it serves plain HTTP` }];
    },
  },
  {
    scope: 'workload',
    id: 'workload/service-selects-nothing',
    severity: 'warning',
    lessons: [],
    equivalents: ['kube-score:service-targets-pod', 'kube-linter:dangling-service'],
    title: 'Service selects no workload',
    why: 'A Service whose selector matches no pod has no endpoints: every connection to it is refused, usually because a label was renamed on one side only.',
    fix: 'Make spec.selector equal to labels the workload’s pod template carries (or remove the selector and manage the endpoints yourself for an external service).',
    appliesTo: (o) => {
      if (o.kind !== 'Service') return false;
      const spec = asRecord(o.raw.spec);
      const sel = asRecord(spec?.selector);
      return spec?.type !== 'ExternalName' && !!sel && Object.keys(sel).length > 0;
    },
    check: (o, g): ObjectRawFinding[] => {
      if (g.serviceTargets(o).length) return [];
      const sel = asRecord(asRecord(o.raw.spec)?.selector) ?? {};
      return [{ path: 'spec.selector', message: `Service '${o.name}' selects ${describeSelector(sel)}, which no workload in namespace '${o.namespace}' carries` }];
    },
  },
  {
    scope: 'workload',
    id: 'workload/ingress-backend-missing',
    severity: 'warning',
    lessons: [],
    equivalents: ['kube-score:ingress-targets-service', 'kube-linter:dangling-ingress'],
    title: 'Ingress backend Service missing',
    why: 'An Ingress rule that points at a Service which does not exist answers 503 for its paths, and the controller logs are the only place that says why.',
    fix: 'Point the backend at an existing Service in the same namespace, or add the missing Service.',
    appliesTo: (o) => o.kind === 'Ingress',
    check: (o, g): ObjectRawFinding[] =>
      g.ingressBackends(o).flatMap((b) => {
        if (g.find('Service', o.namespace, b.service)) return [];
        const backend = asRecord(getPath(o.raw, b.path));
        const path = asRecord(backend?.service) ? `${b.path}.service.name` : `${b.path}.serviceName`;
        return [{ path, message: `Ingress '${o.name}' sends traffic to Service '${b.service}', which is not in namespace '${o.namespace}' of the input` }];
      }),
  },
  {
    scope: 'workload',
    id: 'workload/network-policy-missing',
    severity: 'info',
    lessons: ['L21'],
    equivalents: ['polaris:missingNetworkPolicy', 'kube-score:pod-networkpolicy', 'kube-linter:non-isolated-pod'],
    title: 'Pods not isolated by a NetworkPolicy',
    why: 'Without a NetworkPolicy for ingress and one for egress, any pod in the cluster can connect to these pods and they can connect anywhere: one compromised pod reaches every other.',
    fix: 'Add a default-deny NetworkPolicy per namespace (podSelector: {}, policyTypes: [Ingress, Egress]) and policies that allow the traffic each workload needs.',
    appliesTo: hasPods,
    check: (o, g): ObjectRawFinding[] => {
      const t = podTemplate(o)!;
      const covered = new Set<Direction>();
      for (const np of g.networkPoliciesFor(o)) for (const d of directions(np)) covered.add(d);
      const open = (['Ingress', 'Egress'] as const).filter((d) => !covered.has(d));
      if (!open.length) return [];
      const metaPath = t.path === 'spec' ? 'metadata' : `${t.path.replace(/\.spec$/, '')}.metadata`;
      const what = open.length === 2 ? 'no NetworkPolicy selects its pods' : `no NetworkPolicy restricts ${open[0]!.toLowerCase()} of its pods`;
      return [{ path: metaPath, message: `${o.kind} '${o.name}': ${what}` }];
    },
  },
];

function getPath(root: unknown, path: string): unknown {
  let node = root;
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (m[2] !== undefined) node = Array.isArray(node) ? node[Number(m[2])] : undefined;
    else node = asRecord(node)?.[m[1]!];
  }
  return node;
}
