// Improving a packing: padding to the node minimum, the local search, running the portfolio of
// rules, the LP that splits the pods among types, and repacking the most wasteful nodes.

import { type Bin, EPS, type Kind, type Rule, type Shapes, fitsOn, makeShapes } from './model.js';
import { packWith } from './fill.js';
import { solver } from './lower-bound.js';

// ---------- local search ----------

export const priceOf = (kinds: Kind[], bins: Bin[]) => bins.reduce((s, b) => s + kinds[b.kind]!.price, 0);

/** How many replicas of shape s (up to want) fit in the room left in bin b. */
function room(sh: Shapes, kinds: Kind[], b: Bin, s: number, want: number): number {
  const k = kinds[b.kind]!;
  let q = Math.min(want, k.pods - b.pods);
  const c = sh.cpu[s]!;
  const m = sh.mem[s]!;
  if (c > 0) q = Math.min(q, Math.floor((k.cpu - b.cpu + EPS) / c));
  if (m > 0) q = Math.min(q, Math.floor((k.mem - b.mem + EPS) / m));
  return q > 0 ? q : 0;
}

function place(sh: Shapes, b: Bin, s: number, q: number): void {
  b.cpu += q * sh.cpu[s]!;
  b.mem += q * sh.mem[s]!;
  b.pods += q;
  b.items.set(s, (b.items.get(s) ?? 0) + q);
}

function unplace(sh: Shapes, b: Bin, s: number, q: number): void {
  b.cpu -= q * sh.cpu[s]!;
  b.mem -= q * sh.mem[s]!;
  b.pods -= q;
  const left = (b.items.get(s) ?? 0) - q;
  if (left > 0) b.items.set(s, left);
  else b.items.delete(s);
}

/**
 * Put the given replicas into the other live bins among targets, first fit, largest shapes first.
 * On success the bins are changed and true is returned; otherwise nothing changes.
 */
function spill(sh: Shapes, kinds: Kind[], bins: Bin[], targets: number[], skip: number, items: Array<[number, number]>, dead: Uint8Array): boolean {
  const moves: Array<[Bin, number, number]> = [];
  for (const [s, want] of items) {
    let left = want;
    for (let t = 0; t < targets.length && left > 0; t++) {
      const j = targets[t]!;
      if (j === skip || dead[j]) continue;
      const b = bins[j]!;
      const q = room(sh, kinds, b, s, left);
      if (q > 0) {
        place(sh, b, s, q);
        moves.push([b, s, q]);
        left -= q;
      }
    }
    if (left > 0) {
      for (const [b, s2, q] of moves) unplace(sh, b, s2, q);
      return false;
    }
  }
  return true;
}

function utilisation(kinds: Kind[], b: Bin): number {
  const k = kinds[b.kind]!;
  return Math.max(k.cpu > 0 ? b.cpu / k.cpu : 0, k.mem > 0 ? b.mem / k.mem : 0, k.pods > 0 ? b.pods / k.pods : 0);
}

/** Estimated shape visits the packing rules may spend in all. */
export const RULE_BUDGET = 60_000_000;

/** Packings, cheapest first, that go through the local search. */
const POLISHED = 4;

/** Most (shape, type) columns for the LP that splits the pods among types. */
export const SPLIT_MAX_COLUMNS = 2_000;

/** Largest group of nodes repacked together. */
const LNS_MAX_NODES = 64;

/** Nodes the local search tries to empty or shrink in each pass, least used first. */
const LOCAL_SEARCH_NODES = 64;

