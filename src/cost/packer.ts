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
//
// Lower bound. The LP relaxation: minimise Σ price_t·x_t subject to Σ x_t·cap_t,r ≥ demand_r for
// CPU, memory and pod slots (capacities net of the DaemonSet) and Σ x_t ≥ the node minimum, x_t ≥ 0.
// The reported bound adds rows that every whole number of nodes satisfies, each argued where it is
// built: Chvátal–Gomory roundings of the resource rows, superadditive roundings of the requests,
// and one node per pod too big to share a node with another. Its value comes from a dual feasible
// solution that is checked here, so it is valid whatever the solver's rounding: by weak duality any
// dual feasible point bounds the minimum from below.
//
// Solver: javascript-lp-solver, pinned. It is plain JavaScript with no dependencies, and its Solve
// is synchronous, so packNodeGroup() stays a plain function and bundles into the single-file CLI as
// is. The other candidate, highs (HiGHS compiled to WebAssembly), is a far stronger solver, but it
// loads asynchronously and ships a .wasm file beside its JavaScript; the LPs here have a dozen
// columns and at most about a hundred rows, where its speed buys nothing.
import * as lpSolver from 'javascript-lp-solver';
import type { Model as LpModel, SolveResult } from 'javascript-lp-solver';

// The package's types describe a CommonJS module while Node loads its ES module build, so the two
// disagree on where the solver sits; take it from wherever Solve is.
interface LpApi {
  Solve(model: LpModel): SolveResult;
}
const lpModule = lpSolver as unknown as { default: LpApi | { default: LpApi } };
const solver: LpApi = 'Solve' in lpModule.default ? lpModule.default : lpModule.default.default;

// ---------- public types ----------

export interface PackerPod {
  /** Workload name; its replicas share it. */
  name: string;
  cpuMillicores: number;
  memoryMiB: number;
  /** Replicas. */
  count: number;
}

/** What the DaemonSets request on every node. */
export interface PackerDaemonSet {
  cpuMillicores: number;
  memoryMiB: number;
  pods: number;
}

export interface PackerInstanceType {
  name: string;
  /** Allocatable, after the kubelet's reservations and eviction threshold. */
  cpuMillicores: number;
  memoryMiB: number;
  maxPods: number;
  /** null when unknown: the type is then left out of the cost optimisation. */
  usdPerHour: number | null;
}

export interface PackerInput {
  /** Replicas of the workloads that select this node group. */
  pods: PackerPod[];
  daemonSet: PackerDaemonSet;
  /** The group's allowed instance types; the order breaks ties. */
  instanceTypes: PackerInstanceType[];
  /** Zones the group spans. */
  zones: number;
  /** At least this many nodes in each zone. */
  minNodesPerZone: number;
}

export interface PackerOptions {
  /** Also return what each node holds. */
  assignments?: boolean;
}

export interface PackerNodeCount {
  instanceType: string;
  count: number;
}

export interface PackerAssignment {
  instanceType: string;
  /** Workload name and how many of its replicas this node holds. */
  pods: Array<{ name: string; count: number }>;
  /** Allocatable left after the DaemonSet and these pods. */
  free: { cpuMillicores: number; memoryMiB: number; pods: number };
}

export interface PackerExcludedType {
  instanceType: string;
  /**
   * unpriced: its price is unknown. daemonSetDoesNotFit: the DaemonSets alone exceed its
   * allocatable. dominated: never needed, as type `by` has at least its room for no more money.
   */
  reason: 'unpriced' | 'daemonSetDoesNotFit' | 'dominated';
  by?: string;
}

