// Money the spec leaves on the table (L06, L08): figures from the cost model, so each finding says
// what a change would save or cost, with the assumptions it rests on.
import { groupHourly, HOURS_PER_MONTH } from '../../cost/estimate.js';
import { spotDiscount } from '../../cost/assumptions.js';
import { instancePrice, servicePrice } from '../../cost/prices.js';
import { instanceTypes } from '../../facts/index.js';
import type { ResolvedNodeGroup } from '../../model/types.js';
import type { RawFinding, ClusterRule } from '../types.js';
import { groupPath, usd } from './paths.js';

/** General-purpose families to compare a burstable type with, newest first. */
const GENERAL_PURPOSE = ['m7i', 'm6i', 'm7a', 'm6a', 'm5'];

export const costRules: ClusterRule[] = [
  {
    id: 'cost/load-balancer-per-service',
    severity: 'warning',
    lessons: ['L20'],
    equivalents: [],
    title: 'A load balancer for every Service',
    why: 'Each Service of type LoadBalancer gets a load balancer of its own, billed by the hour whether or not it carries traffic; one ingress layer behind one load balancer serves them all.',
    fix: 'Make the Services ClusterIP and route to them through the ingress layer (spec.addons.ingress), keeping LoadBalancer only for non-HTTP protocols.',
    check: (m, { workloads }) => {
      const lbs = workloads?.loadBalancerServices ?? [];
      if (lbs.length < 2) return [];
      const hour = servicePrice('networkLoadBalancer', m.region, 'perHour');
      const cost = hour ? `: about ${usd(lbs.length * hour.usd * HOURS_PER_MONTH)}/month before traffic, against ${usd(hour.usd * HOURS_PER_MONTH)} for one` : '';
      return [{ path: 'spec.workloads.manifests', message: `${lbs.length} Services of type LoadBalancer (${lbs.slice(0, 3).map((s) => `${s.namespace}/${s.name}`).join(', ')}${lbs.length > 3 ? ', …' : ''})${cost}` }];
    },
  },
  {
    id: 'cost/spot-opportunity',
    severity: 'info',
    lessons: ['L08'],
    equivalents: [],
    title: 'Application nodes all on demand',
    why: 'Stateless application nodes are the natural place for spot: with an on-demand base and diversified types, interruptions are drained and most capacity costs far less.',
    fix: 'Make the group capacity: mixed with spot.onDemandBase ≥ 1 and several instance classes of the same size (and keep the spot handler on).',
    check: (m) =>
      m.nodeGroups
        .filter((g) => g.role === 'app' && g.capacity === 'onDemand')
        .flatMap((g): RawFinding[] => {
          const mixed: ResolvedNodeGroup = { ...g, capacity: 'mixed', spot: { onDemandBase: 1, onDemandPercentageAboveBase: 25, allocationStrategy: 'price-capacity-optimized' } };
          // Monthly saving at a size; small groups keep their base on demand and save nothing.
          const saving = (n: number) => {
            const now = groupHourly(m, g, n);
            const then = groupHourly(m, mixed, n);
            return now === null || then === null ? 0 : (now - then) * HOURS_PER_MONTH;
          };
          const atDesired = saving(g.desiredSize);
          const atMax = saving(g.maxSize);
          if (atMax < 0.01) return [];
          const pct = Math.round(spotDiscount(m.cost, g.instances[0]!.name) * 100);
          return [
            {
              path: groupPath(g, 'capacity'),
              message: `'${g.name}' as mixed capacity (1 on-demand base, 25% above it) would save about ${usd(atDesired)}/month at ${g.desiredSize} nodes and ${usd(atMax)}/month at ${g.maxSize}, with spot ${pct}% below on-demand (spec.cost)`,
            },
          ];
        }),
  },
  {
    id: 'cost/burstable-price',
    severity: 'info',
    lessons: ['L06'],
    equivalents: [],
    title: 'What a general-purpose type would cost instead of a burstable one',
    why: 'Burstable types look cheaper until their credits run out; the price of an m-class type of the same size is the cost of never being throttled.',
    fix: 'Compare the figures, and move steady workloads to the general-purpose type.',
    check: (m) =>
      m.nodeGroups.flatMap((g) =>
        g.instances
          .filter((t) => t.burstable)
          .flatMap((t): RawFinding[] => {
            const same = GENERAL_PURPOSE.map((f) => `${f}.${t.name.split('.')[1]}`).find((n) => {
              const o = instanceTypes()[n];
              return o && o.vcpu === t.vcpu && o.memoryMiB === t.memoryMiB && instancePrice(m.region, n);
            });
            const a = instancePrice(m.region, t.name);
            const b = same ? instancePrice(m.region, same) : undefined;
            if (!same || !a || !b) return [];
            const diff = (b.usd - a.usd) * HOURS_PER_MONTH;
            return [{ path: groupPath(g, 'instanceTypes'), message: `${t.name} ${usd(a.usd)}/h vs ${same} ${usd(b.usd)}/h (same vCPU and memory): ${diff >= 0 ? `${usd(diff)}` : `-${usd(-diff)}`}/month per node for a CPU that is never throttled` }];
          }),
      ),
  },
];
