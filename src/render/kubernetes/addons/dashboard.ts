// kubernetes-dashboard (L24): ClusterIP only, reached through `kubectl port-forward` or
// `kubectl proxy`; never exposed, whatever the spec says (addons/dashboard-exposed flags it).
import type { AddonModule } from '../catalog-types.js';
import { PRIORITY, resources, SYSTEM_NODES } from '../context.js';

const component = () => ({ containers: { resources: resources('50m', '100Mi', '200Mi') } });

export const dashboard: AddonModule = {
  name: 'kubernetes-dashboard',
  chart: 'kubernetes-dashboard',
  namespace: 'kubernetes-dashboard',
  enabled: (m) => m.addons.dashboard !== false,
  values: () => ({
    app: {
      scheduling: { nodeSelector: SYSTEM_NODES.nodeSelector },
      priorityClassName: PRIORITY.standard,
      tolerations: SYSTEM_NODES.tolerations,
      ingress: { enabled: false },
    },
    // The chart's bundled Kong proxy is a pod of its own.
    kong: { ...SYSTEM_NODES, priorityClassName: PRIORITY.standard, resources: resources('50m', '128Mi', '256Mi') },
    api: component(),
    web: component(),
    auth: component(),
    metricsScraper: component(),
  }),
};