export interface PackerResult {
  /** false when no allowed type has a price: nodes then come from the first usable type, and every USD figure is null. */
  priced: boolean;
  /** Nodes per instance type, in the order of the input's types; types with no node are left out. */
  nodes: PackerNodeCount[];
  nodeCount: number;
  /** Hourly price of the packing. */
  usdPerHour: number | null;
  /** A proven lower bound on the price of any packing of the placeable pods: the LP relaxation with valid cuts. */
  lowerBoundUsdPerHour: number | null;
  /** The plain LP relaxation (resource rows and the node minimum only), ≤ lowerBoundUsdPerHour. */
  lpRelaxationUsdPerHour: number | null;
  /** (usdPerHour − lowerBound) / lowerBound; 0 when they are equal. */
  gap: number | null;
  /** Workloads whose pods fit on no usable priced type (when unpriced: not on the type counted), in input order. */
  unplaceable: string[];
  /** Replicas left out, summed over the unplaceable workloads. */
  unplaceablePods: number;
  /** Allowed types the packing left out, and why, in the order of the input's types. */
  excludedTypes: PackerExcludedType[];
  /**
   * Allocatable that no pod nor DaemonSet requests, summed over the nodes. It is priced by share:
   * each node's price is split evenly between its allocatable CPU and memory, and the idle share of
   * each is counted.
   */
  waste: { cpuMillicores: number; memoryMiB: number; usdPerHour: number | null };
  /** The rule whose packing won, for diagnostics. */
  strategy: string;
  assignments?: PackerAssignment[];
}

// ---------- internals ----------

const EPS = 1e-9;

/** A usable instance type, with capacity net of the DaemonSet. */
interface Kind {
  name: string;
  /** Index in input.instanceTypes. */
  type: number;
  price: number;
  cpu: number;
  mem: number;
  pods: number;
  allocCpu: number;
  allocMem: number;
}

/**
 * Distinct pod requests, sorted largest first; owners say which workloads the replicas come from.
 * Shapes are grouped in blocks of `block` consecutive ones (about √n), with the smallest CPU and
 * memory request of each block and of all blocks from it on, so a scan skips what cannot fit
 * without visiting it.
 */
interface Shapes {
  n: number;
  cpu: Float64Array;
  mem: Float64Array;
  count: Float64Array;
  block: number;
  blocks: number;
  blockMinCpu: Float64Array;
  blockMinMem: Float64Array;
  /** Most replicas of one shape in each block, at the start. */
  blockMaxCount: Float64Array;
  sufMinCpu: Float64Array;
  sufMinMem: Float64Array;
  owners: Array<Array<{ name: string; count: number }>>;
}

interface Bin {
  kind: number;
  cpu: number;
  mem: number;
  pods: number;
  /** Shape index → replicas on this node. */
  items: Map<number, number>;
}

interface Weights {
  cpu: number;
  mem: number;
  pods: number;
  node: number;
  /** 'sum' values a fill by Σ w·used (plus node); 'max' by its largest weighted resource. */
  mode: 'sum' | 'max';
}

interface Rule {
  name: string;
  /** Types to open first, in this order (the LP's mix). */
  seed: number[];
  /** Use only this type while it can take something. */
  fixed: number | null;
  weights: Weights;
  /** How a node is filled: first fit decreasing, proportional share then FFD, or dot product with the room left. */
  fill: 'ffd' | 'dot' | 'prop';
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new RangeError(`packer: ${what}`);
}
const finiteNonNeg = (x: number) => Number.isFinite(x) && x >= 0;

function validate(input: PackerInput): void {
  check(Array.isArray(input.pods) && Array.isArray(input.instanceTypes), 'pods and instanceTypes must be arrays');
  for (const p of input.pods) {
    check(finiteNonNeg(p.cpuMillicores) && finiteNonNeg(p.memoryMiB), `pod '${p.name}' needs finite, non-negative requests`);
    check(Number.isInteger(p.count) && p.count >= 0, `pod '${p.name}' count must be a non-negative integer`);
  }
  const ds = input.daemonSet;
  check(finiteNonNeg(ds.cpuMillicores) && finiteNonNeg(ds.memoryMiB) && Number.isInteger(ds.pods) && ds.pods >= 0, 'daemonSet needs finite, non-negative requests and a whole pod count');
  const seen = new Set<string>();
  for (const t of input.instanceTypes) {
    check(!seen.has(t.name), `instance type '${t.name}' is listed twice`);
    seen.add(t.name);
    check(finiteNonNeg(t.cpuMillicores) && finiteNonNeg(t.memoryMiB) && Number.isInteger(t.maxPods) && t.maxPods >= 0, `instance type '${t.name}' needs finite, non-negative capacity and a whole maxPods`);
    check(t.usdPerHour === null || finiteNonNeg(t.usdPerHour), `instance type '${t.name}' price must be null or finite and non-negative`);
  }
  check(Number.isInteger(input.zones) && input.zones >= 0, 'zones must be a non-negative integer');
  check(Number.isInteger(input.minNodesPerZone) && input.minNodesPerZone >= 0, 'minNodesPerZone must be a non-negative integer');
}

