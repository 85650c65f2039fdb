// The cost estimate as text (a table with sources), JSON, and a comparison of two estimates.
import type { CostEstimate, CostItem } from '../cost/estimate.js';
import type { RightSizing } from '../cost/rightsize.js';
import { formatNumber, signedUsd, usd } from '../util/format.js';
import { table } from './style.js';

const money = (n: number | null) => (n === null ? 'unknown' : usd(n));

export function costText(e: CostEstimate): string {
  const rows = [['item', 'quantity', 'unit price', 'monthly', 'source']];
  for (const i of e.items) rows.push([i.item, `${formatNumber(i.quantity, i.quantity % 1 ? 2 : 0)} ${i.unit}`, money(i.unitPriceUsd), money(i.monthlyUsd), i.source]);
  const nodes = e.items.filter((i) => i.range);
  const range = nodes.length
    ? `\nNodes at minimum size: ${money(sum(nodes.map((i) => i.range!.minUsd)))}/month; at maximum size: ${money(sum(nodes.map((i) => i.range!.maxUsd)))}/month.`
    : '';
  return [
    `Estimated monthly cost of the cluster in ${e.region} (730 hours, prices as of their sources, planned ${e.date})`,
    table(rows),
    '',
    `Total: ${usd(e.monthlyUsd)}/month${e.partial ? ' (partial: some prices are unknown in this region and are not counted)' : ''}.${range}`,
    `Assumptions (spec.cost): NAT ${e.assumptions.natGbPerMonth} GB, ${e.assumptions.loadBalancerLcus} LCUs, endpoints ${e.assumptions.interfaceEndpointGbPerMonth} GB, logs ${e.assumptions.controlPlaneLogGbPerMonth}+${e.assumptions.containerLogGbPerMonth} GB, inter-zone ${e.assumptions.interAzGbPerMonth} GB, egress ${e.assumptions.internetEgressGbPerMonth} GB, spot ${e.assumptions.spotDiscountPercent}% below on-demand.`,
    '',
  ].join('\n');
}

function sum(values: Array<number | null>): number | null {
  return values.some((v) => v === null) ? null : Math.round(values.reduce<number>((s, v) => s + v!, 0) * 100) / 100;
}

export function rightSizingText(groups: RightSizing[]): string {
  const rows = [['group', 'pods', 'now (on demand)', 'recommended', 'LP bound', 'gap', 'idle CPU / memory / cost']];
  for (const g of groups) {
    rows.push([
      g.group,
      String(g.pods),
      `${g.desiredNodes} nodes, ${money(g.desiredMonthlyUsd)}`,
      `${g.recommended.map((n) => `${n.count} × ${n.instanceType}`).join(' + ') || '0'}, ${money(g.recommendedMonthlyUsd)}`,
      money(g.lowerBoundMonthlyUsd),
      g.gap === null ? 'n/a' : `${(g.gap * 100).toFixed(1)}%`,
      `${(g.waste.cpuMillicores / 1000).toFixed(1)} CPU / ${(g.waste.memoryMiB / 1024).toFixed(1)} GiB / ${money(g.waste.monthlyUsd)}`,
    ]);
  }
  const unplaceable = groups.flatMap((g) => g.unplaceable.map((w) => `${w} (${g.group})`));
  return [
    'Right-sizing from workload requests (per month, on-demand prices; one node per zone kept):',
    table(rows),
    ...(unplaceable.length ? ['', `Fits on no allowed instance type: ${unplaceable.join(', ')}`] : []),
    '',
  ].join('\n');
}

export function costJson(e: CostEstimate): Record<string, unknown> {
  return {
    currency: e.currency,
    region: e.region,
    date: e.date,
    monthlyUsd: e.monthlyUsd,
    partial: e.partial,
    items: e.items.map((i: CostItem) => ({ item: i.item, category: i.category, quantity: i.quantity, unit: i.unit, unitPriceUsd: i.unitPriceUsd, monthlyUsd: i.monthlyUsd, source: i.source, ...(i.range ? { range: i.range } : {}) })),
    assumptions: e.assumptions,
  };
}

/** Item by item, matched by category and position within it; what only one side has shows as added or removed. */
export function costCompare(a: CostEstimate, b: CostEstimate, names: [string, string]): string {
  const rows = [['item', names[0], names[1], 'difference']];
  const cats = [...new Set([...a.items, ...b.items].map((i) => i.category))];
  for (const c of cats) {
    const left = a.items.filter((i) => i.category === c);
    const right = b.items.filter((i) => i.category === c);
    for (let k = 0; k < Math.max(left.length, right.length); k++) {
      const l = left[k];
      const r = right[k];
      const diff = l?.monthlyUsd != null && r?.monthlyUsd != null ? r.monthlyUsd - l.monthlyUsd : null;
      rows.push([(r ?? l)!.item, l ? money(l.monthlyUsd) : '-', r ? money(r.monthlyUsd) : '-', diff === null ? (l && r ? 'unknown' : l ? 'removed' : 'added') : signedUsd(diff)]);
    }
  }
  const total = b.monthlyUsd - a.monthlyUsd;
  return [table(rows), '', `Total: ${usd(a.monthlyUsd)} → ${usd(b.monthlyUsd)} (${signedUsd(total)}/month)${a.partial || b.partial ? '; partial, unknown prices not counted' : ''}.`, ''].join('\n');
}
