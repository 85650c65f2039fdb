// Entry point of the right-sizing packer: packNodeGroup() and the public types. The work is split
// over the modules beside this one; this file drops unusable types, runs the rules and assembles
// the answer.
//
// Right-sizing packer: for one node group, how many nodes of each allowed instance type to run so
// that every pod fits, at the lowest hourly price. Pure: plain numbers in, plain numbers out.
//
// The answer is a heuristic packing and a proven lower bound, so the caller can say how far from
// the optimum it may be.
//
// Packing. Pods with the same CPU and memory request form one shape; shapes are sorted by dominant
// share, largest first. Types that another type beats on room and price are dropped. Nodes are
// then filled one at a time, the type of each new node chosen by a rule:
// - one type alone, while it can take something;
// - for each new node, the type whose fill buys the most demand per dollar, demand valued by the
//   LP's dual prices, by share of the total demand, or by dominant share;
// - the LP's own mix of types first (rounded down, or to nearest), then by value.
// A node is filled three ways. First fit decreasing: scan the sorted shapes and take as many of each
// as fit (filling node after node like this is exactly what FFD does). Proportional: first the
// node's share of every remaining shape, then FFD in the room left, so each node is a small copy of
// the whole mix. Dot product: pod by pod, the shape that lines up best with the room left. Rules
// run most promising first within a work budget, so large inputs stay fast. Every packing is padded
// to the node minimum with the cheapest type; the cheapest few go through a local search (empty a
// node into the others' room; move a node to a cheaper type and spill what no longer fits). With
// several types, an LP with one column per (shape, type) also splits the pods among the types, and
// each part is packed on its own. Last, the nodes that waste the most are pooled and packed again
// by every rule, kept when cheaper. Ties go to fewer nodes, then to the earlier rule: the output is
// deterministic.

import type { PackerExcludedType, PackerInput, PackerOptions, PackerResult } from './types.js';
import { type Bin, EPS, type Kind, type Rule, type Weights, buildShapes, fitsOn, validate } from './model.js';
import { packWith } from './fill.js';
import { type Context, RULE_BUDGET, SPLIT_MAX_COLUMNS, pad, priceOf, repackWorst, solveWith, splitByLp } from './improve.js';
import { type LpResult, boundRows, demandOf, solveLp } from './lower-bound.js';
import { assemble } from './result.js';

export * from './types.js';

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

/**
 * Choose how many nodes of each allowed instance type one node group needs for its pods, at the
 * lowest hourly price found, with a lower bound on the best possible price.
 */
