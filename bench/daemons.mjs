#!/usr/bin/env node
// Benchmarks of the daemons against real servers (dist/; run `npm run build` first). One function
// per daemon section; `node bench/daemons.mjs [section...] [--json]` runs the named ones (default:
// all). A section whose servers are missing is skipped with the reason.
//
// discovery: the discovery bridge (src/daemons/discovery) on kube-apiserver 1.20 + ZooKeeper 3.8,
//   both started here (test/helpers). 2,000 LoadBalancer Services with addresses are announced, then
//   - latency: 200 status changes (a new load balancer IP, one Service at a time), each timed from
//     the PATCH of the status subresource to the ZooKeeper watch seeing the new endpoint in the
//     document; p50 and p95. Target p95 <= 500 ms.
//   - full resync: relist of the 2,000 Services and merge into the document, nothing changed
//     (the periodic case; BENCH_RESYNC_RUNS runs, median and max), and from nothing (every entry
//     written into a new document). Target <= 2 s.
//
// spot: the spot handler, see spot() below.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = (rel) => import(pathToFileURL(path.join(ROOT, 'dist', rel)).href);
const wantJson = process.argv.includes('--json');
const named = process.argv.slice(2).filter((a) => !a.startsWith('--'));

const round = (x, d = 1) => Number(x.toFixed(d));
const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
};
const verdict = (ok) => (ok ? 'PASS' : 'FAIL');

/** Runs `f` over `items` with at most `n` at a time. */
async function pool(items, n, f) {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) await f(items[next++]);
  }));
}

