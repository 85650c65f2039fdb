// Spot interruption handling (L41): aws-node-termination-handler in IMDS mode on spot and mixed
// nodes only. It runs on the host network, so it reaches IMDS despite the hop limit of 1, and on
// the two-minute notice it cordons and drains the node through the eviction API (PDBs honoured).
import type { AddonModule } from '../catalog-types.js';
import { EVERY_NODE_TOLERATIONS, PRIORITY, resources } from '../context.js';

export const spotHandler: AddonModule = {
  name: 'aws-node-termination-handler',
  chart: 'aws-node-termination-handler',
  namespace: 'kube-system',
  enabled: (m) => m.addons.spotHandler !== false && m.nodeGroups.some((g) => g.capacity !== 'onDemand'),
  values: () => ({
    enableSpotInterruptionDraining: true,
    enableRebalanceMonitoring: true,
    enableRebalanceDraining: false,
    enableScheduledEventDraining: true,
    daemonsetAffinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: 'node.kuberator.dev/lifecycle', operator: 'In', values: ['spot', 'mixed'] }] }],
        },
      },
    },
    daemonsetTolerations: EVERY_NODE_TOLERATIONS,
    daemonsetPriorityClassName: PRIORITY.nodeCritical,
    resources: resources('20m', '48Mi', '96Mi'),
  }),
};
