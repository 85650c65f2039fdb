#!/usr/bin/env node
// Benchmark of the manifest audit (dist/src/audit; run `npm run build` first).
//
// A generated corpus of Deployments, Services, PDBs and HPAs (a quarter each, in 20 namespaces,
// with a realistic share of mistakes so that findings are located and reported) is audited
// in-process: 1 unmeasured warm-up, then BENCH_AUDIT_RUNS runs (9 by default), min and median.
// In the same run the same text is only parsed (js-yaml loadAll, the parser the audit uses),
// which gives the audit/parse ratio. A child process then audits 100,000 objects and reports
// its peak RSS.
// Targets: ≥ 20,000 objects/s and audit ≤ 2× parse at 10,000 objects; 100,000 objects within 1 GiB.
//
// Usage: node bench/audit.mjs [--json]; node bench/audit.mjs --rss N (internal: one audit of N objects).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.BENCH_AUDIT_RUNS ?? 9);
const TARGETS = { objectsPerSecond: 20_000, maxRatio: 2, maxRssMiB: 1024 };
const { auditManifests } = await import(pathToFileURL(path.join(ROOT, 'dist/src/audit/index.js')).href);
const yaml = createRequire(path.join(ROOT, 'package.json'))('js-yaml');

/** `n` objects as one multi-document stream, deterministic. */
export function corpus(n) {
  const docs = [];
  for (let i = 0; docs.length < n; i++) {
    const app = `app-${i}`;
    const ns = `team-${i % 20}`;
    const latest = i % 11 === 0; // some images float
    const noLimits = i % 7 === 0; // some containers have no limits
    docs.push(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${app}
  namespace: ${ns}
  labels:
    app: ${app}
spec:
  replicas: ${1 + (i % 3)}
  selector:
    matchLabels:
      app: ${app}
  template:
    metadata:
      labels:
        app: ${app}
    spec:
      nodeSelector:
        node.kuberator.dev/role: app
      containers:
        - name: web
          image: registry.example.com/${app}:${latest ? 'latest' : `1.${i % 7}.0`}
          ports:
            - containerPort: 8080
          resources:
            requests:
              cpu: 100m
              memory: 128Mi
${noLimits ? '' : '            limits:\n              memory: 192Mi\n'}          readinessProbe:
            httpGet:
              path: /ready
              port: 8080
          securityContext:
            allowPrivilegeEscalation: false
            runAsNonRoot: true
`);
    docs.push(`apiVersion: v1
kind: Service
metadata:
  name: ${app}
  namespace: ${ns}
spec:
  selector:
    app: ${app}
  ports:
    - port: 80
      targetPort: 8080
`);
    docs.push(`apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: ${app}
  namespace: ${ns}
spec:
  ${i % 13 === 0 ? 'maxUnavailable: 0' : 'maxUnavailable: 1'}
  selector:
    matchLabels:
      app: ${app}
`);
    docs.push(`apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: ${app}
  namespace: ${ns}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: ${app}
  minReplicas: 2
  maxReplicas: 6
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: 70
`);
  }
  return docs.slice(0, n).join('---\n');
}

const audit = (text) => auditManifests([{ file: 'corpus.yaml', text }], { today: '2026-11-22', kubernetesVersion: '1.33' });

const isMain = process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href;

if (isMain && process.argv[2] === '--rss') {
  const n = Number(process.argv[3]);
  const text = corpus(n);
  const t0 = performance.now();
  const r = audit(text);
  const ms = performance.now() - t0;
  console.log(JSON.stringify({ objects: r.summary.objects, findings: r.findings.length, ms, maxRssMiB: process.resourceUsage().maxRSS / 1024 }));
  process.exit(0);
}

if (isMain) await main();

async function main() {
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

  const N = 10_000;
  const text = corpus(N);
  const findingsCount = audit(text).findings.length; // also the warm-up; nothing of it is kept during timing
  // Parse and audit runs alternate, so that a change in machine speed during the bench (this is a
  // shared 2-core machine) hits both; the ratio is the median of the per-pair ratios.
  yaml.loadAll(text);
  const parseMs = [];
  const auditMs = [];
  for (let i = 0; i < RUNS; i++) {
    let t0 = performance.now();
    yaml.loadAll(text);
    parseMs.push(performance.now() - t0);
    t0 = performance.now();
    audit(text);
    auditMs.push(performance.now() - t0);
  }
  const parse = { min: Math.min(...parseMs), median: median(parseMs) };
  const run = { min: Math.min(...auditMs), median: median(auditMs) };
  const perSecond = N / (run.median / 1000);
  const ratio = median(auditMs.map((a, i) => a / parseMs[i]));
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--rss', '100000'], { encoding: 'utf8', timeout: 600_000 });
  const big = child.status === 0 ? JSON.parse(child.stdout.trim().split('\n').pop()) : null;

  const f = (ms) => `${ms.toFixed(0)} ms`;
  console.log(`audit of ${N.toLocaleString('en-US')} objects (${(text.length / 2 ** 20).toFixed(1)} MiB of YAML, ${findingsCount.toLocaleString('en-US')} findings), ${RUNS} runs after a warm-up`);
  console.log(`| case | min | median |`);
  console.log(`| --- | --- | --- |`);
  console.log(`| parse only (js-yaml loadAll) | ${f(parse.min)} | ${f(parse.median)} |`);
  console.log(`| audit (parse, graph, ${'rules'}, locations) | ${f(run.min)} | ${f(run.median)} |`);
  console.log(`objects per second: ${Math.round(perSecond).toLocaleString('en-US')} (median run); audit / parse: ${ratio.toFixed(2)}x (median of alternating pairs)`);
  if (big) console.log(`100,000 objects: ${(big.ms / 1000).toFixed(2)} s, ${big.findings.toLocaleString('en-US')} findings, peak RSS ${big.maxRssMiB.toFixed(0)} MiB`);
  else console.log(`100,000 objects: child failed (exit ${child.status}): ${String(child.stderr).slice(-400)}`);
  const verdict = (ok) => (ok ? 'pass' : 'MISS');
  const targets = [
    { name: `>= ${TARGETS.objectsPerSecond.toLocaleString('en-US')} objects/s`, value: `${Math.round(perSecond).toLocaleString('en-US')}`, result: verdict(perSecond >= TARGETS.objectsPerSecond) },
    { name: `audit <= ${TARGETS.maxRatio}x parse`, value: `${ratio.toFixed(2)}x`, result: verdict(ratio <= TARGETS.maxRatio) },
    { name: `100,000 objects within ${TARGETS.maxRssMiB} MiB`, value: big ? `${big.maxRssMiB.toFixed(0)} MiB` : 'n/a', result: big ? verdict(big.maxRssMiB <= TARGETS.maxRssMiB) : 'MISS' },
  ];
  console.log('targets (audit):');
  for (const t of targets) console.log(`  ${t.result.padEnd(4)}  ${t.name.padEnd(34)} ${t.value}`);
  if (process.argv.includes('--json')) console.log(JSON.stringify({ objects: N, parseMs: parse, auditMs: run, perSecond, ratio, big, targets }));

}
