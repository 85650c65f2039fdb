// Spot interruption handling (L41): `kuberator spot-handler` on every spot and mixed node, from
// kuberator's own image. It polls the instance metadata service, so it runs on the host network
// (IMDS answers only one hop away); on the two-minute notice it taints and cordons its node and
// drains it through the eviction API (PDBs honoured) before the deadline. A rebalance
// recommendation only cordons.
//
// Permissions are the least a drain needs: read and update its Node, list and evict pods, read
// DaemonSets (a DaemonSet's pods are left alone), and record Events.
import type { ManifestModule } from '../catalog-types.js';
import { EVERY_NODE_TOLERATIONS, PRIORITY, resources } from '../context.js';
import type { K8sObject } from '../objects.js';
import { DAEMON_POD_SECURITY, daemonContainer, daemonIdentity } from './kuberator-daemon.js';

const NAME = 'kuberator-spot-handler';
const METRICS_PORT = 9092;
/** The node label kuberator puts on node groups (spot, mixed, on-demand). */
const LIFECYCLE_LABEL = 'node.kuberator.dev/lifecycle';

export const spotHandler: ManifestModule = {
  name: NAME,
  namespace: 'kube-system',
  enabled: (m) => m.addons.spotHandler !== false && m.nodeGroups.some((g) => g.capacity !== 'onDemand'),
  objects() {
    const { labels, meta, objects } = daemonIdentity(NAME, this.namespace, [
      { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'patch', 'update'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
      { apiGroups: [''], resources: ['pods/eviction'], verbs: ['create'] },
      { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
      { apiGroups: ['apps'], resources: ['daemonsets'], verbs: ['get'] },
    ]);
    const fieldEnv = (name: string, fieldPath: string) => ({ name, valueFrom: { fieldRef: { fieldPath } } });
    const daemonSet: K8sObject = {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: {
        ...meta(NAME),
        annotations: { 'kuberator.dev/ignore': 'workload/host-network: the instance metadata service answers only on the node network (hop limit 1)' },
      },
      spec: {
        selector: { matchLabels: labels },
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%' } },
        template: {
          metadata: { labels: meta(NAME).labels },
          spec: {
            serviceAccountName: NAME,
            priorityClassName: PRIORITY.nodeCritical,
            hostNetwork: true,
            dnsPolicy: 'ClusterFirstWithHostNet',
            tolerations: EVERY_NODE_TOLERATIONS,
            affinity: {
              nodeAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: {
                  nodeSelectorTerms: [{ matchExpressions: [{ key: LIFECYCLE_LABEL, operator: 'In', values: ['spot', 'mixed'] }] }],
                },
              },
            },
            // A drain takes up to the two minutes of the notice; a replaced pod picks the event up again.
            terminationGracePeriodSeconds: 30,
            securityContext: DAEMON_POD_SECURITY,
            containers: [
              daemonContainer({
                name: 'handler',
                args: ['spot-handler', '--metrics-port', String(METRICS_PORT), '--log-format', 'json'],
                env: [fieldEnv('NODE_NAME', 'spec.nodeName'), fieldEnv('POD_NAME', 'metadata.name'), fieldEnv('POD_NAMESPACE', 'metadata.namespace')],
                port: { name: 'metrics', number: METRICS_PORT },
                resources: resources('20m', '96Mi', '160Mi'),
              }),
            ],
          },
        },
      },
    };
    return [...objects, daemonSet];
  },
};
