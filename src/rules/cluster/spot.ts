// Spot without tears: diversification, an on-demand floor, no spot under add-ons (L08, L09).
import { ec2Prices } from '../../facts/index.js';
import type { ClusterRule } from '../types.js';
import { groupPath, usd } from './paths.js';

const MIN_SPOT_POOLS = 6;

export const spotRules: ClusterRule[] = [
  {
    id: 'spot/system-on-spot',
    severity: 'error',
    lessons: ['L09', 'L08'],
    equivalents: [],
    title: 'System node group on spot capacity',
    why: 'When spot reclaims the nodes that run DNS, the autoscaler and ingress, the whole cluster degrades at once, and nothing is left to bring capacity back.',
    fix: 'Run the system group on demand; put spot in app groups.',
    check: (m) =>
      m.nodeGroups.filter((g) => g.role === 'system' && g.capacity !== 'onDemand').map((g) => ({ path: groupPath(g, 'capacity'), message: `system group '${g.name}' uses ${g.capacity} capacity` })),
  },
  {
    id: 'spot/few-pools',
    severity: 'warning',
    lessons: ['L08'],
    equivalents: [],
    title: 'Too few spot pools',
    why: 'Each instance type in each zone is a separate spot pool; with few pools one capacity shortage reclaims most of the group at once.',
    fix: 'Give spot groups at least 6 pools: several classes of the same size (m6i, m6a, m5, m7i…) across three zones.',
    check: (m, { capacity }) =>
      capacity.nodeGroups
        .map((c, i) => [c, m.nodeGroups[i]!] as const)
        .filter(([c]) => c.capacity !== 'onDemand' && c.spotPools < MIN_SPOT_POOLS)
        .map(([c, g]) => ({ path: groupPath(g, 'instanceTypes'), message: `group '${g.name}' draws spot from ${c.spotPools} pool${c.spotPools === 1 ? '' : 's'} (${g.instances.length} type${g.instances.length === 1 ? '' : 's'} × ${g.perAz ? 1 : g.zones.length} zone${g.perAz || g.zones.length === 1 ? '' : 's'}), fewer than ${MIN_SPOT_POOLS}` })),
  },
  {
    id: 'spot/max-price-below-on-demand',
    severity: 'warning',
    lessons: ['L08'],
    equivalents: [],
    title: 'Spot max price below the on-demand price',
    why: 'Spot prices move; a cap below on-demand gets instances reclaimed whenever the market rises, and saves little since you pay the market price anyway.',
    fix: 'Remove spot.maxPrice (the default caps at the on-demand price).',
    check: (m) => {
      const prices = ec2Prices(m.region);
      return m.nodeGroups.flatMap((g) => {
        const max = g.spot?.maxPrice;
        if (max === undefined) return [];
        const known = g.instances.map((t) => ({ t: t.name, p: prices?.prices[t.name]?.usd })).filter((x): x is { t: string; p: number } => x.p !== undefined);
        const below = known.filter((x) => max < x.p);
        if (below.length) return [{ path: groupPath(g, 'spot.maxPrice'), message: `maxPrice ${usd(max)}/h is below on-demand for ${below.map((x) => `${x.t} (${usd(x.p)}/h)`).join(', ')}` }];
        if (known.length < g.instances.length) return [{ path: groupPath(g, 'spot.maxPrice'), severity: 'info' as const, message: `on-demand prices of some types are unknown in ${m.region}; maxPrice ${usd(max)}/h could not be checked for all` }];
        return [];
      });
    },
  },
  {
    id: 'spot/no-on-demand-base',
    severity: 'warning',
    lessons: ['L08'],
    equivalents: [],
    title: 'Applications run on spot alone',
    why: 'Spot capacity can vanish across a region at once; without some on-demand capacity for applications, a shortage means an outage.',
    fix: 'Make an app group mixed with an on-demand base or share (spot.onDemandBase, spot.onDemandPercentageAboveBase), or add an on-demand app group.',
    check: (m) => {
      const apps = m.nodeGroups.filter((g) => g.role !== 'system');
      if (!apps.some((g) => g.capacity !== 'onDemand')) return [];
      const floor = apps.some((g) => g.capacity === 'onDemand' || (g.capacity === 'mixed' && ((g.spot?.onDemandBase ?? 0) > 0 || (g.spot?.onDemandPercentageAboveBase ?? 0) > 0)));
      return floor ? [] : [{ path: 'spec.nodeGroups', message: `no app capacity is on demand: ${apps.map((g) => `'${g.name}' (${g.capacity})`).join(', ')}` }];
    },
  },
];
