#!/usr/bin/env node
// Benchmark of the right-sizing packer (dist/src/cost/packer.js; run `npm run build` first).
//
// For synthetic node groups of 100, 1,000 and 10,000 pods it measures the wall time of one
// packNodeGroup() call (1 unmeasured warm-up, then BENCH_PACKER_RUNS runs, 5 by default: min and
// median) and the gap between the price found and the proven lower bound, then checks the targets:
// ≤ 1 s for 10,000 pods, and a gap ≤ 5% at every size.
//
// The workloads are generated from a fixed seed, so every run packs the same pods: a mix of web,
// api, worker, cache, batch, jvm and small-agent deployments, with requests scaled ×0.5 to ×2 and
// 1 to 40 replicas each. The instance types are m6i, m6a and m7i in large, xlarge, 2xlarge and
// 4xlarge, with their us-east-1 on-demand prices from data/prices/ec2/us-east-1.json and their
// allocatable after kuberator's default reservations: the EKS AMI's kube-reserved formula,
// system-reserved 100m and 100Mi, and a hard eviction threshold of 500Mi (1Gi from 64 GiB nodes).
// maxPods is each type's ENI limit from data/instance-types.json. (m6i and m7i have the same room
// as m6a at a higher price, so the packer sets them aside and every packing is on m6a.)
//
// Usage: node bench/packer.mjs [--json]. Importable too: runPackerBench() returns the figures.
// Only Node built-ins and the compiled module are used.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SIZES = [100, 1_000, 10_000];
const TARGETS = { maxMs10k: 1000, maxGap: 0.05 };
const SEED = 20261122;
const FAMILIES = ['m6i', 'm6a', 'm7i'];
const SIZES_OF_TYPE = ['large', 'xlarge', '2xlarge', '4xlarge'];
/** DaemonSets on every node: VPC CNI, kube-proxy, EBS CSI node, Fluent Bit, node exporter. */
const DAEMONSET = { cpuMillicores: 25 + 100 + 30 + 100 + 100, memoryMiB: 64 + 64 + 96 + 128 + 128, pods: 5 };

const readJson = (rel) => JSON.parse(readFileSync(path.join(ROOT, rel), 'utf8'));

/** kube-reserved CPU of the EKS AMI: 6% of the first core, 1% of the second, 0.5% of the next two, 0.25% above. */
function kubeReservedCpu(vcpu) {
  const tiers = [[1, 60], [1, 10], [2, 5], [Infinity, 2.5]];
  let left = vcpu;
  let m = 0;
  for (const [cores, per] of tiers) {
    const n = Math.min(left, cores);
    m += n * per;
    left -= n;
  }
  return m;
}

export function instanceTypes() {
  const specs = readJson('data/instance-types.json').types;
  const prices = readJson('data/prices/ec2/us-east-1.json').prices;
  return FAMILIES.flatMap((f) =>
    SIZES_OF_TYPE.map((s) => {
      const name = `${f}.${s}`;
      const t = specs[name];
      if (!t) throw new Error(`bench: ${name} is missing from data/instance-types.json`);
      const eviction = t.memoryMiB >= 65536 ? 1024 : 500;
      return {
        name,
        cpuMillicores: Math.round(t.vcpu * 1000 - kubeReservedCpu(t.vcpu) - 100),
        memoryMiB: t.memoryMiB - (255 + 11 * t.maxPods) - 100 - eviction,
        maxPods: t.maxPods,
        usdPerHour: prices[name]?.usd ?? null,
      };
    }),
  );
}

