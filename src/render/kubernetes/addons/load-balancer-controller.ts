// AWS Load Balancer Controller (L20, L26): ALBs for Ingresses of class alb and NLBs for Services.
// Pods do not reach IMDS (hop limit 1), so the region and VPC are passed explicitly.
import { SERVICE_ACCOUNTS } from '../../service-accounts.js';
import type { AddonModule } from '../catalog-types.js';
import { PRIORITY, resources, SYSTEM_NODES } from '../context.js';
import { pdb } from '../objects.js';

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
    ...SYSTEM_NODES,
    priorityClassName: PRIORITY.clusterCritical,
    resources: resources('100m', '128Mi', '256Mi'),
  }),
  // The pinned chart's own PDB template predates policy/v1; kuberator renders the PDB itself.
  configs: () => [pdb('aws-load-balancer-controller', SERVICE_ACCOUNTS.loadBalancerController.namespace, { 'app.kubernetes.io/name': 'aws-load-balancer-controller' }, { maxUnavailable: 1 })],
  installSets: ({ model: m }): Record<string, string> => (m.network.vpc.mode === 'new' ? { vpcId: '$VPC_ID' } : {}),
};
