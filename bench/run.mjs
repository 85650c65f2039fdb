#!/usr/bin/env node
// Benchmark of `kuberator plan`, run with `npm run bench` (which builds first).
//
// Measures whole-process wall time and peak RSS of:
//   1. plan of examples/production.yaml (the figure the targets are about),
//   2. plan of a generated spec with 100 node groups over 6 zones (how it scales),
//   3. `node -e 0` (what Node start-up alone costs on this machine),
//   4. the peer tool (EKS Blueprints, js-mode synth) through its own run.sh, when present.
// Then checks the targets and, with --json, prints every figure as one JSON object.
//
// Env: BENCH_RUNS (measured runs per case, default 10), BENCH_PEER_RUNS (default 5),
//      BENCH_PEER=0 to skip the peer. Only Node built-ins and the project's `yaml` are used.
import { spawnSync } from 'node:child_process';
import { cpSync, chmodSync, existsSync, mkdtempSync, openSync, closeSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// The package's bin: the single-file bundle users run through npx.
const CLI = path.join(ROOT, JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).bin.kuberator);
const PEER_DIR = path.resolve(ROOT, '../shared/peers/eks-blueprints');
const GNU_TIME = '/usr/bin/time';
const DATE = '2026-11-22';
const wantJson = process.argv.includes('--json');

const intEnv = (name, dflt) => {
  const v = process.env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (Number.isInteger(n) && n >= 1) return n;
  console.error(`bench: ${name} must be a positive integer, got '${v}'`);
  process.exit(2);
};
const RUNS = intEnv('BENCH_RUNS', 10);
const PEER_RUNS = intEnv('BENCH_PEER_RUNS', 5);
const TARGETS = { planMedianS: 0.25, planPeakRssMiB: 120, peerSpeedup: 5, renderMedianS: 0.5, renderPeerSpeedup: 2.5 };

// Scratch space for the generated spec, the /usr/bin/time output and the peer copy; removed at exit.
const TMP = mkdtempSync(path.join(os.tmpdir(), 'kuberator-bench-'));
process.on('exit', () => rmSync(TMP, { recursive: true, force: true }));

/** Write a file so that readers never see it half written: temp name in the same dir, then rename. */
function writeAtomic(file, text) {
  const part = `${file}.${process.pid}.part`;
  writeFileSync(part, text);
  renameSync(part, file);
}

// ---------- statistics and formatting ----------
const sorted = (xs) => [...xs].sort((a, b) => a - b);
function median(xs) {
  const s = sorted(xs), m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
const round = (x, digits) => Number(x.toFixed(digits));
const stats = (xs) => ({ min: round(Math.min(...xs), 4), median: round(median(xs), 4), max: round(Math.max(...xs), 4) });
const f3 = (x) => x.toFixed(3);
const f1 = (x) => (x === null || x === undefined ? 'n/a' : x.toFixed(1));
const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');

// ---------- one timed process ----------
const haveGnuTime = existsSync(GNU_TIME);
const rssFile = path.join(TMP, 'rss.txt');

/**
 * Run argv once with stdout discarded. Wall time is taken around the spawn in this process;
 * peak RSS (KiB) comes from GNU time, written to a file so it cannot mix with the child's stderr.
 */
function timedRun(argv, okCodes) {
  const full = haveGnuTime ? [GNU_TIME, '-f', '%M', '-o', rssFile, ...argv] : argv;
  const t0 = process.hrtime.bigint();
  const r = spawnSync(full[0], full.slice(1), { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 << 20 });
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.error || !okCodes.includes(r.status)) {
    throw new Error(`'${argv.join(' ')}' failed (exit ${r.status ?? r.signal ?? r.error?.message}):\n${String(r.stderr).slice(-2000)}`);
  }
  // GNU time may print a "Command exited with non-zero status" line first; the figure is the last line.
  const rssMiB = haveGnuTime ? Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop()) / 1024 : null;
  return { wallS, rssMiB };
}

/** One unmeasured warm-up, then `runs` measured runs; returns wall and RSS statistics. */
function bench(label, argv, { runs = RUNS, okCodes = [0] } = {}) {
  timedRun(argv, okCodes);
  const samples = [];
  for (let i = 0; i < runs; i++) samples.push(timedRun(argv, okCodes));
  const rss = haveGnuTime ? samples.map((s) => s.rssMiB) : null;
  return {
    label,
    command: argv.map((a) => (a.startsWith(TMP) ? `$TMP${a.slice(TMP.length)}` : a.startsWith(ROOT) ? path.relative(ROOT, a) : a)).join(' '),
    runs,
    wallS: stats(samples.map((s) => s.wallS)),
    peakRssMiB: rss ? { median: round(median(rss), 1), max: round(Math.max(...rss), 1) } : null,
  };
}

function printRow(r) {
  const rss = r.peakRssMiB ? `${f1(r.peakRssMiB.median)} / ${f1(r.peakRssMiB.max)}` : 'n/a';
  const wall = `${f3(r.wallS.min)} / ${f3(r.wallS.median)} / ${f3(r.wallS.max)}`;
  console.log(`| ${r.label.padEnd(44)} | ${String(r.runs).padStart(4)} | ${wall.padEnd(23)} | ${rss.padEnd(13)} |`);
}

