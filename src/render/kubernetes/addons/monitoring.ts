// Monitoring (L24, L28): kube-prometheus-stack (Prometheus, Alertmanager routed to the spec's
// receivers, kube-state-metrics, node exporter, Grafana when asked) and prometheus-adapter when
// asked. Receiver credentials never go into git: Alertmanager reads them from files of the Secret
// `alertmanager-receivers`, one key per receiver name.
import type { ResolvedCluster } from '../../../model/types.js';
import type { AddonModule } from '../catalog-types.js';
import { EVERY_NODE_TOLERATIONS, PRIORITY, resources, SYSTEM_NODES } from '../context.js';

export const MONITORING_NAMESPACE = 'monitoring';
export const RECEIVER_SECRET = 'alertmanager-receivers';
export const GRAFANA_SECRET = 'grafana-admin';
const SECRET_DIR = `/etc/alertmanager/secrets/${RECEIVER_SECRET}`;

type Receiver = Extract<ResolvedCluster['addons']['monitoring'], object>['alertReceivers'][number];

function receiverConfig(r: Receiver): Record<string, unknown> {
  const file = `${SECRET_DIR}/${r.name}`;
  switch (r.type) {
    case 'slack':
      return { name: r.name, slack_configs: [{ api_url_file: file, ...(r.channel ? { channel: r.channel } : {}), send_resolved: true }] };
    case 'opsgenie':
      return { name: r.name, opsgenie_configs: [{ api_key_file: file, send_resolved: true }] };
    case 'pagerduty':
      return { name: r.name, pagerduty_configs: [{ routing_key_file: file, send_resolved: true }] };
    default:
      return { name: r.name, webhook_configs: [r.url ? { url: r.url, send_resolved: true } : { url_file: file, send_resolved: true }] };
  }
}

/** Every alert goes to every receiver; the always-firing Watchdog goes nowhere. */
export function alertmanagerConfig(receivers: Receiver[]): Record<string, unknown> {
  return {
    route: {
      receiver: 'null',
      group_by: ['alertname', 'namespace'],
      group_wait: '30s',
      group_interval: '5m',
      repeat_interval: '4h',
      routes: [{ receiver: 'null', matchers: ['alertname = "Watchdog"'] }, ...receivers.map((r) => ({ receiver: r.name, continue: true }))],
    },
    receivers: [{ name: 'null' }, ...receivers.map(receiverConfig)],
  };
}

export const monitoring: AddonModule = {
  name: 'kube-prometheus-stack',
  chart: 'kube-prometheus-stack',
  namespace: MONITORING_NAMESPACE,
  enabled: (m) => m.addons.monitoring !== false && m.addons.monitoring.prometheus,
  values: ({ model: m }) => {
    const mon = m.addons.monitoring as Exclude<ResolvedCluster['addons']['monitoring'], false>;
    const needsSecret = mon.alertReceivers.some((r) => r.type !== 'webhook' || !r.url);
    const storageClassName = m.addons.ebsCsi ? m.addons.ebsCsi.defaultStorageClass : undefined;
    const volume = (size: string) => ({ volumeClaimTemplate: { spec: { ...(storageClassName ? { storageClassName } : {}), accessModes: ['ReadWriteOnce'], resources: { requests: { storage: size } } } } });
    return {
      // The lesson alerts live in infrastructure/configs; the chart's own rules stay on.
      defaultRules: { create: true },
      alertmanager: {
        config: alertmanagerConfig(mon.alertReceivers),
        alertmanagerSpec: {
          replicas: 2,
          ...SYSTEM_NODES,
          priorityClassName: PRIORITY.standard,
          resources: resources('50m', '128Mi', '256Mi'),
          storage: volume('10Gi'),
          ...(needsSecret ? { secrets: [RECEIVER_SECRET] } : {}),
        },
        // The chart's default minAvailable stays in the merged values: set that, not maxUnavailable,
        // or the PDB carries both and the API server rejects it.
        podDisruptionBudget: { enabled: true, minAvailable: 1 },
      },
      prometheus: {
        prometheusSpec: {
          replicas: 1,
          retention: '15d',
          ...SYSTEM_NODES,
          priorityClassName: PRIORITY.standard,
          resources: resources('500m', '2Gi', '4Gi'),
          storageSpec: volume('50Gi'),
          // Pick up rules and monitors from every namespace and release, not only this chart's.
          ruleSelectorNilUsesHelmValues: false,
          serviceMonitorSelectorNilUsesHelmValues: false,
          podMonitorSelectorNilUsesHelmValues: false,
          probeSelectorNilUsesHelmValues: false,
          scrapeConfigSelectorNilUsesHelmValues: false,
        },
      },
      prometheusOperator: { ...SYSTEM_NODES, priorityClassName: PRIORITY.standard, resources: resources('100m', '128Mi', '256Mi') },
      'kube-state-metrics': { ...SYSTEM_NODES, priorityClassName: PRIORITY.standard, resources: resources('50m', '128Mi', '256Mi') },
      'prometheus-node-exporter': { tolerations: EVERY_NODE_TOLERATIONS, priorityClassName: PRIORITY.nodeCritical, resources: resources('20m', '32Mi', '64Mi') },
      // No default admin password: Grafana reads it from the Secret grafana-admin (keys admin-user, admin-password).
      grafana: mon.grafana ? { enabled: true, admin: { existingSecret: GRAFANA_SECRET, userKey: 'admin-user', passwordKey: 'admin-password' }, ...SYSTEM_NODES, resources: resources('50m', '128Mi', '256Mi') } : { enabled: false },
    };
  },
};

export const prometheusAdapter: AddonModule = {
  name: 'prometheus-adapter',
  chart: 'prometheus-adapter',
  namespace: MONITORING_NAMESPACE,
  enabled: (m) => m.addons.monitoring !== false && m.addons.monitoring.prometheus && m.addons.monitoring.adapter,
  dependsOn: () => ['kube-prometheus-stack'],
  values: () => ({
    prometheus: { url: 'http://kube-prometheus-stack-prometheus.monitoring.svc', port: 9090 },
    replicas: 2,
    podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
    ...SYSTEM_NODES,
    priorityClassName: PRIORITY.standard,
    resources: resources('50m', '128Mi', '256Mi'),
  }),
};
