// Elasticity: an autoscaler on every group, scheduled surges it can honour, DNS that keeps up (L15, L18).
import type { RawFinding, ClusterRule } from '../types.js';

const DNS_AUTOSCALE_PODS = 1000;

export const scalingRules: ClusterRule[] = [
  {
    id: 'scaling/no-autoscaler',
    severity: 'warning',
    lessons: ['L18'],
    equivalents: ['hardeneks:check_any_cluster_autoscaler_exists'],
    title: 'No cluster autoscaler',
    why: 'Without an autoscaler, node groups stay at their desired size: pods go Pending under load and idle nodes are paid for at night.',
    fix: 'Enable spec.addons.clusterAutoscaler (on by default).',
    check: (m) => {
      if (m.addons.clusterAutoscaler) return [];
      const elastic = m.nodeGroups.filter((g) => g.maxSize > g.minSize);
      return elastic.length ? [{ path: 'spec.addons.clusterAutoscaler', message: `cluster-autoscaler is off, yet ${elastic.map((g) => `'${g.name}'`).join(', ')} can grow` }] : [];
    },
  },
  {
    id: 'scaling/scheduled-unreachable',
    severity: 'error',
    lessons: ['L18'],
    equivalents: [],
    title: 'Scheduled scaling the group cannot honour',
    why: 'A scheduled action that raises the floor above the group’s maximum is rejected when it fires, on the day the surge comes; one that sets only the desired size is undone by the autoscaler within minutes.',
    fix: 'Raise maxSize in the action (or the group), and set minSize rather than desiredSize so the autoscaler keeps the nodes.',
    check: (m) =>
      m.scaling.scheduled.flatMap((a): RawFinding[] => {
        const g = m.nodeGroups.find((x) => x.name === a.nodeGroup);
        if (!g) return [];
        const max = a.maxSize ?? g.maxSize;
        const out: RawFinding[] = [];
        for (const k of ['minSize', 'desiredSize'] as const) {
          const v = a[k];
          if (v !== undefined && v > max) out.push({ path: `${a.path}.${k}`, message: `'${a.name}' sets ${k} ${v} above the maximum ${max} of '${g.name}'` });
        }
        if (out.length === 0 && m.addons.clusterAutoscaler && a.desiredSize !== undefined && a.minSize === undefined) {
          out.push({ path: `${a.path}.desiredSize`, severity: 'warning', message: `'${a.name}' sets only desiredSize; the cluster autoscaler removes unneeded nodes again before the surge` });
        }
        return out;
      }),
  },
  {
    id: 'scaling/dns-not-autoscaled',
    severity: 'warning',
    lessons: ['L15'],
    equivalents: [],
    title: 'CoreDNS does not scale with a large cluster',
    why: 'DNS is the usual root cause of cluster-wide failures: two CoreDNS replicas cannot answer thousands of pods, and lookups time out everywhere.',
    fix: 'Enable spec.addons.dns.autoscale (the cluster-proportional autoscaler; on by default).',
    check: (m, { capacity }) => {
      if (m.addons.dns && m.addons.dns.autoscale) return [];
      const pods = m.workloads.expectedPods ?? capacity.maxPods;
      const basis = m.workloads.expectedPods !== undefined ? 'expected' : 'possible at max scale';
      return pods > DNS_AUTOSCALE_PODS
        ? [{ path: m.addons.dns ? 'spec.addons.dns.autoscale' : 'spec.addons.dns', message: `${pods} pods ${basis} and CoreDNS is not autoscaled (${capacity.dns.recommendedCorednsReplicas} replicas needed at max scale)` }]
        : [];
    },
  },
];
