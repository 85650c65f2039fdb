// Filling nodes one at a time: first fit decreasing, proportional share, and dot product, and
// packWith(), which chooses the type of each new node by a rule (fixed type, LP seed, value).

import { type Bin, EPS, type Kind, type Rule, type Shapes, type Weights } from './model.js';

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
  closeFill(out, n, k, fc, fm, fp);
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
  closeFill(out, n, k, fc, fm, fp);
}

/** Ends a fill: clears the shape index and records what the node holds (its capacity less what is free). */
function closeFill(out: Fill, n: number, k: Kind, freeCpu: number, freeMem: number, freePods: number): void {
  for (let j = 0; j < n; j++) out.pos[out.shape[j]!] = -1;
  out.n = n;
  out.cpu = k.cpu - freeCpu;
  out.mem = k.mem - freeMem;
  out.pods = k.pods - freePods;
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

export function packWith(sh: Shapes, kinds: Kind[], rule: Rule): Bin[] {
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
