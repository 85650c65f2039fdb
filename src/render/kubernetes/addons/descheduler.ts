// descheduler (L24): evicts pods to rebalance nodes (duplicates on one node, pods violating spread
// or affinity); runs as a Deployment on system nodes, honouring PDBs like every eviction.
import type { AddonModule } from '../catalog-types.js';
import { PRIORITY, resources, SYSTEM_NODES } from '../context.js';

export const descheduler: AddonModule = {
  name: 'descheduler',
  chart: 'descheduler',
  namespace: 'kube-system',
  enabled: (m) => m.addons.descheduler !== false,
  values: () => ({
    kind: 'Deployment',
    deschedulingInterval: '10m',
    replicas: 1,
    ...SYSTEM_NODES,
    priorityClassName: PRIORITY.standard,
    resources: resources('50m', '64Mi', '128Mi'),
  }),
};