export function improve(sh: Shapes, kinds: Kind[], byPrice: number[], input: Bin[], minNodes: number): Bin[] {
  let bins = input.map((b) => ({ ...b, items: new Map(b.items) }));
  for (let pass = 0; pass < 4; pass++) {
    let changed = false;
    const dead = new Uint8Array(bins.length);
    let live = bins.length;
    let freeCpu = 0;
    let freeMem = 0;
    let freePods = 0;
    for (const b of bins) {
      const k = kinds[b.kind]!;
      freeCpu += k.cpu - b.cpu;
      freeMem += k.mem - b.mem;
      freePods += k.pods - b.pods;
    }
    // Only the least used nodes are worth moving; only nodes with room can take their pods. Room
    // only shrinks during a pass, so the targets are listed once.
    const order = bins.map((_, i) => i).sort((a, b) => utilisation(kinds, bins[a]!) - utilisation(kinds, bins[b]!) || a - b);
    const minCpu = sh.sufMinCpu[0]!;
    const minMem = sh.sufMinMem[0]!;
    const targets = bins.flatMap((b, i) => {
      const k = kinds[b.kind]!;
      return k.pods - b.pods >= 1 && k.cpu - b.cpu + EPS >= minCpu && k.mem - b.mem + EPS >= minMem ? [i] : [];
    });
    for (const i of order.slice(0, LOCAL_SEARCH_NODES)) {
      const b = bins[i]!;
      const k = kinds[b.kind]!;
      const ownFree = [k.cpu - b.cpu, k.mem - b.mem, k.pods - b.pods] as const;
      const items = [...b.items.entries()].sort((x, y) => x[0] - y[0]);
      // 1. Empty this node into the others' room.
      if (live > minNodes && b.cpu <= freeCpu - ownFree[0] + EPS && b.mem <= freeMem - ownFree[1] + EPS && b.pods <= freePods - ownFree[2]) {
        if (spill(sh, kinds, bins, targets, i, items, dead)) {
          dead[i] = 1;
          live--;
          freeCpu -= k.cpu;
          freeMem -= k.mem;
          freePods -= k.pods;
          changed = true;
          continue;
        }
      }
      // 2. A cheaper type for this node; what it cannot keep goes to the others.
      for (const kk of byPrice) {
        const t = kinds[kk]!;
        if (t.price >= k.price - EPS) break;
        const keep: Array<[number, number]> = [];
        const out: Array<[number, number]> = [];
        let c = 0;
        let m = 0;
        let p = 0;
        for (const [s, q0] of items) {
          let q = Math.min(q0, t.pods - p);
          if (sh.cpu[s]! > 0) q = Math.min(q, Math.floor((t.cpu - c + EPS) / sh.cpu[s]!));
          if (sh.mem[s]! > 0) q = Math.min(q, Math.floor((t.mem - m + EPS) / sh.mem[s]!));
          q = Math.max(0, q);
          if (q > 0) {
            keep.push([s, q]);
            c += q * sh.cpu[s]!;
            m += q * sh.mem[s]!;
            p += q;
          }
          if (q < q0) out.push([s, q0 - q]);
        }
        const outCpu = b.cpu - c;
        const outMem = b.mem - m;
        const outPods = b.pods - p;
        if (outCpu > freeCpu - ownFree[0] + EPS || outMem > freeMem - ownFree[1] + EPS || outPods > freePods - ownFree[2]) continue;
        if (out.length > 0 && !spill(sh, kinds, bins, targets, i, out, dead)) continue;
        freeCpu += t.cpu - c - ownFree[0] - outCpu;
        freeMem += t.mem - m - ownFree[1] - outMem;
        freePods += t.pods - p - ownFree[2] - outPods;
        b.kind = kk;
        b.cpu = c;
        b.mem = m;
        b.pods = p;
        b.items = new Map(keep);
        changed = true;
        break;
      }
    }
    bins = bins.filter((_, i) => !dead[i]);
    if (!changed) break;
  }
  return bins;
}

/** Add nodes of the cheapest type up to the minimum count. */
export function pad(bins: Bin[], cheapest: number, minNodes: number): Bin[] {
  const out = bins.slice();
  while (out.length < minNodes) out.push({ kind: cheapest, cpu: 0, mem: 0, pods: 0, items: new Map() });
  return out;
}

// ---------- the portfolio, and repacking the worst nodes ----------

export interface Context {
  kinds: Kind[];
  byPrice: number[];
  /** Padding type. */
  cheapest: number;
}