// ---------- the generated large spec ----------
// Shared with the render tests (the 100-group limits check), compiled by `npm run build`.
const { largeSpec } = await import(path.join(ROOT, 'dist/test/helpers/large-spec.js'));

// ---------- the peer ----------
/** Copy the peer to a fresh dir, run its run.sh in js mode, and parse its js-mode summary line. */
function runPeer() {
  if (process.env.BENCH_PEER === '0') return { skipped: 'BENCH_PEER=0' };
  if (!existsSync(path.join(PEER_DIR, 'run.sh'))) return { skipped: `${path.relative(ROOT, PEER_DIR)} not found` };
  const dir = path.join(TMP, 'peer');
  cpSync(PEER_DIR, dir, { recursive: true });
  spawnSync('chmod', ['-R', 'u+w', dir]); // the shared copy is read-only; run.sh writes beside itself
  chmodSync(path.join(dir, 'run.sh'), 0o755);
  console.error(`peer: running its run.sh in js mode, ${PEER_RUNS} runs (npm ci first, about a minute)...`);
  // stdout and stderr share one log file, so the tail is in the order it was written
  const log = path.join(TMP, 'peer.log');
  const fd = openSync(log, 'w');
  const env = { ...process.env, MODES: 'js', IMPORT: '0', RUNS: String(PEER_RUNS) };
  const r = spawnSync('bash', ['run.sh'], { cwd: dir, env, stdio: ['ignore', fd, fd], timeout: 20 * 60 * 1000 });
  closeSync(fd);
  const out = readFileSync(log, 'utf8');
  // run.sh prints: "synth: node build/app.js (pre-transpiled)   min / median / max   RSS med / max   CPU x"
  const m = /^synth: node build\/app\.js\b.*?\s(\d+\.\d+) \/ (\d+\.\d+) \/ (\d+\.\d+)\s+RSS (\d+) \/ (\d+)/m.exec(out);
  if (r.status !== 0 || !m) {
    const why = r.error ? r.error.message : r.status !== 0 ? `exit ${r.status ?? r.signal}` : 'no js-mode summary line in its output';
    return { failed: why, tail: out.trimEnd().split('\n').slice(-20) };
  }
  const context = out.split('\n').filter((l) => /^(machine|node v|network during|load average)/.test(l));
  return {
    runs: PEER_RUNS,
    wallS: { min: +m[1], median: +m[2], max: +m[3] },
    peakRssMiB: { median: +m[4], max: +m[5] },
    context,
  };
}

