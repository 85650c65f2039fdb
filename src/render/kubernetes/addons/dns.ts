// CoreDNS scaling (L15): the cluster-proportional autoscaler sizes CoreDNS from the cluster's cores
// and nodes (one replica per 256 cores or 16 nodes, never fewer than two); CoreDNS itself is an EKS
// add-on (addons stack) spread over zones.
import type { AddonModule } from '../catalog-types.js';
import { PRIORITY, resources, SYSTEM_NODES } from '../context.js';

export const dnsAutoscaler: AddonModule = {
  name: 'coredns-autoscaler',
  chart: 'cluster-proportional-autoscaler',
  namespace: 'kube-system',
  enabled: (m) => m.addons.dns !== false && m.addons.dns.autoscale,
  values: () => ({
    config: { linear: { coresPerReplica: 256, nodesPerReplica: 16, min: 2, preventSinglePointFailure: true, includeUnschedulableNodes: true } },
    options: { target: 'deployment/coredns', namespace: 'kube-system' },
    // The chart's default registry (k8s.gcr.io) is frozen; the same images live on registry.k8s.io.
    image: { repository: 'registry.k8s.io/cpa/cluster-proportional-autoscaler' },
    ...SYSTEM_NODES,
    priorityClassName: PRIORITY.clusterCritical,
    resources: resources('20m', '32Mi', '64Mi'),
  }),
};