/** mulberry32: a small seeded PRNG, so the workloads are the same on every run. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CLASSES = [
  { kind: 'web', cpu: 250, mem: 512, weight: 30 },
  { kind: 'api', cpu: 500, mem: 1024, weight: 25 },
  { kind: 'worker', cpu: 1000, mem: 2048, weight: 15 },
  { kind: 'cache', cpu: 200, mem: 4096, weight: 8 },
  { kind: 'batch', cpu: 2000, mem: 4096, weight: 7 },
  { kind: 'jvm', cpu: 1000, mem: 3072, weight: 8 },
  { kind: 'agent', cpu: 100, mem: 128, weight: 7 },
];
const SCALES = [0.5, 1, 1, 1, 1.5, 2];

/** Workloads totalling exactly `total` pods. */
export function workloads(total, seed = SEED) {
  const rand = rng(seed + total);
  const pick = (xs) => xs[Math.floor(rand() * xs.length)];
  const sumW = CLASSES.reduce((s, c) => s + c.weight, 0);
  const pods = [];
  let left = total;
  for (let i = 0; left > 0; i++) {
    let w = rand() * sumW;
    const c = CLASSES.find((x) => (w -= x.weight) < 0) ?? CLASSES[0];
    const scale = pick(SCALES);
    const replicas = Math.min(left, 1 + Math.floor(rand() ** 2 * 40));
    pods.push({ name: `${c.kind}-${i}`, cpuMillicores: Math.round(c.cpu * scale), memoryMiB: Math.round(c.mem * scale), count: replicas });
    left -= replicas;
  }
  return pods;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export async function runPackerBench({ runs = 5 } = {}) {
  const { packNodeGroup } = await import(pathToFileURL(path.join(ROOT, 'dist/src/cost/packer.js')).href);
  const types = instanceTypes();
  const cases = [];
  for (const size of SIZES) {
    const input = { pods: workloads(size), daemonSet: DAEMONSET, instanceTypes: types, zones: 3, minNodesPerZone: 1 };
    const t0 = performance.now();
    const result = packNodeGroup(input);
    const coldMs = performance.now() - t0;
    const times = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      packNodeGroup(input);
      times.push(performance.now() - t);
    }
    const ms = { cold: coldMs, min: Math.min(...times), median: median(times) };
    cases.push({
      pods: size,
      workloads: input.pods.length,
      nodes: result.nodes,
      nodeCount: result.nodeCount,
      usdPerHour: result.usdPerHour,
      lowerBoundUsdPerHour: result.lowerBoundUsdPerHour,
      lpRelaxationUsdPerHour: result.lpRelaxationUsdPerHour,
      gap: result.gap,
      strategy: result.strategy,
      ms,
    });
  }
  const big = cases.find((c) => c.pods === 10_000);
  const targets = [
    { target: `10,000 pods: median ≤ ${TARGETS.maxMs10k} ms`, pass: big.ms.median <= TARGETS.maxMs10k },
    ...cases.map((c) => ({ target: `${c.pods.toLocaleString('en-US')} pods: gap ≤ ${TARGETS.maxGap * 100}%`, pass: c.gap !== null && c.gap <= TARGETS.maxGap })),
  ];
  return { runs, cases, targets };
}

function print({ runs, cases, targets }) {
  console.log(`packer: m6i/m6a/m7i large–4xlarge, us-east-1 prices, 3 zones; time of one call, warm-up + ${runs} runs`);
  console.log('');
  const head = ['pods', 'workloads', 'nodes', 'USD/h', 'bound USD/h', 'gap', 'cold ms', 'min ms', 'median ms', 'winning rule'];
  const rows = cases.map((c) => [
    c.pods.toLocaleString('en-US'),
    String(c.workloads),
    String(c.nodeCount),
    c.usdPerHour.toFixed(4),
    c.lowerBoundUsdPerHour.toFixed(4),
    `${(c.gap * 100).toFixed(2)}%`,
    c.ms.cold.toFixed(1),
    c.ms.min.toFixed(1),
    c.ms.median.toFixed(1),
    c.strategy,
  ]);
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const r of [head, ...rows]) console.log(r.map((x, i) => (i === r.length - 1 ? x : x.padStart(width[i]))).join('  '));
  console.log('');
  for (const c of cases) console.log(`${c.pods.toLocaleString('en-US')} pods: ${c.nodes.map((n) => `${n.count}× ${n.instanceType}`).join(', ')}`);
  console.log('');
  for (const t of targets) console.log(`${t.pass ? 'PASS' : 'MISS'}  ${t.target}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const v = process.env.BENCH_PACKER_RUNS;
  const runs = v === undefined || v === '' ? 5 : Number(v);
  if (!Number.isInteger(runs) || runs < 1) {
    console.error(`bench: BENCH_PACKER_RUNS must be a positive integer, got '${v}'`);
    process.exit(2);
  }
  const figures = await runPackerBench({ runs });
  print(figures);
  if (process.argv.includes('--json')) console.log(JSON.stringify(figures));
}
