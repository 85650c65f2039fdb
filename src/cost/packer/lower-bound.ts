// The lower bound: the LP relaxation over node counts, the cuts every whole packing satisfies,
// and the solver call whose value is certified by a checked dual solution.

// Lower bound. The LP relaxation: minimise Σ price_t·x_t subject to Σ x_t·cap_t,r ≥ demand_r for
// CPU, memory and pod slots (capacities net of the DaemonSet) and Σ x_t ≥ the node minimum, x_t ≥ 0.
// The reported bound adds rows that every whole number of nodes satisfies, each argued where it is
// built: Chvátal–Gomory roundings of the resource rows, superadditive roundings of the requests,
// and one node per pod too big to share a node with another. Its value comes from a dual feasible
// solution that is checked here, so it is valid whatever the solver's rounding: by weak duality any
// dual feasible point bounds the minimum from below.

// Solver: javascript-lp-solver, pinned. It is plain JavaScript with no dependencies, and its Solve
// is synchronous, so packNodeGroup() stays a plain function and bundles into the single-file CLI as
// is. The other candidate, highs (HiGHS compiled to WebAssembly), is a far stronger solver, but it
// loads asynchronously and ships a .wasm file beside its JavaScript; the LPs here have a dozen
// columns and at most about a hundred rows, where its speed buys nothing.
import { createRequire } from 'node:module';
import type { Model as LpModel, SolveResult } from 'javascript-lp-solver';
import { EPS, type Kind, type Shapes } from './model.js';

// The package's CommonJS and ES builds (and its types) disagree on where Solve sits; take it from
// wherever it is.
interface LpApi {
  Solve(model: LpModel): SolveResult;
}
let loaded: LpApi | undefined;
/**
 * The solver, loaded on first use: importing it costs tens of milliseconds, which every other
 * command would pay if the CLI bundle evaluated it at start-up (a runtime require esbuild leaves out).
 */
export function solver(): LpApi {
  if (!loaded) {
    const mod = createRequire(import.meta.url)('javascript-lp-solver') as LpApi | { default: LpApi };
    loaded = 'Solve' in mod ? mod : mod.default;
  }
  return loaded;
}

// ---------- LP bound ----------

interface Row {
  coef: number[];
  rhs: number;
}

export interface LpResult {
  /** Certified lower bound. */
  bound: number;
  /** Primal x per kind (the solver's, not certified). */
  x: number[];
  /** Duals of the rows, in order (certified feasible, possibly scaled down). */
  y: number[];
}

/** Solve min Σ price·x, rows·x ≥ rhs, x ≥ 0, with a bound certified by a checked dual solution. */
export function solveLp(kinds: Kind[], rows: Row[]): LpResult {
  const live = rows.filter((r) => r.rhs > 0).map((r) => ({ coef: r.coef.map((c) => c / r.rhs), rhs: 1 }));
  if (live.length === 0) return { bound: 0, x: kinds.map(() => 0), y: rows.map(() => 0) };
  // Dual: max Σ y_i subject to Σ_i y_i·a_i,t ≤ price_t, y ≥ 0.
  const dual = solver().Solve({
    optimize: 'obj',
    opType: 'max',
    constraints: Object.fromEntries(kinds.map((k, t) => [`t${t}`, { max: k.price }])),
    variables: Object.fromEntries(live.map((r, i) => [`y${i}`, { obj: 1, ...Object.fromEntries(r.coef.map((c, t) => [`t${t}`, c])) }])),
  });
  let y = live.map((_, i) => (dual.feasible === true && typeof dual[`y${i}`] === 'number' ? Math.max(0, dual[`y${i}`] as number) : 0));
  // Check the dual solution and scale it into feasibility if the solver's rounding pushed it out.
  let scale = 1;
  kinds.forEach((k, t) => {
    const s = live.reduce((a, r, i) => a + r.coef[t]! * y[i]!, 0);
    if (s > k.price) scale = Math.min(scale, s > 0 ? k.price / s : 0);
  });
  y = y.map((v) => v * scale * (1 - 1e-12));
  let bound = y.reduce((a, b) => a + b, 0);
  // A one-row dual is always feasible: the best of them is a floor should the solver fail.
  for (const r of live) {
    const worst = Math.min(...kinds.map((k, t) => (r.coef[t]! > 0 ? k.price / r.coef[t]! : Infinity)));
    if (Number.isFinite(worst) && worst > bound) bound = worst;
  }
  const primal = solver().Solve({
    optimize: 'cost',
    opType: 'min',
    constraints: Object.fromEntries(live.map((_, i) => [`r${i}`, { min: 1 }])),
    variables: Object.fromEntries(kinds.map((k, t) => [`x${t}`, { cost: k.price, ...Object.fromEntries(live.map((r, i) => [`r${i}`, r.coef[t]!])) }])),
  });
  const x = kinds.map((_, t) => (primal.feasible === true && typeof primal[`x${t}`] === 'number' ? (primal[`x${t}`] as number) : 0));
  // Map the duals back to the caller's rows (the dropped ones get 0).
  const yAll: number[] = [];
  let j = 0;
  for (const r of rows) yAll.push(r.rhs > 0 ? y[j++]! / r.rhs : 0);
  return { bound, x, y: yAll };
}