const fitsOn = (k: Kind, cpu: number, mem: number) => k.pods >= 1 && cpu <= k.cpu + EPS && mem <= k.mem + EPS;

function buildShapes(pods: PackerPod[], kinds: Kind[]): Shapes {
  const byKey = new Map<string, { cpu: number; mem: number; count: number; owners: Array<{ name: string; count: number }> }>();
  for (const p of pods) {
    if (p.count === 0) continue;
    const key = `${p.cpuMillicores}/${p.memoryMiB}`;
    let s = byKey.get(key);
    if (!s) byKey.set(key, (s = { cpu: p.cpuMillicores, mem: p.memoryMiB, count: 0, owners: [] }));
    s.count += p.count;
    const last = s.owners[s.owners.length - 1];
    if (last && last.name === p.name) last.count += p.count;
    else s.owners.push({ name: p.name, count: p.count });
  }
  // Dominant share against the largest capacity of each resource among the types.
  const refCpu = Math.max(EPS, ...kinds.map((k) => k.cpu));
  const refMem = Math.max(EPS, ...kinds.map((k) => k.mem));
  const list = [...byKey.values()].map((s) => ({ ...s, dom: Math.max(s.cpu / refCpu, s.mem / refMem), sum: s.cpu / refCpu + s.mem / refMem }));
  list.sort((a, b) => b.dom - a.dom || b.sum - a.sum || b.cpu - a.cpu || b.mem - a.mem);
  return makeShapes(
    list.map((s) => s.cpu),
    list.map((s) => s.mem),
    list.map((s) => s.count),
    list.map((s) => s.owners),
  );
}

/** Shapes from parallel lists, already in packing order. */
function makeShapes(cpu: number[], mem: number[], count: number[], owners: Shapes['owners']): Shapes {
  const n = cpu.length;
  const block = Math.max(16, Math.ceil(Math.sqrt(n)));
  const blocks = Math.ceil(n / block);
  const sh: Shapes = {
    n,
    cpu: Float64Array.from(cpu),
    mem: Float64Array.from(mem),
    count: Float64Array.from(count),
    block,
    blocks,
    blockMinCpu: new Float64Array(blocks).fill(Infinity),
    blockMinMem: new Float64Array(blocks).fill(Infinity),
    blockMaxCount: new Float64Array(blocks),
    sufMinCpu: new Float64Array(blocks + 1).fill(Infinity),
    sufMinMem: new Float64Array(blocks + 1).fill(Infinity),
    owners,
  };
  for (let i = 0; i < n; i++) {
    const b = Math.floor(i / block);
    sh.blockMinCpu[b] = Math.min(sh.blockMinCpu[b]!, sh.cpu[i]!);
    sh.blockMinMem[b] = Math.min(sh.blockMinMem[b]!, sh.mem[i]!);
    sh.blockMaxCount[b] = Math.max(sh.blockMaxCount[b]!, sh.count[i]!);
  }
  for (let b = blocks - 1; b >= 0; b--) {
    sh.sufMinCpu[b] = Math.min(sh.blockMinCpu[b]!, sh.sufMinCpu[b + 1]!);
    sh.sufMinMem[b] = Math.min(sh.blockMinMem[b]!, sh.sufMinMem[b + 1]!);
  }
  return sh;
}

// ---------- FFD, one node at a time ----------

