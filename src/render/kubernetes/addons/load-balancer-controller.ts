// AWS Load Balancer Controller (L20, L26): ALBs for Ingresses of class alb and NLBs for Services.
// Pods do not reach IMDS (hop limit 1), so the region and VPC are passed explicitly.
import { SERVICE_ACCOUNTS } from '../../service-accounts.js';
import type { AddonModule } from '../catalog-types.js';
import { PRIORITY, resources, SYSTEM_NODES } from '../context.js';

export const loadBalancerController: AddonModule = {
  name: 'aws-load-balancer-controller',
  chart: 'aws-load-balancer-controller',
  namespace: SERVICE_ACCOUNTS.loadBalancerController.namespace,
  enabled: (m) => m.addons.loadBalancerController !== false,
  values: ({ model: m, vpcId }) => ({
    clusterName: m.name,
    region: m.region,
    vpcId,
    serviceAccount: { create: true, name: SERVICE_ACCOUNTS.loadBalancerController.name },
    replicaCount: 2,
    podDisruptionBudget: { maxUnavailable: 1 },
    ...SYSTEM_NODES,
    priorityClassName: PRIORITY.clusterCritical,
    resources: resources('100m', '128Mi', '256Mi'),
  }),
  installSets: ({ model: m }): Record<string, string> => (m.network.vpc.mode === 'new' ? { vpcId: '$VPC_ID' } : {}),
};
