// metrics-server (L24): resource metrics for HPAs and `kubectl top`; two replicas on different nodes.
import type { AddonModule } from '../catalog-types.js';
import { PRIORITY, resources, SYSTEM_NODES } from '../context.js';

const LABELS = { 'app.kubernetes.io/name': 'metrics-server' };

export const metricsServer: AddonModule = {
  name: 'metrics-server',
  chart: 'metrics-server',
  namespace: 'kube-system',
  enabled: (m) => m.addons.metricsServer !== false,
  values: () => ({
    replicas: 2,
    podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
    ...SYSTEM_NODES,
    affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: LABELS }, topologyKey: 'kubernetes.io/hostname' }] } },
    priorityClassName: PRIORITY.clusterCritical,
    resources: resources('100m', '200Mi', '300Mi'),
  }),
};