/** Remaining replicas per shape and per block; blocks before `first` are exhausted. */
class Remaining {
  rem: Float64Array;
  blockLeft: Float64Array;
  first = 0;
  left: number;
  /** CPU and memory the remaining replicas request. */
  cpu = 0;
  mem = 0;
  constructor(sh: Shapes) {
    this.rem = Float64Array.from(sh.count);
    this.blockLeft = new Float64Array(sh.blocks);
    for (let i = 0; i < sh.n; i++) {
      this.blockLeft[Math.floor(i / sh.block)]! += sh.count[i]!;
      this.cpu += sh.cpu[i]! * sh.count[i]!;
      this.mem += sh.mem[i]! * sh.count[i]!;
    }
    this.left = sh.count.reduce((a, b) => a + b, 0);
  }
}

/** Scratch space for one fill: which shapes, how many, and the CPU, memory and pods used. */
class Fill {
  n = 0;
  shape: Int32Array;
  qty: Float64Array;
  /** Shape → its entry in shape/qty, or -1 (kept at -1 between fills). */
  pos: Int32Array;
  cpu = 0;
  mem = 0;
  pods = 0;
  constructor(size: number) {
    this.shape = new Int32Array(size);
    this.qty = new Float64Array(size);
    this.pos = new Int32Array(size).fill(-1);
  }
}

/** What FFD puts into an empty node of kind k from the remaining pods. */
function fillFfd(sh: Shapes, r: Remaining, k: Kind, out: Fill): void {
  let fc = k.cpu;
  let fm = k.mem;
  let fp = k.pods;
  let n = 0;
  while (r.first < sh.blocks && r.blockLeft[r.first] === 0) r.first++;
  for (let b = r.first; b < sh.blocks && fp >= 1; b++) {
    if (fc + EPS < sh.sufMinCpu[b]! || fm + EPS < sh.sufMinMem[b]!) break;
    if (r.blockLeft[b] === 0 || fc + EPS < sh.blockMinCpu[b]! || fm + EPS < sh.blockMinMem[b]!) continue;
    const end = Math.min(sh.n, (b + 1) * sh.block);
    for (let i = b * sh.block; i < end && fp >= 1; i++) {
      const left = r.rem[i]!;
      if (left === 0) continue;
      const c = sh.cpu[i]!;
      const m = sh.mem[i]!;
      let q = left < fp ? left : fp;
      if (c > 0) q = Math.min(q, Math.floor((fc + EPS) / c));
      if (m > 0) q = Math.min(q, Math.floor((fm + EPS) / m));
      if (q > 0) {
        out.shape[n] = i;
        out.qty[n] = q;
        n++;
        fc -= q * c;
        fm -= q * m;
        fp -= q;
      }
    }
  }
  out.n = n;
  out.cpu = k.cpu - fc;
  out.mem = k.mem - fm;
  out.pods = k.pods - fp;
}

/**
 * Fill an empty node of kind k one pod at a time, each time with the shape whose requests line up
 * best with the room left (largest dot product of the two, each resource as a share of the node).
 * Unlike FFD, it mixes CPU-heavy and memory-heavy pods on the same node.
 */
