// Log shipping (L24): fluent-bit on every node, to the CloudWatch Logs group the cluster stack
// created (permissions from its Pod Identity role) or to an Elasticsearch/OpenSearch endpoint.
import type { ResolvedCluster } from '../../../model/types.js';
import { SERVICE_ACCOUNTS } from '../../service-accounts.js';
import type { AddonModule } from '../catalog-types.js';
import { EVERY_NODE_TOLERATIONS, PRIORITY, resources } from '../context.js';

export function fluentBitOutput(m: ResolvedCluster): string {
  const fb = (m.addons.logging as Exclude<ResolvedCluster['addons']['logging'], false>).fluentBit;
  const lines = (entries: Array<[string, string]>) => ['[OUTPUT]', ...entries.map(([k, v]) => `    ${k.padEnd(18)} ${v}`)].join('\n') + '\n';
  if (fb.output === 'cloudwatch') {
    return lines([
      ['Name', 'cloudwatch_logs'],
      // Containers (kube.*) and the node's own journal (host.*: kubelet, containerd).
      ['Match', '*'],
      ['region', m.region],
      ['log_group_name', `/aws/eks/${m.name}/containers`],
      ['log_stream_prefix', 'node-'],
      ['auto_create_group', 'Off'],
    ]);
  }
  const url = new URL(fb.endpoint ?? 'https://elasticsearch.logging.svc:9200');
  const tls = url.protocol === 'https:';
  return lines([
    ['Name', 'es'],
    ['Match', '*'],
    ['Host', url.hostname],
    ['Port', url.port || (tls ? '443' : '80')],
    ['tls', tls ? 'On' : 'Off'],
    ['Logstash_Format', 'On'],
    ['Logstash_Prefix', m.name],
    ['Suppress_Type_Name', 'On'],
    ['Retry_Limit', '5'],
  ]);
}

export const fluentBit: AddonModule = {
  name: 'fluent-bit',
  chart: 'fluent-bit',
  namespace: SERVICE_ACCOUNTS.fluentBit.namespace,
  enabled: (m) => m.addons.logging !== false,
  values: ({ model: m }) => ({
    serviceAccount: { create: true, name: SERVICE_ACCOUNTS.fluentBit.name },
    tolerations: EVERY_NODE_TOLERATIONS,
    priorityClassName: PRIORITY.nodeCritical,
    resources: resources('50m', '64Mi', '128Mi'),
    config: { outputs: fluentBitOutput(m) },
  }),
};
