// The lesson alerts (L28, L29, L15, L11): a PrometheusRule with what the field reports learned to
// watch: restarts, pods not ready or pending, memory near its limit, OOM kills, NotReady and
// pressured nodes, CPU throttling and CoreDNS failures.
import type { ResolvedCluster } from '../../model/types.js';
import { MONITORING_NAMESPACE } from './addons/monitoring.js';
import { type K8sObject, MANAGED_BY } from './objects.js';

interface Alert {
  alert: string;
  expr: string;
  for: string;
  severity: 'critical' | 'warning' | 'info';
  lessons: string;
  summary: string;
}

export const LESSON_ALERTS: readonly Alert[] = [
  { alert: 'ContainerRestarting', expr: 'increase(kube_pod_container_status_restarts_total[15m]) > 2', for: '5m', severity: 'warning', lessons: 'L28,L30', summary: 'Container {{ $labels.namespace }}/{{ $labels.pod }}/{{ $labels.container }} restarted more than twice in 15 minutes.' },
  { alert: 'PodNotReady', expr: 'sum by (namespace, pod) (kube_pod_status_ready{condition="false"}) > 0', for: '15m', severity: 'warning', lessons: 'L28,L30', summary: 'Pod {{ $labels.namespace }}/{{ $labels.pod }} has not been ready for 15 minutes.' },
  { alert: 'PodPendingTooLong', expr: 'sum by (namespace, pod) (kube_pod_status_phase{phase="Pending"}) > 0', for: '15m', severity: 'warning', lessons: 'L28,L18', summary: 'Pod {{ $labels.namespace }}/{{ $labels.pod }} has been pending for 15 minutes: no capacity, no IPs, or an unschedulable constraint.' },
  {
    alert: 'ContainerMemoryNearLimit',
    expr: 'max by (namespace, pod, container) (container_memory_working_set_bytes{container!=""} / on (namespace, pod, container) kube_pod_container_resource_limits{resource="memory"}) > 0.9',
    for: '10m',
    severity: 'warning',
    lessons: 'L28,L29',
    summary: 'Container {{ $labels.namespace }}/{{ $labels.pod }}/{{ $labels.container }} uses over 90% of its memory limit.',
  },
  {
    alert: 'ContainerOOMKilled',
    expr: '(increase(kube_pod_container_status_restarts_total[10m]) > 0) and on (namespace, pod, container) (kube_pod_container_status_last_terminated_reason{reason="OOMKilled"} == 1)',
    for: '0m',
    severity: 'warning',
    lessons: 'L28,L29',
    summary: 'Container {{ $labels.namespace }}/{{ $labels.pod }}/{{ $labels.container }} was OOM-killed.',
  },
  { alert: 'NodeNotReady', expr: 'kube_node_status_condition{condition="Ready",status="true"} == 0', for: '5m', severity: 'critical', lessons: 'L28,L11', summary: 'Node {{ $labels.node }} has been NotReady for 5 minutes.' },
  {
    alert: 'NodeUnderPressure',
    expr: 'kube_node_status_condition{condition=~"MemoryPressure|DiskPressure|PIDPressure",status="true"} == 1',
    for: '5m',
    severity: 'warning',
    lessons: 'L28,L11',
    summary: 'Node {{ $labels.node }} reports {{ $labels.condition }}: the kubelet is evicting pods.',
  },
  {
    alert: 'ContainerCpuThrottled',
    expr: 'sum by (namespace, pod, container) (increase(container_cpu_cfs_throttled_periods_total{container!=""}[5m])) / sum by (namespace, pod, container) (increase(container_cpu_cfs_periods_total{container!=""}[5m])) > 0.5',
    for: '15m',
    severity: 'info',
    lessons: 'L28,L29',
    summary: 'Container {{ $labels.namespace }}/{{ $labels.pod }}/{{ $labels.container }} is CPU-throttled in over half of its periods.',
  },
  {
    alert: 'CoreDnsErrors',
    expr: 'sum(rate(coredns_dns_responses_total{rcode="SERVFAIL"}[5m])) / sum(rate(coredns_dns_responses_total[5m])) > 0.01',
    for: '10m',
    severity: 'critical',
    lessons: 'L28,L15',
    summary: 'Over 1% of DNS answers are SERVFAIL: lookups are failing across the cluster.',
  },
];

export function lessonAlerts(m: ResolvedCluster): K8sObject {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: 'kuberator-lessons', namespace: MONITORING_NAMESPACE, labels: { ...MANAGED_BY } },
    spec: {
      groups: [
        {
          name: 'kuberator.lessons',
          rules: LESSON_ALERTS.map((a) => ({
            alert: a.alert,
            expr: a.expr,
            for: a.for,
            labels: { severity: a.severity, cluster: m.name, lessons: a.lessons },
            annotations: { summary: a.summary },
          })),
        },
      ],
    },
  };
}
