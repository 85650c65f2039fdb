// The service directory bridge (L42): `kuberator discovery-bridge` announces this cluster's
// Services that have an external load balancer in the ZooKeeper document shared with services
// outside Kubernetes (spec.addons.discoveryBridge). Off unless the spec names a ZooKeeper ensemble.
//
// One replica with the Recreate strategy: one writer at a time. The document's compare-and-set
// writes would keep two replicas correct, but they would only race each other. While the pod is
// replaced the directory keeps its last entries, so readers see no gap; hence the single replica
// is an accepted exception to workload/replicas. It reads Services only (get, list, watch).
import type { ManifestModule } from '../catalog-types.js';
import { PRIORITY, resources, SYSTEM_NODES } from '../context.js';
import type { K8sObject } from '../objects.js';
import { DAEMON_POD_SECURITY, daemonContainer, daemonIdentity } from './kuberator-daemon.js';

const NAME = 'kuberator-discovery-bridge';
const PORT = 8080;

export const discoveryBridge: ManifestModule = {
  name: NAME,
  namespace: 'kube-system',
  enabled: (m) => m.addons.discoveryBridge !== false,
  objects(ctx) {
    const cfg = ctx.model.addons.discoveryBridge;
    if (!cfg) return [];
    const { labels, meta, objects } = daemonIdentity(NAME, this.namespace, [{ apiGroups: [''], resources: ['services'], verbs: ['get', 'list', 'watch'] }]);
    const args = ['discovery-bridge', '--zk-connect', cfg.zookeeper, '--doc-path', cfg.path, '--cluster-id', `${ctx.model.name}-${ctx.model.environment}`, '--port', String(PORT)];
    const deployment: K8sObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        ...meta(NAME),
        annotations: { 'kuberator.dev/ignore': 'workload/replicas: one writer by design, and the directory keeps its entries while the pod is replaced' },
      },
      spec: {
        replicas: 1,
        strategy: { type: 'Recreate' },
        selector: { matchLabels: labels },
        template: {
          metadata: { labels: meta(NAME).labels },
          spec: {
            serviceAccountName: NAME,
            priorityClassName: PRIORITY.standard,
            ...SYSTEM_NODES,
            securityContext: DAEMON_POD_SECURITY,
            containers: [daemonContainer({ name: 'bridge', args, port: { name: 'http', number: PORT }, resources: resources('20m', '64Mi', '128Mi') })],
          },
        },
      },
    };
    return [...objects, deployment];
  },
};