async function discovery() {
  const SERVICES = Number(process.env.BENCH_DISCOVERY_SERVICES ?? 2000);
  const CHANGES = Number(process.env.BENCH_DISCOVERY_CHANGES ?? 200);
  const RESYNC_RUNS = Number(process.env.BENCH_RESYNC_RUNS ?? 5);
  const TARGETS = { latencyP95Ms: 500, resyncMs: 2000 };
  const { liveSkipReason, startKubeEnv } = await dist('test/helpers/kube-env.js');
  const { startZooKeeper, zookeeperSkipReason } = await dist('test/helpers/zookeeper.js');
  const skip = liveSkipReason() ?? zookeeperSkipReason();
  if (skip) return { skipped: skip };
  const { systemClock } = await dist('src/daemons/common/clock.js');
  const { connectKube } = await dist('src/daemons/common/kube.js');
  const d = await dist('src/daemons/discovery/index.js');

  const [env, zk] = await Promise.all([startKubeEnv({ serviceClusterIpRange: '10.0.0.0/16' }), startZooKeeper()]);
  const kube = await connectKube({ kubeconfig: env.kubeconfig });
  let handle;
  let reader;
  try {
    const api = async (p, req = {}) => {
      const r = await kube.request(p, { timeoutMs: 60_000, ...req });
      if (r.status >= 300) throw new Error(`${req.method ?? 'GET'} ${p}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
      return r.body;
    };
    const NS = 'bench';
    await api('/api/v1/namespaces', { method: 'POST', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } } });
    const name = (i) => `svc-${String(i).padStart(4, '0')}`;
    const ip = (i, gen) => `10.${100 + gen}.${Math.floor(i / 250)}.${(i % 250) + 1}`;
    const setIp = (i, gen) => api(`/api/v1/namespaces/${NS}/services/${name(i)}/status`, { method: 'PATCH', body: { status: { loadBalancer: { ingress: [{ ip: ip(i, gen) }] } } } });
    const t0 = Date.now();
    await pool([...Array(SERVICES).keys()], 16, async (i) => {
      await api(`/api/v1/namespaces/${NS}/services`, { method: 'POST', body: { apiVersion: 'v1', kind: 'Service', metadata: { name: name(i), namespace: NS }, spec: { type: 'LoadBalancer', selector: { app: name(i) }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] } } });
      await setIp(i, 0);
    });
    const setupS = (Date.now() - t0) / 1000;

    const config = d.bridgeConfig({ zkConnect: zk.connectString, zkSessionTimeout: '10s', clusterId: 'bench', interval: '10m', minEventSyncInterval: '0', kubeconfig: env.kubeconfig });
    handle = await d.startBridge(config, { clock: systemClock });
    reader = await d.ZooKeeperDirectoryStore.open({ connect: zk.connectString, documentPath: config.zk.documentPath, sessionTimeoutMs: 10_000, clock: systemClock });
    // Wakes waiters whenever the document's watch fires.
    let wake = () => {};
    reader.onChange(() => wake());
    const waitForEndpoint = async (entry, endpoint, timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const changed = new Promise((r) => (wake = r));
        const snap = await reader.read();
        const doc = d.decodeDocument(snap.document?.data);
        if (doc.services.find((s) => s.name === entry)?.endpoints.includes(endpoint)) return { at: performance.now(), bytes: snap.document.data.length };
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`${entry} never showed ${endpoint}`);
        await Promise.race([changed, new Promise((r) => setTimeout(r, Math.min(left, 1000)))]);
      }
    };
    const last = SERVICES - 1;
    const first = await waitForEndpoint(`${NS}/${name(last)}`, `${ip(last, 0)}:80`, 60_000);

    // Latency of one status change, one Service at a time over the whole set.
    const latencies = [];
    for (let k = 0; k < CHANGES; k++) {
      const i = (k * 7) % SERVICES;
      const start = performance.now();
      await setIp(i, 1 + Math.floor((k * 7) / SERVICES));
      const seen = await waitForEndpoint(`${NS}/${name(i)}`, `${ip(i, 1 + Math.floor((k * 7) / SERVICES))}:80`);
      latencies.push(seen.at - start);
    }

    // Full resyncs of the running bridge (nothing to change), then one from nothing into a new document.
    const resyncs = [];
    for (let r = 0; r < RESYNC_RUNS; r++) {
      const s = performance.now();
      const report = await handle.bridge.sync('full');
      resyncs.push(performance.now() - s);
      if (report.written) throw new Error('a full resync of an unchanged cluster wrote the document');
    }
    const cold = d.bridgeConfig({ zkConnect: zk.connectString, zkSessionTimeout: '10s', clusterId: 'bench-cold', docPath: '/bench-cold/services', interval: '10m', kubeconfig: env.kubeconfig });
    const s = performance.now();
    const coldReport = await d.runBridgeOnce(cold, { clock: systemClock });
    const coldMs = performance.now() - s;
    if (coldReport.added.length !== SERVICES) throw new Error(`the cold resync added ${coldReport.added.length} entries, not ${SERVICES}`);

    const p50 = quantile(latencies, 0.5);
    const p95 = quantile(latencies, 0.95);
    const resyncMedian = quantile(resyncs, 0.5);
    const resyncMax = Math.max(...resyncs);
    return {
      services: SERVICES,
      changes: CHANGES,
      documentBytes: first.bytes,
      setupS: round(setupS),
      latencyMs: { p50: round(p50), p95: round(p95), max: round(Math.max(...latencies)) },
      resyncMs: { median: round(resyncMedian), max: round(resyncMax), runs: RESYNC_RUNS },
      coldResyncMs: round(coldMs),
      targets: [
        { name: `status change → document p95 <= ${TARGETS.latencyP95Ms} ms`, value: `${round(p95)} ms (p50 ${round(p50)} ms)`, result: verdict(p95 <= TARGETS.latencyP95Ms) },
        { name: `full resync of ${SERVICES} Services <= ${TARGETS.resyncMs} ms`, value: `${round(resyncMax)} ms (max of ${RESYNC_RUNS}; median ${round(resyncMedian)} ms)`, result: verdict(resyncMax <= TARGETS.resyncMs) },
        { name: `resync into an empty document <= ${TARGETS.resyncMs} ms`, value: `${round(coldMs)} ms`, result: verdict(coldMs <= TARGETS.resyncMs) },
      ],
    };
  } finally {
    await handle?.stop();
    await reader?.close();
    kube.close();
    await Promise.all([zk.close(), env.stop()]);
  }
}

// spot: the spot handler (src/daemons/spot) on kube-apiserver 1.20 with the project's IMDS emulator.
//   A node with 110 running pods (the EKS default maximum); the emulator starts answering
//   instance-action at t0, the handler polls IMDS every 2 s and checks for gone pods every 2 s.
//   Timed from t0: the node cordoned, every eviction answered, every pod gone.
//   Targets: notice → cordon <= 3 s; all evictions issued <= 2 s after the cordon; all gone <= 10 s.
//   BENCH_SPOT_RUNS runs (3 by default), one fresh node each; median and max.
async function spot() {
  const PODS = Number(process.env.BENCH_SPOT_PODS ?? 110);
  const RUNS = Number(process.env.BENCH_SPOT_RUNS ?? 3);
  const TARGETS = { cordonMs: 3000, issuedAfterCordonMs: 2000, goneMs: 10_000 };
  const { liveSkipReason, startKubeEnv } = await dist('test/helpers/kube-env.js');
  const skip = liveSkipReason();
  if (skip) return { skipped: skip };
  const { systemClock } = await dist('src/daemons/common/clock.js');
  const { connectKube } = await dist('src/daemons/common/kube.js');
  const { spotConfig } = await dist('src/daemons/spot/config.js');
  const { SpotHandler } = await dist('src/daemons/spot/handler.js');
  const { imdsSource } = await dist('src/daemons/spot/index.js');
  const { startImdsEmulator } = await dist('src/daemons/spot/imds-emulator.js');

  const env = await startKubeEnv();
  const kube = await connectKube({ kubeconfig: env.kubeconfig });
  const api = async (p, req = {}) => {
    const r = await kube.request(p, { timeoutMs: 60_000, ...req });
    if (r.status >= 300) throw new Error(`${req.method ?? 'GET'} ${p}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
    return r.body;
  };
  const runs = [];
  try {
    for (let run = 0; run < RUNS; run++) {
      const node = `bench-spot-${run}`;
      await api('/api/v1/nodes', { method: 'POST', body: { apiVersion: 'v1', kind: 'Node', metadata: { name: node } } });
      await api('/api/v1/namespaces', { method: 'POST', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: node } } });
      await pool([...Array(PODS).keys()], 16, async (i) => {
        const name = `app-${i}`;
        const pod = await api(`/api/v1/namespaces/${node}/pods`, { method: 'POST', body: { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: node, labels: { app: 'app' } }, spec: { nodeName: node, terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image: 'registry.example.com/app:1' }] } } });
        pod.status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] };
        await api(`/api/v1/namespaces/${node}/pods/${name}/status`, { method: 'PUT', body: pod });
      });
      const emu = await startImdsEmulator();
      const config = spotConfig({ nodeName: node, imdsUrl: emu.url, pollIntervalMs: 2000, podPollIntervalMs: 2000, metricsPort: -1 });
      let cordonedAt;
      const h = new SpotHandler({ config, clock: systemClock, source: imdsSource(config, systemClock), kube, log: (e) => { if (e.msg === 'node cordoned') cordonedAt ??= Date.now(); } });
      const ac = new AbortController();
      const loop = h.run(ac.signal);
      try {
        // Let the handler settle into its polling rhythm first, as on a node that has been up a while.
        await new Promise((r) => setTimeout(r, 3000));
        const t0 = Date.now();
        emu.setSpotAction({ action: 'terminate', time: new Date(t0 + 120_000).toISOString().replace(/\.\d+Z$/, 'Z') });
        while (!h.outcomes.length) {
          if (Date.now() - t0 > 120_000) throw new Error('no outcome within 120 s');
          await new Promise((r) => setTimeout(r, 10));
        }
        const o = h.outcomes[0];
        if (!o.ok) throw new Error(`the drain failed: ${JSON.stringify(o.drain?.remaining ?? o.error)}`);
        const left = (await api(`/api/v1/pods?fieldSelector=${encodeURIComponent(`spec.nodeName=${node}`)}`)).items.length;
        if (left) throw new Error(`${left} pods left on ${node}`);
        runs.push({ cordonMs: cordonedAt - t0, issuedAfterCordonMs: o.drain.allIssuedAt - cordonedAt, goneMs: o.drain.finishedAt - t0, version: o.drain.evictionVersion });
      } finally {
        ac.abort();
        await loop;
        await emu.close();
      }
    }
  } finally {
    kube.close();
    await env.stop();
  }
  const stat = (k) => ({ median: round(quantile(runs.map((r) => r[k]), 0.5), 0), max: Math.max(...runs.map((r) => r[k])) });
  const cordon = stat('cordonMs');
  const issued = stat('issuedAfterCordonMs');
  const gone = stat('goneMs');
  return {
    pods: PODS,
    runs: runs.length,
    evictionVersion: runs[0]?.version,
    cordonMs: cordon,
    issuedAfterCordonMs: issued,
    goneMs: gone,
    targets: [
      { name: `notice → cordon <= ${TARGETS.cordonMs} ms`, value: `${cordon.max} ms (max of ${runs.length}; median ${cordon.median} ms)`, result: verdict(cordon.max <= TARGETS.cordonMs) },
      { name: `cordon → all ${PODS} evictions issued <= ${TARGETS.issuedAfterCordonMs} ms`, value: `${issued.max} ms (median ${issued.median} ms)`, result: verdict(issued.max <= TARGETS.issuedAfterCordonMs) },
      { name: `notice → all ${PODS} pods gone <= ${TARGETS.goneMs} ms`, value: `${gone.max} ms (median ${gone.median} ms)`, result: verdict(gone.max <= TARGETS.goneMs) },
    ],
  };
}