// ---------- main ----------
const loadBefore = load();
console.log(`kuberator plan and render benchmark: ${RUNS} measured runs per case after 1 warm-up`);
console.log(`machine: ${os.cpus().length} x ${os.cpus()[0]?.model.trim()}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);
console.log(`load average before: ${loadBefore} (1/5/15 min; wall times are comparable only when it is low)`);
if (!haveGnuTime) console.log(`note: ${GNU_TIME} (GNU time) not found, so peak RSS is reported as n/a`);

const specPath = path.join(TMP, 'large-100-groups.yaml');
writeAtomic(specPath, YAML.stringify(largeSpec()));
const node = process.execPath;
let results;
try {
  results = [
    // exit 1 only means findings at or above --fail-on error; the plan is still complete
    bench('plan examples/production.yaml', [node, CLI, 'plan', path.join(ROOT, 'examples/production.yaml'), '--output', 'json', '--date', DATE], { okCodes: [0, 1] }),
    bench('plan generated (100 groups, 6 zones)', [node, CLI, 'plan', specPath, '--output', 'json', '--date', DATE, '--fail-on', 'none']),
    // render writes every template each run, replacing its own previous output atomically
    bench('render examples/production.yaml', [node, CLI, 'render', path.join(ROOT, 'examples/production.yaml'), '--out', path.join(TMP, 'render-prod'), '--date', DATE]),
    bench('render generated (100 groups, 6 zones)', [node, CLI, 'render', specPath, '--out', path.join(TMP, 'render-large'), '--date', DATE, '--force']),
    bench('cost examples/production.yaml', [node, CLI, 'cost', path.join(ROOT, 'examples/production.yaml'), '--output', 'json', '--date', DATE]),
    bench('node -e 0 (Node start-up alone)', [node, '-e', '0']),
  ];
} catch (e) {
  // kuberator's own figures are the point of the bench: without them, stop with the reason
  console.error(`bench: ${e.message}`);
  process.exit(1);
}
const [plan, , render] = results;

console.log('\nwall time in seconds, peak RSS in MiB (per process, from GNU time)');
console.log(`| ${'case'.padEnd(44)} | runs | wall min / median / max | RSS med / max |`);
console.log(`|${'-'.repeat(46)}|------|${'-'.repeat(25)}|${'-'.repeat(15)}|`);
for (const r of results) printRow(r);

let peer;
try {
  peer = runPeer();
} catch (e) {
  peer = { failed: e.message, tail: [] };
}
let ratio = null;
let renderRatio = null;
if (peer.skipped) console.log(`\npeer (EKS Blueprints): skipped, ${peer.skipped}`);
else if (peer.failed) {
  console.log(`\npeer (EKS Blueprints): run failed (${peer.failed}); its last 20 lines of output:`);
  for (const l of peer.tail) console.log(`  | ${l}`);
} else {
  ratio = peer.wallS.median / plan.wallS.median;
  renderRatio = peer.wallS.median / render.wallS.median;
  console.log(`\npeer (EKS Blueprints, offline synth of its app, pre-transpiled js; from its run.sh):`);
  for (const l of peer.context) console.log(`  ${l}`);
  printRow({ ...peer, label: 'peer synth: node build/app.js' });
  console.log(`ratio peer js median / kuberator plan median: ${ratio.toFixed(1)}x`);
  console.log(`ratio peer js median / kuberator render median: ${renderRatio.toFixed(1)}x`);
}

// Each target: PASS, MISS, or n/a with the reason when the figure could not be taken.
const verdict = (ok) => (ok ? 'PASS' : 'MISS');
const targets = [
  { name: `plan median <= ${TARGETS.planMedianS} s`, value: `${f3(plan.wallS.median)} s`, result: verdict(plan.wallS.median <= TARGETS.planMedianS) },
  plan.peakRssMiB
    ? { name: `plan peak RSS (max of runs) <= ${TARGETS.planPeakRssMiB} MiB`, value: `${f1(plan.peakRssMiB.max)} MiB`, result: verdict(plan.peakRssMiB.max <= TARGETS.planPeakRssMiB) }
    : { name: `plan peak RSS <= ${TARGETS.planPeakRssMiB} MiB`, value: 'n/a (no GNU time)', result: 'n/a' },
  ratio !== null
    ? { name: `>= ${TARGETS.peerSpeedup}x faster than the peer's js synth`, value: `${ratio.toFixed(1)}x`, result: verdict(ratio >= TARGETS.peerSpeedup) }
    : { name: `>= ${TARGETS.peerSpeedup}x faster than the peer's js synth`, value: `n/a (peer ${peer.skipped ? 'skipped' : 'failed'})`, result: 'n/a' },
  { name: `render median <= ${TARGETS.renderMedianS} s`, value: `${f3(render.wallS.median)} s`, result: verdict(render.wallS.median <= TARGETS.renderMedianS) },
  renderRatio !== null
    ? { name: `render >= ${TARGETS.renderPeerSpeedup}x faster than the peer's js synth`, value: `${renderRatio.toFixed(1)}x`, result: verdict(renderRatio >= TARGETS.renderPeerSpeedup) }
    : { name: `render >= ${TARGETS.renderPeerSpeedup}x faster than the peer's js synth`, value: `n/a (peer ${peer.skipped ? 'skipped' : 'failed'})`, result: 'n/a' },
];
console.log('\ntargets (examples/production.yaml):');
for (const t of targets) console.log(`  ${t.result.padEnd(4)}  ${t.name.padEnd(48)} ${t.value}`);

// The right-sizing packer on synthetic workloads of 100, 1,000 and 10,000 pods (bench/packer.mjs).
console.log('');
const packer = spawnSync(node, [path.join(ROOT, 'bench/packer.mjs')], { cwd: ROOT, encoding: 'utf8', timeout: 600_000 });
process.stdout.write(packer.stdout);
if (packer.status !== 0) console.log(`packer bench failed (exit ${packer.status}): ${String(packer.stderr).slice(-500)}`);

// The manifest audit on a generated corpus of 10,000 objects, and 100,000 for memory (bench/audit.mjs).
console.log('');
const auditBench = spawnSync(node, [path.join(ROOT, 'bench/audit.mjs')], { cwd: ROOT, encoding: 'utf8', timeout: 900_000 });
process.stdout.write(auditBench.stdout);
if (auditBench.status !== 0) console.log(`audit bench failed (exit ${auditBench.status}): ${String(auditBench.stderr).slice(-500)}`);

// The daemons against real servers (kube-apiserver, ZooKeeper), one section each (bench/daemons.mjs).
console.log('');
const daemonsBench = spawnSync(node, [path.join(ROOT, 'bench/daemons.mjs')], { cwd: ROOT, encoding: 'utf8', timeout: 900_000 });
process.stdout.write(daemonsBench.stdout);
if (daemonsBench.status !== 0) console.log(`daemons bench failed (exit ${daemonsBench.status}): ${String(daemonsBench.stderr).slice(-500)}`);

const loadAfter = load();
console.log(`\nload average after: ${loadAfter}`);

if (wantJson) {
  const summary = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model.trim(),
    loadBefore,
    loadAfter,
    runs: RUNS,
    rssSource: haveGnuTime ? 'GNU time %M' : null,
    cases: results,
    peer: peer.skipped || peer.failed ? { skipped: peer.skipped, failed: peer.failed } : { runs: peer.runs, wallS: peer.wallS, peakRssMiB: peer.peakRssMiB },
    peerOverPlanMedian: ratio,
    peerOverRenderMedian: renderRatio,
    targets,
  };
  console.log(JSON.stringify(summary));
}