/** Every rule's packing, padded; local search on the cheapest few; the cheapest wins (ties: fewer nodes, then rule order). */
export function solveWith(ctx: Context, sh: Shapes, rules: Rule[], minNodes: number): { bins: Bin[]; rule: Rule } {
  const { kinds } = ctx;
  const packed = rules.map((rule, order) => {
    const bins = pad(packWith(sh, kinds, rule), ctx.cheapest, minNodes);
    return { rule, order, bins, usd: priceOf(kinds, bins) };
  });
  packed.sort((a, b) => a.usd - b.usd || a.bins.length - b.bins.length || a.order - b.order);
  const polished = packed.slice(0, POLISHED).map((p) => {
    const bins = improve(sh, kinds, ctx.byPrice, p.bins, minNodes);
    return { ...p, bins, usd: priceOf(kinds, bins) };
  });
  polished.sort((a, b) => a.usd - b.usd || a.bins.length - b.bins.length || a.order - b.order);
  return polished[0]!;
}

/** Idle share of a node's CPU and memory. */
function idle(kinds: Kind[], b: Bin): [number, number] {
  const k = kinds[b.kind]!;
  return [k.cpu > 0 ? (k.cpu - b.cpu) / k.cpu : 0, k.mem > 0 ? (k.mem - b.mem) / k.mem : 0];
}

/**
 * Large-neighbourhood search: take the nodes that waste the most (by idle share times price, or
 * half with the most idle CPU and half with the most idle memory, whose pods complement each
 * other), pool their pods, and pack them again with every rule; keep the result when it is
 * cheaper. Neighbourhoods grow from 4 to LNS_MAX_NODES nodes, and the schedule repeats while it
 * finds savings.
 */
export function repackWorst(ctx: Context, sh: Shapes, rules: Rule[], start: Bin[], minNodes: number): { bins: Bin[]; improved: boolean } {
  const { kinds } = ctx;
  let bins = start;
  let improved = false;
  // The rules that pick types by value, and single-type rules for the types already in use.
  const used = new Set(start.map((b) => b.kind));
  const subRules = rules.filter((r) => r.seed.length === 0 && (r.fixed === null || used.has(r.fixed)));
  for (let round = 0; round < 2; round++) {
    let gained = false;
    for (let size = 4; size <= LNS_MAX_NODES; size *= 2) {
      const all = size >= bins.length; // both modes would pick every node: once is enough
      for (const mode of all ? (['waste'] as const) : (['waste', 'complement'] as const)) {
        if (bins.length < 2) return { bins, improved };
        const k = Math.min(size, bins.length);
        const ids = bins.map((_, i) => i);
        let pick: number[];
        if (mode === 'waste') {
          const w = bins.map((b) => {
            const [c, m] = idle(kinds, b);
            return (c + m) * kinds[b.kind]!.price;
          });
          pick = ids.sort((a, b) => w[b]! - w[a]! || a - b).slice(0, k);
        } else {
          const byCpu = ids.slice().sort((a, b) => idle(kinds, bins[b]!)[0] - idle(kinds, bins[a]!)[0] || a - b);
          const byMem = ids.slice().sort((a, b) => idle(kinds, bins[b]!)[1] - idle(kinds, bins[a]!)[1] || a - b);
          const set = new Set<number>();
          for (let j = 0; set.size < k && j < bins.length; j++) {
            set.add(byCpu[j]!);
            if (set.size < k) set.add(byMem[j]!);
          }
          pick = [...set].sort((a, b) => a - b);
        }
        const counts = new Float64Array(sh.n);
        for (const i of pick) for (const [s, q] of bins[i]!.items) counts[s]! += q;
        const map: number[] = [];
        for (let i = 0; i < sh.n; i++) if (counts[i]! > 0) map.push(i);
        const sub = makeShapes(
          map.map((i) => sh.cpu[i]!),
          map.map((i) => sh.mem[i]!),
          map.map((i) => counts[i]!),
          map.map(() => []),
        );
        const before = pick.reduce((sum, i) => sum + kinds[bins[i]!.kind]!.price, 0);
        const got = solveWith(ctx, sub, subRules, Math.max(0, minNodes - (bins.length - pick.length))).bins;
        if (priceOf(kinds, got) < before - 1e-9) {
          const chosen = new Set(pick);
          const moved = got.map((b) => ({ ...b, items: new Map([...b.items].map(([s, q]) => [map[s]!, q] as [number, number])) }));
          bins = [...bins.filter((_, i) => !chosen.has(i)), ...moved];
          gained = improved = true;
        }
      }
      if (all) break;
    }
    if (!gained) break;
  }
  return { bins, improved };
}

