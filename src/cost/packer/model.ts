// The packer's internal model: usable instance types (capacity net of the DaemonSet), pod shapes
// grouped in blocks, nodes being filled, and the rules that pick a type and a fill; plus input
// validation and building the shapes from the pods.

import type { PackerInput, PackerPod } from './types.js';

// ---------- internals ----------

export const EPS = 1e-9;

/** A usable instance type, with capacity net of the DaemonSet. */
export interface Kind {
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
export interface Shapes {
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

export interface Bin {
  kind: number;
  cpu: number;
  mem: number;
  pods: number;
  /** Shape index → replicas on this node. */
  items: Map<number, number>;
}

export interface Weights {
  cpu: number;
  mem: number;
  pods: number;
  node: number;
  /** 'sum' values a fill by Σ w·used (plus node); 'max' by its largest weighted resource. */
  mode: 'sum' | 'max';
}

export interface Rule {
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

export function validate(input: PackerInput): void {
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

export const fitsOn = (k: Kind, cpu: number, mem: number) => k.pods >= 1 && cpu <= k.cpu + EPS && mem <= k.mem + EPS;

export function buildShapes(pods: PackerPod[], kinds: Kind[]): Shapes {
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
export function makeShapes(cpu: number[], mem: number[], count: number[], owners: Shapes['owners']): Shapes {
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