function fillDot(sh: Shapes, r: Remaining, k: Kind, out: Fill): void {
  let fc = k.cpu;
  let fm = k.mem;
  let fp = k.pods;
  let n = 0;
  const ic = k.cpu > 0 ? 1 / k.cpu : 0;
  const im = k.mem > 0 ? 1 / k.mem : 0;
  while (r.first < sh.blocks && r.blockLeft[r.first] === 0) r.first++;
  while (fp >= 1) {
    const wc = fc * ic * ic;
    const wm = fm * im * im;
    let best = -1;
    let bestScore = -1;
    for (let b = r.first; b < sh.blocks; b++) {
      if (fc + EPS < sh.sufMinCpu[b]! || fm + EPS < sh.sufMinMem[b]!) break;
      if (r.blockLeft[b] === 0 || fc + EPS < sh.blockMinCpu[b]! || fm + EPS < sh.blockMinMem[b]!) continue;
      const end = Math.min(sh.n, (b + 1) * sh.block);
      for (let i = b * sh.block; i < end; i++) {
        const at = out.pos[i]!;
        if (r.rem[i]! - (at >= 0 ? out.qty[at]! : 0) <= 0) continue;
        const c = sh.cpu[i]!;
        const m = sh.mem[i]!;
        if (c > fc + EPS || m > fm + EPS) continue;
        const score = c * wc + m * wm;
        if (score > bestScore) {
          best = i;
          bestScore = score;
        }
      }
    }
    if (best === -1) break;
    const at = out.pos[best]!;
    if (at >= 0) out.qty[at]! += 1;
    else {
      out.pos[best] = n;
      out.shape[n] = best;
      out.qty[n] = 1;
      n++;
    }
    fc -= sh.cpu[best]!;
    fm -= sh.mem[best]!;
    fp -= 1;
  }
  for (let j = 0; j < n; j++) out.pos[out.shape[j]!] = -1;
  out.n = n;
  out.cpu = k.cpu - fc;
  out.mem = k.mem - fm;
  out.pods = k.pods - fp;
}

/**
 * Fill an empty node of kind k with its share of what remains: the largest fraction f of every
 * shape's replicas that the node holds in every resource (rounded down), then first fit decreasing
 * in the room left. Each node is then a small copy of the whole mix, so the last nodes are not left
 * with only the pods that pair badly.
 */
function fillProp(sh: Shapes, r: Remaining, k: Kind, out: Fill): void {
  let f = Infinity;
  if (r.cpu > 0) f = Math.min(f, k.cpu / r.cpu);
  if (r.mem > 0) f = Math.min(f, k.mem / r.mem);
  if (r.left > 0) f = Math.min(f, k.pods / r.left);
  let fc = k.cpu;
  let fm = k.mem;
  let fp = k.pods;
  let n = 0;
  while (r.first < sh.blocks && r.blockLeft[r.first] === 0) r.first++;
  for (let pass = 0; pass < 2; pass++) {
    for (let b = r.first; b < sh.blocks && fp >= 1; b++) {
      if (fc + EPS < sh.sufMinCpu[b]! || fm + EPS < sh.sufMinMem[b]!) break;
      if (r.blockLeft[b] === 0 || fc + EPS < sh.blockMinCpu[b]! || fm + EPS < sh.blockMinMem[b]!) continue;
      if (pass === 0 && f * sh.blockMaxCount[b]! < 1) continue; // no shape here has a whole share
      const end = Math.min(sh.n, (b + 1) * sh.block);
      for (let i = b * sh.block; i < end && fp >= 1; i++) {
        const at = out.pos[i]!;
        const left = r.rem[i]! - (at >= 0 ? out.qty[at]! : 0);
        if (left <= 0) continue;
        const c = sh.cpu[i]!;
        const m = sh.mem[i]!;
        let q = pass === 0 ? Math.floor(f * r.rem[i]!) : left;
        q = Math.min(q, left, fp);
        if (c > 0) q = Math.min(q, Math.floor((fc + EPS) / c));
        if (m > 0) q = Math.min(q, Math.floor((fm + EPS) / m));
        if (q <= 0) continue;
        if (at >= 0) out.qty[at]! += q;
        else {
          out.pos[i] = n;
          out.shape[n] = i;
          out.qty[n] = q;
          n++;
        }
        fc -= q * c;
        fm -= q * m;
        fp -= q;
      }
    }
  }
  for (let j = 0; j < n; j++) out.pos[out.shape[j]!] = -1;
  out.n = n;
  out.cpu = k.cpu - fc;
  out.mem = k.mem - fm;
  out.pods = k.pods - fp;
}

