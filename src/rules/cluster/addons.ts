// Add-ons the spec turns off or configures so they cannot do their job (L20, L21, L24, L26, L28, L41).
import type { ClusterRule } from '../types.js';

export const addonRules: ClusterRule[] = [
  {
    id: 'addons/dashboard-exposed',
    severity: 'error',
    lessons: ['L24', 'L21'],
    equivalents: [],
    title: 'Kubernetes dashboard exposed',
    why: 'An exposed dashboard is a web front door to the cluster API; it has been the entry point of real cryptojacking incidents.',
    fix: 'Remove spec.addons.dashboard.exposed and reach the dashboard with kubectl proxy or port-forward.',
    check: (m) => (m.addons.dashboard && m.addons.dashboard.exposed ? [{ path: 'spec.addons.dashboard.exposed', message: 'the dashboard is exposed outside the cluster' }] : []),
  },
  {
    id: 'addons/ingress-without-tls',
    severity: 'warning',
    lessons: ['L26', 'L21'],
    equivalents: [],
    title: 'Ingress load balancer without a TLS certificate',
    why: 'Without a certificate the load balancer serves plain HTTP: no HTTPS listener, no HTTP→HTTPS redirect, credentials in clear text.',
    fix: 'Set spec.addons.ingress.certificateArn to an ACM certificate covering the ingress hosts.',
    check: (m) =>
      m.addons.ingress && !m.addons.ingress.certificateArn
        ? [{ path: 'spec.addons.ingress', severity: m.production ? 'warning' : 'info', message: `the ${m.addons.ingress.loadBalancer.toUpperCase()} in front of ${m.addons.ingress.controller} has no certificate` }]
        : [],
  },
  {
    id: 'addons/external-dns-without-zone',
    severity: 'error',
    lessons: ['L20'],
    equivalents: [],
    title: 'external-dns without a hosted zone',
    why: 'Without a zone to own, external-dns either changes nothing or, given broad rights, records in every zone of the account.',
    fix: 'Set spec.addons.externalDns.hostedZone to the domain (or zone id) it may manage.',
    check: (m) => (m.addons.externalDns && !m.addons.externalDns.hostedZone ? [{ path: 'spec.addons.externalDns', message: 'external-dns is on but names no hosted zone' }] : []),
  },
  {
    id: 'addons/spot-without-handler',
    severity: 'error',
    lessons: ['L41', 'L08'],
    equivalents: [],
    title: 'Spot capacity without an interruption handler',
    why: 'A spot node gets a two-minute notice; with nothing listening, its pods die with it instead of being drained to other nodes, PDBs ignored.',
    fix: 'Leave spec.addons.spotHandler on (the default when any group uses spot or mixed capacity).',
    check: (m) => {
      if (m.addons.spotHandler) return [];
      const spot = m.nodeGroups.filter((g) => g.capacity !== 'onDemand');
      return spot.length
        ? [{ path: 'spec.addons.spotHandler', severity: m.production ? 'error' : 'warning', message: `no interruption handler for ${spot.map((g) => `'${g.name}' (${g.capacity})`).join(', ')}` }]
        : [];
    },
  },
  {
    id: 'addons/monitoring-off',
    severity: 'warning',
    lessons: ['L28', 'L24'],
    equivalents: [],
    title: 'No monitoring in production',
    why: 'Without Prometheus and Alertmanager nobody hears about restarts, OOM kills, pending pods or NotReady nodes until users do.',
    fix: 'Enable spec.addons.monitoring (on by default) with at least one alert receiver.',
    check: (m) => {
      if (!m.production) return [];
      if (!m.addons.monitoring) return [{ path: 'spec.addons.monitoring', message: 'monitoring is off in a production cluster' }];
      return m.addons.monitoring.alertReceivers.length === 0 ? [{ path: 'spec.addons.monitoring', severity: 'info', message: 'alerts fire but go to no receiver (spec.addons.monitoring.alertReceivers)' }] : [];
    },
  },
  {
    id: 'addons/logging-off',
    severity: 'warning',
    lessons: ['L24'],
    equivalents: [],
    title: 'No log shipping in production',
    why: 'Container logs live on the node: when a pod is rescheduled or a node is replaced, the logs that explain the failure go with it.',
    fix: 'Enable spec.addons.logging (fluent-bit to CloudWatch Logs by default).',
    check: (m) => (m.production && !m.addons.logging ? [{ path: 'spec.addons.logging', message: 'fluent-bit is off in a production cluster' }] : []),
  },
];