/**
 * Split the pods among the types the way an LP with one column per (shape, type) pair does, then
 * pack each part on its own and put the nodes together. The aggregate LP knows that CPU-heavy
 * types should take CPU-heavy pods, but not which pods; this one says which, so a mix of families
 * (c, m and r types in one group) gets complementary pods on each. Null when the LP fails.
 */
export function splitByLp(ctx: Context, sh: Shapes, rules: Rule[], minNodes: number): Bin[] | null {
  const { kinds } = ctx;
  const constraints: Record<string, { min?: number; max?: number }> = { n: { min: minNodes } };
  const variables: Record<string, Record<string, number>> = {};
  kinds.forEach((k, t) => {
    constraints[`c${t}`] = { max: 0 };
    constraints[`m${t}`] = { max: 0 };
    constraints[`p${t}`] = { max: 0 };
    variables[`x${t}`] = { cost: k.price, n: 1, [`c${t}`]: -1, [`m${t}`]: -1, [`p${t}`]: -1 };
  });
  for (let i = 0; i < sh.n; i++) {
    constraints[`s${i}`] = { min: 1 };
    const c = sh.cpu[i]!;
    const m = sh.mem[i]!;
    const q = sh.count[i]!;
    kinds.forEach((k, t) => {
      if (!fitsOn(k, c, m)) return;
      variables[`z${i}_${t}`] = { [`s${i}`]: 1, [`c${t}`]: k.cpu > 0 ? (q * c) / k.cpu : 0, [`m${t}`]: k.mem > 0 ? (q * m) / k.mem : 0, [`p${t}`]: q / k.pods };
    });
  }
  const lp = solver().Solve({ optimize: 'cost', opType: 'min', constraints, variables });
  if (lp.feasible !== true) return null;
  // Whole replicas per type: the floors, then the rest by largest fraction (ties: type order).
  const parts = kinds.map(() => new Float64Array(sh.n));
  for (let i = 0; i < sh.n; i++) {
    const q = sh.count[i]!;
    const share = kinds.map((k, t) => {
      const v = lp[`z${i}_${t}`];
      return typeof v === 'number' && v > 0 && fitsOn(k, sh.cpu[i]!, sh.mem[i]!) ? v * q : 0;
    });
    if (share.every((v) => v === 0)) return null;
    let left = q;
    share.forEach((v, t) => {
      const whole = Math.min(left, Math.floor(v + 1e-7));
      parts[t]![i] = whole;
      left -= whole;
    });
    const byFraction = share
      .map((v, t) => [v - Math.floor(v + 1e-7), t] as const)
      .filter(([, t]) => share[t]! > 0)
      .sort((a, b) => b[0] - a[0] || a[1] - b[1]);
    for (let j = 0; left > 0; j = (j + 1) % byFraction.length) {
      parts[byFraction[j]![1]]![i]! += 1;
      left--;
    }
  }
  const subRules = rules.filter((r) => r.seed.length === 0);
  const bins: Bin[] = [];
  for (const counts of parts) {
    const map: number[] = [];
    for (let i = 0; i < sh.n; i++) if (counts[i]! > 0) map.push(i);
    if (map.length === 0) continue;
    const sub = makeShapes(
      map.map((i) => sh.cpu[i]!),
      map.map((i) => sh.mem[i]!),
      map.map((i) => counts[i]!),
      map.map(() => []),
    );
    for (const b of solveWith(ctx, sub, subRules, 0).bins) bins.push({ ...b, items: new Map([...b.items].map(([s, q]) => [map[s]!, q] as [number, number])) });
  }
  return improve(sh, kinds, ctx.byPrice, pad(bins, ctx.cheapest, minNodes), minNodes);
}
