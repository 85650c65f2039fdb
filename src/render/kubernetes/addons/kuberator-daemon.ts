// What kuberator's own daemons (spot handler, discovery bridge) share in the catalogue: the image,
// their identity (ServiceAccount, ClusterRole with the module's rules, binding), the hardened pod
// and container security contexts, and probes on the daemon's /healthz port.
import { VERSION } from '../../../version.js';
import { type K8sObject, MANAGED_BY } from '../objects.js';

/** The image built by the repository's Dockerfile; its entrypoint is `kuberator`. */
export const KUBERATOR_IMAGE = `ghcr.io/kuberator/kuberator:${VERSION}`;

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

export interface DaemonIdentity {
  /** Selector labels of the workload. */
  labels: Record<string, string>;
  /** metadata with the managed-by and selector labels; cluster-scoped objects get no namespace. */
  meta(name: string, namespaced?: boolean): { name: string; namespace?: string; labels: Record<string, string> };
  /** ServiceAccount, ClusterRole and ClusterRoleBinding. */
  objects: K8sObject[];
}

export function daemonIdentity(name: string, namespace: string, rules: PolicyRule[]): DaemonIdentity {
  const labels = { 'app.kubernetes.io/name': name };
  const meta = (n: string, namespaced = true) => ({ name: n, ...(namespaced ? { namespace } : {}), labels: { ...MANAGED_BY, ...labels } });
  return {
    labels,
    meta,
    objects: [
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(name) },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: meta(name, false), rules },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: meta(name, false),
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
        subjects: [{ kind: 'ServiceAccount', name, namespace }],
      },
    ],
  };
}

/** Pod security context: a fixed non-root user and the runtime's seccomp profile. */
export const DAEMON_POD_SECURITY = { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } };

/**
 * The daemon container: kuberator's image with `args`, one named port serving /healthz and
 * /metrics. Ready while the daemon's health callback is; alive while the process answers at all,
 * so an outage of what it talks to takes it out of rotation without restarting it in a loop.
 */
export function daemonContainer(opts: { name: string; args: string[]; port: { name: string; number: number }; resources: object; env?: object[] }): Record<string, unknown> {
  return {
    name: opts.name,
    image: KUBERATOR_IMAGE,
    args: opts.args,
    ...(opts.env ? { env: opts.env } : {}),
    ports: [{ name: opts.port.name, containerPort: opts.port.number }],
    readinessProbe: { httpGet: { path: '/healthz', port: opts.port.name }, periodSeconds: 10, failureThreshold: 3 },
    livenessProbe: { tcpSocket: { port: opts.port.name }, periodSeconds: 20, failureThreshold: 6 },
    resources: opts.resources,
    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } },
  };
}