function commit(sh: Shapes, r: Remaining, kind: number, f: Fill): Bin {
  const items = new Map<number, number>();
  for (let j = 0; j < f.n; j++) {
    const s = f.shape[j]!;
    const q = f.qty[j]!;
    r.rem[s] = r.rem[s]! - q;
    r.blockLeft[Math.floor(s / sh.block)]! -= q;
    r.left -= q;
    r.cpu -= q * sh.cpu[s]!;
    r.mem -= q * sh.mem[s]!;
    items.set(s, q);
  }
  return { kind, cpu: f.cpu, mem: f.mem, pods: f.pods, items };
}

function valueOf(w: Weights, f: Fill): number {
  if (w.mode === 'max') return Math.max(w.cpu * f.cpu, w.mem * f.mem, w.pods * f.pods);
  return w.cpu * f.cpu + w.mem * f.mem + w.pods * f.pods + w.node;
}

function packWith(sh: Shapes, kinds: Kind[], rule: Rule): Bin[] {
  const r = new Remaining(sh);
  const f = new Fill(sh.n);
  const bins: Bin[] = [];
  const fill = rule.fill === 'dot' ? fillDot : rule.fill === 'prop' ? fillProp : fillFfd;
  let seedAt = 0;
  let fixed = rule.fixed;
  while (r.left > 0) {
    if (seedAt < rule.seed.length) {
      const k = rule.seed[seedAt++]!;
      fill(sh, r, kinds[k]!, f);
      if (f.n > 0) bins.push(commit(sh, r, k, f));
      continue;
    }
    if (fixed !== null) {
      fill(sh, r, kinds[fixed]!, f);
      if (f.n > 0) bins.push(commit(sh, r, fixed, f));
      else fixed = null; // what is left does not fit this type: the rest goes by value
      continue;
    }
    let best = -1;
    let bestScore = -Infinity;
    let bestValue = -Infinity;
    for (let k = 0; k < kinds.length; k++) {
      fill(sh, r, kinds[k]!, f);
      if (f.n === 0) continue;
      const value = valueOf(rule.weights, f);
      const price = kinds[k]!.price;
      const score = price > 0 ? value / price : Infinity;
      const better = score > bestScore * (1 + 1e-12) + 1e-300 || (Math.abs(score - bestScore) <= Math.abs(bestScore) * 1e-12 && value > bestValue * (1 + 1e-12));
      if (best === -1 || better) {
        best = k;
        bestScore = score;
        bestValue = value;
      }
    }
    if (best === -1) throw new Error('packer: a placeable pod fits no type (internal error)');
    fill(sh, r, kinds[best]!, f);
    bins.push(commit(sh, r, best, f));
  }
  return bins;
}

// ---------- local search ----------

const priceOf = (kinds: Kind[], bins: Bin[]) => bins.reduce((s, b) => s + kinds[b.kind]!.price, 0);

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
const RULE_BUDGET = 60_000_000;

/** Packings, cheapest first, that go through the local search. */
const POLISHED = 4;

/** Most (shape, type) columns for the LP that splits the pods among types. */
const SPLIT_MAX_COLUMNS = 2_000;

/** Largest group of nodes repacked together. */
const LNS_MAX_NODES = 64;

/** Nodes the local search tries to empty or shrink in each pass, least used first. */
const LOCAL_SEARCH_NODES = 64;