export function packNodeGroup(input: PackerInput, options: PackerOptions = {}): PackerResult {
  validate(input);
  const ds = input.daemonSet;
  const excludedTypes: PackerExcludedType[] = [];
  const usable: Kind[] = [];
  input.instanceTypes.forEach((t, type) => {
    const k: Kind = {
      name: t.name,
      type,
      price: t.usdPerHour ?? 0,
      cpu: t.cpuMillicores - ds.cpuMillicores,
      mem: t.memoryMiB - ds.memoryMiB,
      pods: t.maxPods - ds.pods,
      allocCpu: t.cpuMillicores,
      allocMem: t.memoryMiB,
    };
    if (k.cpu < 0 || k.mem < 0 || k.pods < 0) excludedTypes.push({ instanceType: t.name, reason: 'daemonSetDoesNotFit' });
    else if (t.usdPerHour === null) excludedTypes.push({ instanceType: t.name, reason: 'unpriced' });
    else usable.push(k);
  });
  // With no priced type, count nodes on the first usable one and price nothing.
  const priced = usable.length > 0;
  // A type with no more room than another in any resource and no lower price is never needed: any
  // node of it can become one of the other at no extra cost. Dropping it shrinks every search.
  const dominates = (a: Kind, b: Kind) =>
    a.cpu >= b.cpu && a.mem >= b.mem && a.pods >= b.pods && a.price <= b.price && (a.cpu > b.cpu || a.mem > b.mem || a.pods > b.pods || a.price < b.price || a.type < b.type);
  let kinds = usable.filter((b) => {
    const by = usable.find((a) => a !== b && dominates(a, b));
    if (by) excludedTypes.push({ instanceType: b.name, reason: 'dominated', by: by.name });
    return !by;
  });
  const position = new Map(input.instanceTypes.map((t, i) => [t.name, i]));
  excludedTypes.sort((a, b) => position.get(a.instanceType)! - position.get(b.instanceType)!);
  if (!priced) {
    const first = input.instanceTypes.findIndex((t) => t.cpuMillicores >= ds.cpuMillicores && t.memoryMiB >= ds.memoryMiB && t.maxPods >= ds.pods);
    const t = input.instanceTypes[first];
    kinds = t ? [{ name: t.name, type: first, price: 0, cpu: t.cpuMillicores - ds.cpuMillicores, mem: t.memoryMiB - ds.memoryMiB, pods: t.maxPods - ds.pods, allocCpu: t.cpuMillicores, allocMem: t.memoryMiB }] : [];
  }
  const minNodes = kinds.length > 0 ? input.zones * input.minNodesPerZone : 0;

  const unplaceable: string[] = [];
  let unplaceablePods = 0;
  const placeable = input.pods.filter((p) => {
    if (p.count === 0 || kinds.some((k) => fitsOn(k, p.cpuMillicores, p.memoryMiB))) return true;
    if (!unplaceable.includes(p.name)) unplaceable.push(p.name);
    unplaceablePods += p.count;
    return false;
  });
  const sh = buildShapes(placeable, kinds);
  const byPrice = kinds.map((_, i) => i).sort((a, b) => kinds[a]!.price - kinds[b]!.price || a - b);
  // Padding nodes: the cheapest type, the roomiest among equals.
  const roomOf = (k: Kind) => k.cpu / Math.max(EPS, ...kinds.map((x) => x.cpu)) + k.mem / Math.max(EPS, ...kinds.map((x) => x.mem));
  const cheapest = byPrice.slice().sort((a, b) => kinds[a]!.price - kinds[b]!.price || roomOf(kinds[b]!) - roomOf(kinds[a]!) || a - b)[0];

  const empty = (strategy: string): PackerResult => ({
    priced,
    nodes: [],
    nodeCount: 0,
    usdPerHour: priced ? 0 : null,
    lowerBoundUsdPerHour: priced ? 0 : null,
    lpRelaxationUsdPerHour: priced ? 0 : null,
    gap: priced ? 0 : null,
    unplaceable,
    unplaceablePods,
    excludedTypes,
    waste: { cpuMillicores: 0, memoryMiB: 0, usdPerHour: priced ? 0 : null },
    strategy,
    ...(options.assignments ? { assignments: [] } : {}),
  });
  if (kinds.length === 0 || cheapest === undefined) return empty('none');

  let best: Bin[];
  let strategy: string;
  let lp: LpResult | null = null;
  let cut: LpResult | null = null;
  if (!priced) {
    best = pad(packWith(sh, kinds, { name: 'ffd', seed: [], fixed: 0, weights: { cpu: 0, mem: 0, pods: 1, node: 0, mode: 'sum' }, fill: 'ffd' }), 0, minNodes);
    strategy = `ffd/type:${kinds[0]!.name}`;
  } else {
    const d = demandOf(sh);
    lp = solveLp(kinds, boundRows(sh, kinds, d, minNodes, false));
    cut = solveLp(kinds, boundRows(sh, kinds, d, minNodes, true));
    const inv = (x: number) => (x > 0 ? 1 / x : 0);
    const [yc, ym, yp, yn] = lp.y;
    const dualW: Weights = { cpu: yc ?? 0, mem: ym ?? 0, pods: yp ?? 0, node: yn ?? 0, mode: 'sum' };
    const shareW: Weights = { cpu: inv(d.cpu), mem: inv(d.mem), pods: 0, node: 0, mode: 'sum' };
    const domW: Weights = { cpu: inv(d.cpu), mem: inv(d.mem), pods: inv(d.pods), node: 0, mode: 'max' };
    const valued = dualW.cpu + dualW.mem + dualW.pods > 0 ? dualW : shareW;
    // The LP's mix, largest types first, rounded down and to nearest.
    const bySize = kinds.map((_, i) => i).sort((a, b) => kinds[b]!.cpu - kinds[a]!.cpu || kinds[b]!.mem - kinds[a]!.mem || a - b);
    const seedOf = (round: (x: number) => number) => bySize.flatMap((k) => Array<number>(Math.max(0, round(cut!.x[k]! - 1e-7))).fill(k));
    const base: Array<Omit<Rule, 'fill'>> = [
      { name: 'value:dual', seed: [], fixed: null, weights: valued },
      { name: 'value:share', seed: [], fixed: null, weights: shareW },
      { name: 'value:dominant', seed: [], fixed: null, weights: domW },
      { name: 'lp:floor', seed: seedOf(Math.floor), fixed: null, weights: valued },
      { name: 'lp:round', seed: seedOf((x) => Math.round(x + 1e-7)), fixed: null, weights: valued },
      ...kinds.map((k, i) => ({ name: `type:${k.name}`, seed: [], fixed: i, weights: valued })),
    ];
    // Rules run most promising first while their estimated work fits the budget (the first two
    // always run): a first-fit or proportional fill visits about every shape once per node, the dot
    // product once per pod; rules that pick types by value fill once per type and node. The
    // estimate depends on the input only, so the choice is deterministic.
    const estNodes = Math.max(1, Math.ceil(cut.x.reduce((sum, x) => sum + x, 0)));
    const lpOrder = bySize.slice().sort((a, b) => cut!.x[b]! - cut!.x[a]! || a - b);
    const T = (k: number) => 5 + k;
    const [bestType, ...otherTypes] = lpOrder.map(T);
    const order: Array<[Rule['fill'], number]> = [
      ['ffd', 0],
      ['ffd', bestType!],
      ['ffd', 3],
      ['ffd', 4],
      ['prop', bestType!],
      ['dot', 3],
      ['dot', 4],
      ['dot', bestType!],
      ['prop', 3],
      ['prop', 4],
      ['dot', 0],
      ['prop', 0],
      ...otherTypes.flatMap((t): Array<[Rule['fill'], number]> => [
        ['ffd', t],
        ['prop', t],
        ['dot', t],
      ]),
      ...[1, 2].flatMap((i): Array<[Rule['fill'], number]> => [
        ['ffd', i],
        ['dot', i],
        ['prop', i],
      ]),
    ];
    const rules: Rule[] = [];
    let work = 0;
    for (const [fill, i] of order) {
      const r = base[i]!;
      work += (fill === 'dot' ? d.pods : estNodes) * sh.n * (r.fixed === null ? kinds.length : 1);
      if (rules.length >= 2 && work > RULE_BUDGET) break;
      rules.push({ ...r, name: `${fill}/${r.name}`, fill });
    }
    const ctx: Context = { kinds, byPrice, cheapest };
    let start = solveWith(ctx, sh, rules, minNodes);
    if (kinds.length > 1 && sh.n * kinds.length <= SPLIT_MAX_COLUMNS) {
      const split = splitByLp(ctx, sh, rules, minNodes);
      if (split && priceOf(kinds, split) < priceOf(kinds, start.bins) - 1e-9) start = { bins: split, rule: { ...start.rule, name: 'lp:split' } };
    }
    const repacked = repackWorst(ctx, sh, rules, start.bins, minNodes);
    best = repacked.bins;
    strategy = start.rule.name + (repacked.improved ? '+repack' : '');
  }

  const a = assemble(input, kinds, sh, best, options.assignments === true);
  const usd = priced ? round6(priceOf(kinds, best)) : null;
  // Round the bound down so a rounded price never falls below it.
  const floor6 = (x: number) => Math.floor(x * 1e6 + 1e-6) / 1e6;
  const lower = cut && lp ? floor6(Math.max(cut.bound, lp.bound)) : null;
  const lpPlain = lp ? floor6(lp.bound) : null;
  let gap: number | null = null;
  if (usd !== null && lower !== null) gap = usd - lower <= 1e-9 ? 0 : lower > 0 ? (usd - lower) / lower : Infinity;
  return {
    priced,
    nodes: a.nodes,
    nodeCount: a.nodeCount,
    usdPerHour: usd,
    lowerBoundUsdPerHour: lower,
    lpRelaxationUsdPerHour: lpPlain,
    gap,
    unplaceable,
    unplaceablePods,
    excludedTypes,
    waste: { cpuMillicores: round6(a.waste.cpuMillicores), memoryMiB: round6(a.waste.memoryMiB), usdPerHour: priced ? round6(a.waste.usd) : null },
    strategy,
    ...(a.assignments ? { assignments: a.assignments } : {}),
  };
}
