// What every add-on module sees: the resolved model, capacity, chart versions for the cluster's
// Kubernetes minor, and where add-ons are scheduled.
import type { ClusterCapacity } from '../../capacity/index.js';
import { KuberatorError } from '../../errors.js';
import { chartFor, type ChartPin } from '../../facts/charts.js';
import { ROLE_LABEL } from '../../model/defaults.js';
import type { ResolvedCluster } from '../../model/types.js';

export interface K8sContext {
  model: ResolvedCluster;
  capacity: ClusterCapacity;
  chart(key: string): ChartPin;
  /** A value known only after the CloudFormation stacks exist (Flux substitutes it at apply time). */
  vpcId: string;
}

export const VPC_ID_VARIABLE = 'VPC_ID';

export function k8sContext(model: ResolvedCluster, capacity: ClusterCapacity): K8sContext {
  return {
    model,
    capacity,
    chart: (key) => {
      const pin = chartFor(key, model.kubernetesVersion);
      if (!pin) throw new KuberatorError('KBR-RENDER010', `no pinned version of the ${key} chart for Kubernetes ${model.kubernetesVersion} in data/helm-charts.json`, 'internal');
      return pin;
    },
    vpcId: model.network.vpc.mode === 'existing' ? model.network.vpc.id! : `\${${VPC_ID_VARIABLE}}`,
  };
}

/** Add-ons that are not DaemonSets run on system nodes and tolerate their taint (L09). */
export const SYSTEM_NODES = {
  nodeSelector: { [ROLE_LABEL]: 'system' },
  tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists', effect: 'NoSchedule' }],
};

/** DaemonSets run on every node, whatever its taints. */
export const EVERY_NODE_TOLERATIONS = [{ operator: 'Exists' }];

/** Priority classes the platform creates (platform.ts) and the built-in ones it uses. */
export const PRIORITY = {
  critical: 'platform-critical',
  standard: 'platform',
  nodeCritical: 'system-node-critical',
  clusterCritical: 'system-cluster-critical',
} as const;

/** Replicas of one add-on spread over nodes, then zones (L33). */
export function spread(labels: Record<string, string>): Record<string, unknown>[] {
  return [
    { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: labels } },
    { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: labels } },
  ];
}

export function resources(cpu: string, memory: string, memoryLimit?: string): Record<string, unknown> {
  // Memory limit above the request with headroom (L29); no CPU limit, so add-ons are not throttled.
  return { requests: { cpu, memory }, limits: { memory: memoryLimit ?? memory } };
}