interface Demand {
  cpu: number;
  mem: number;
  pods: number;
}

export function demandOf(sh: Shapes): Demand {
  let cpu = 0;
  let mem = 0;
  let pods = 0;
  for (let i = 0; i < sh.n; i++) {
    cpu += sh.cpu[i]! * sh.count[i]!;
    mem += sh.mem[i]! * sh.count[i]!;
    pods += sh.count[i]!;
  }
  return { cpu, mem, pods };
}

const RESOURCES = ['cpu', 'mem', 'pods'] as const;

/** Largest whole q with q·d ≤ a, checked so that float division cannot round it up. */
function floorDiv(a: number, d: number): number {
  let q = Math.floor(a / d);
  while (q > 0 && q * d > a) q--;
  while ((q + 1) * d <= a) q++;
  return q;
}

/** Distinct requests per resource used as λ in the superadditive cuts, largest first. */
const SIZE_CUTS = 40;

/** Rows every packing satisfies: resource rows, the node minimum, and (with cuts) their integer roundings. */
export function boundRows(sh: Shapes, kinds: Kind[], d: Demand, minNodes: number, cuts: boolean): Row[] {
  const rows: Row[] = RESOURCES.map((r) => ({ coef: kinds.map((k) => k[r]), rhs: d[r] }));
  let nodes = minNodes;
  if (cuts) {
    for (const r of RESOURCES) {
      // Chvátal–Gomory: Σ a_t·x_t ≥ b with x whole gives Σ ⌈a_t/λ⌉·x_t ≥ ⌈b/λ⌉ for any λ > 0. Rounding the
      // coefficients up and the right-hand side down (by a hair) only weakens it.
      for (const lambda of new Set(kinds.map((k) => k[r]).filter((a) => a > 0))) {
        rows.push({ coef: kinds.map((k) => Math.ceil(k[r] / lambda)), rhs: Math.ceil(d[r] / lambda - 1e-9) });
      }
      // Superadditive rounding: f(v) = ⌊v/λ⌋ has f(a) + f(b) ≤ f(a + b), so a node of room C holds
      // pods with Σ f(request) ≤ f(C), and Σ x_t·f(C_t) ≥ Σ f(request) over all pods. With λ one of
      // the larger requests, this counts how many big pods each type holds, which the plain
      // resource row cannot see (7 pods of 1950m on 15490m, not 7.9).
      if (r !== 'pods') {
        const size = r === 'cpu' ? sh.cpu : sh.mem;
        const lambdas = [...new Set(size)].filter((v) => v > 0).sort((a, b) => b - a).slice(0, SIZE_CUTS);
        for (const lambda of lambdas) {
          let rhs = 0;
          for (let i = 0; i < sh.n; i++) rhs += floorDiv(size[i]!, lambda) * sh.count[i]!;
          // The room side rounds up by a hair, which only weakens the row.
          rows.push({ coef: kinds.map((k) => floorDiv(k[r] * (1 + 1e-12), lambda)), rhs });
        }
      }
      // Two pods that each need more than half the largest node's room of one resource never share a node.
      const half = Math.max(...kinds.map((k) => k[r])) / 2;
      let big = 0;
      for (let i = 0; i < sh.n; i++) if ((r === 'cpu' ? sh.cpu[i]! : r === 'mem' ? sh.mem[i]! : 1) > half + EPS) big += sh.count[i]!;
      nodes = Math.max(nodes, big);
    }
  }
  rows.push({ coef: kinds.map(() => 1), rhs: nodes });
  return rows;
}