function improve(sh: Shapes, kinds: Kind[], byPrice: number[], input: Bin[], minNodes: number): Bin[] {
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
function pad(bins: Bin[], cheapest: number, minNodes: number): Bin[] {
  const out = bins.slice();
  while (out.length < minNodes) out.push({ kind: cheapest, cpu: 0, mem: 0, pods: 0, items: new Map() });
  return out;
}

// ---------- the portfolio, and repacking the worst nodes ----------

interface Context {
  kinds: Kind[];
  byPrice: number[];
  /** Padding type. */
  cheapest: number;
}

/** Every rule's packing, padded; local search on the cheapest few; the cheapest wins (ties: fewer nodes, then rule order). */
function solveWith(ctx: Context, sh: Shapes, rules: Rule[], minNodes: number): { bins: Bin[]; rule: Rule } {
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
function repackWorst(ctx: Context, sh: Shapes, rules: Rule[], start: Bin[], minNodes: number): { bins: Bin[]; improved: boolean } {
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
function splitByLp(ctx: Context, sh: Shapes, rules: Rule[], minNodes: number): Bin[] | null {
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
  const lp = solver.Solve({ optimize: 'cost', opType: 'min', constraints, variables });
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

// ---------- LP bound ----------

interface Row {
  coef: number[];
  rhs: number;
}

interface LpResult {
  /** Certified lower bound. */
  bound: number;
  /** Primal x per kind (the solver's, not certified). */
  x: number[];
  /** Duals of the rows, in order (certified feasible, possibly scaled down). */
  y: number[];
}

/** Solve min Σ price·x, rows·x ≥ rhs, x ≥ 0, with a bound certified by a checked dual solution. */
function solveLp(kinds: Kind[], rows: Row[]): LpResult {
  const live = rows.filter((r) => r.rhs > 0).map((r) => ({ coef: r.coef.map((c) => c / r.rhs), rhs: 1 }));
  if (live.length === 0) return { bound: 0, x: kinds.map(() => 0), y: rows.map(() => 0) };
  // Dual: max Σ y_i subject to Σ_i y_i·a_i,t ≤ price_t, y ≥ 0.
  const dual = solver.Solve({
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
  const primal = solver.Solve({
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

function demandOf(sh: Shapes): Demand {
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
function boundRows(sh: Shapes, kinds: Kind[], d: Demand, minNodes: number, cuts: boolean): Row[] {
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

// ---------- result ----------

function assemble(input: PackerInput, kinds: Kind[], sh: Shapes, bins: Bin[], withAssignments: boolean) {
  const ordered = bins.slice().sort((a, b) => kinds[a.kind]!.type - kinds[b.kind]!.type);
  const counts = new Map<number, number>();
  for (const b of ordered) counts.set(b.kind, (counts.get(b.kind) ?? 0) + 1);
  const nodes = [...counts.entries()].map(([k, count]) => ({ instanceType: kinds[k]!.name, count }));
  let wasteCpu = 0;
  let wasteMem = 0;
  let wasteUsd = 0;
  const ds = input.daemonSet;
  for (const b of ordered) {
    const k = kinds[b.kind]!;
    const idleCpu = Math.max(0, k.allocCpu - ds.cpuMillicores - b.cpu);
    const idleMem = Math.max(0, k.allocMem - ds.memoryMiB - b.mem);
    wasteCpu += idleCpu;
    wasteMem += idleMem;
    wasteUsd += (k.price / 2) * ((k.allocCpu > 0 ? idleCpu / k.allocCpu : 0) + (k.allocMem > 0 ? idleMem / k.allocMem : 0));
  }
  let assignments: PackerAssignment[] | undefined;
  if (withAssignments) {
    // Hand out each shape's replicas to its workloads in input order, node by node.
    const cursor = sh.owners.map(() => ({ at: 0, used: 0 }));
    assignments = ordered.map((b) => {
      const pods = new Map<string, number>();
      for (const [s, q0] of [...b.items.entries()].sort((x, y) => x[0] - y[0])) {
        let q = q0;
        const cur = cursor[s]!;
        while (q > 0) {
          const o = sh.owners[s]![cur.at]!;
          const take = Math.min(q, o.count - cur.used);
          pods.set(o.name, (pods.get(o.name) ?? 0) + take);
          q -= take;
          cur.used += take;
          if (cur.used === o.count) {
            cur.at++;
            cur.used = 0;
          }
        }
      }
      const k = kinds[b.kind]!;
      return {
        instanceType: k.name,
        pods: [...pods.entries()].map(([name, count]) => ({ name, count })),
        free: { cpuMillicores: k.cpu - b.cpu, memoryMiB: k.mem - b.mem, pods: k.pods - b.pods },
      };
    });
  }
  return { nodes, nodeCount: ordered.length, waste: { cpuMillicores: wasteCpu, memoryMiB: wasteMem, usd: wasteUsd }, assignments };
}

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