const SECTIONS = { discovery, spot };

const results = {};
for (const [key, run] of Object.entries(SECTIONS)) {
  if (named.length && !named.includes(key)) continue;
  try {
    results[key] = await run();
  } catch (e) {
    results[key] = { failed: e?.stack ?? String(e) };
  }
}

let failed = false;
for (const [key, r] of Object.entries(results)) {
  console.log(`daemons bench: ${key}`);
  if (r.skipped) {
    console.log(`  skipped: ${r.skipped}`);
    continue;
  }
  if (r.failed) {
    failed = true;
    console.log(`  failed: ${r.failed}`);
    continue;
  }
  if (key === 'discovery') {
    console.log(`  ${r.services} LoadBalancer Services (created and given addresses in ${r.setupS} s), document ${r.documentBytes} bytes`);
    console.log(`  ${r.changes} status changes → document: p50 ${r.latencyMs.p50} ms, p95 ${r.latencyMs.p95} ms, max ${r.latencyMs.max} ms`);
    console.log(`  full resync, unchanged: median ${r.resyncMs.median} ms, max ${r.resyncMs.max} ms (${r.resyncMs.runs} runs); into an empty document: ${r.coldResyncMs} ms`);
  }
  if (key === 'spot') {
    console.log(`  ${r.pods} pods on one node, ${r.runs} runs, IMDS and pod polling every 2 s, evictions through ${r.evictionVersion}`);
    console.log(`  notice → cordon: median ${r.cordonMs.median} ms, max ${r.cordonMs.max} ms; cordon → all evictions issued: median ${r.issuedAfterCordonMs.median} ms, max ${r.issuedAfterCordonMs.max} ms; notice → all gone: median ${r.goneMs.median} ms, max ${r.goneMs.max} ms`);
  }
  for (const t of r.targets ?? []) {
    if (t.result === 'FAIL') failed = true;
    console.log(`  ${t.result.padEnd(4)}  ${t.name.padEnd(48)} ${t.value}`);
  }
}
if (wantJson) console.log(JSON.stringify(results));
process.exitCode = failed ? 1 : 0;
