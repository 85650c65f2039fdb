// cluster-autoscaler (L18): nodes follow demand. Discovers this cluster's Auto Scaling groups by
// their tags (rendered on every group), runs the image of the cluster's own minor, and gets its
// AWS permissions from the Pod Identity role of the addons stack.
import { clusterAutoscalerImageTag } from '../../../facts/charts.js';
import { KuberatorError } from '../../../errors.js';
import { SERVICE_ACCOUNTS } from '../../service-accounts.js';
import type { AddonModule } from '../catalog-types.js';
import { PRIORITY, resources, SYSTEM_NODES } from '../context.js';

export const clusterAutoscaler: AddonModule = {
  name: 'cluster-autoscaler',
  chart: 'cluster-autoscaler',
  namespace: SERVICE_ACCOUNTS.clusterAutoscaler.namespace,
  enabled: (m) => m.addons.clusterAutoscaler !== false,
  values: ({ model: m }) => {
    const tag = clusterAutoscalerImageTag(m.kubernetesVersion);
    if (!tag) throw new KuberatorError('KBR-RENDER011', `no cluster-autoscaler image for Kubernetes ${m.kubernetesVersion} in data/helm-charts.json`, 'internal');
    const expander = m.addons.clusterAutoscaler ? m.addons.clusterAutoscaler.expander : 'least-waste';
    return {
      cloudProvider: 'aws',
      awsRegion: m.region,
      autoDiscovery: { clusterName: m.name },
      image: { tag },
      rbac: { serviceAccount: { create: true, name: SERVICE_ACCOUNTS.clusterAutoscaler.name } },
      extraArgs: {
        expander,
        // Per-AZ groups are twins in different zones: keep them the same size.
        'balance-similar-node-groups': m.nodeGroups.some((g) => g.perAz),
        'skip-nodes-with-system-pods': true,
        'skip-nodes-with-local-storage': false,
        'scale-down-unneeded-time': '10m',
      },
      replicaCount: 1,
      ...SYSTEM_NODES,
      priorityClassName: PRIORITY.clusterCritical,
      resources: resources('100m', '300Mi', '600Mi'),
    };
  },
};
