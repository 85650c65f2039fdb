// The spot handler end to end against a real kube-apiserver 1.20 (test/helpers/kube-env.ts) and the
// project's IMDS emulator. No controllers run there, so the test plays the disruption controller
// (it writes PDB status) and the kubelet (it sets pods Running and Ready). Pods are created with a
// termination grace period of 0, so an accepted eviction deletes them at once: without a kubelet a
// pod with a grace period would stay Terminating forever.
//
// What it proves: a spot notice taints and cordons the node and drains it before the deadline, with
// a PDB holding evictions back (429) until the test allows them, through policy/v1beta1 after the
// server rejects policy/v1; DaemonSet and mirror pods stay; Events, the webhook and /metrics report
// it. A rebalance recommendation only cordons; a cancelled maintenance event uncordons; a handler
// restarted mid-drain finishes the job; dry run writes nothing; IMDSv1 fallback works; the rendered
// RBAC is enough for a whole drain (and no more than that for secrets); and the CLI
// process stays up and reports 503 on /healthz while IMDS fails.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { systemClock } from '../src/daemons/common/clock.js';
import { connectKube, type KubeHttp } from '../src/daemons/common/kube.js';
import { spotConfig, type SpotConfig } from '../src/daemons/spot/config.js';
import { type LogEntry, SpotHandler } from '../src/daemons/spot/handler.js';
import { eventTime, type ImdsEmulator, startImdsEmulator } from '../src/daemons/spot/imds-emulator.js';
import { imdsSource, startSpotHandler } from '../src/daemons/spot/index.js';
import { CORDONED_BY, type NodeDoc, TAINT_KEYS } from '../src/daemons/spot/node-actions.js';
import type { K8sContext } from '../src/render/kubernetes/context.js';
import { spotHandler } from '../src/render/kubernetes/addons/spot-handler.js';
import { type KubeEnv, liveSkipReason, startKubeEnv } from './helpers/kube-env.js';

const skip = liveSkipReason();

async function call<T = Record<string, unknown>>(kube: KubeHttp, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const r = await kube.request<T>(path, { method, body });
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body as T;
}

/** Polls `check` every 25 ms until it returns a value other than undefined/false, or fails after `ms`. */
async function waitFor<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, ms = 15_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('kuberator spot-handler against kube-apiserver 1.20', { skip }, () => {
  let env: KubeEnv;
  let kube: KubeHttp;
  let emuByNode: ImdsEmulator[] = [];

  before(async () => {
    env = await startKubeEnv();
    kube = await connectKube({ kubeconfig: env.kubeconfig });
  });
  after(async () => {
    await Promise.all(emuByNode.map((e) => e.close()));
    kube?.close();
    await env?.stop();
  });

  /** A Node, a namespace, and `n` running pods (grace 0) on the node, labelled app=<ns>. */
  async function world(node: string, n: number, extra: { pdb?: boolean; daemonSetPod?: boolean; mirrorPod?: boolean } = {}) {
    await call(kube, 'POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: node, labels: { 'node.kuberator.dev/lifecycle': 'spot' } }, spec: { providerID: 'aws:///eu-west-1a/i-0123456789abcdef0' } });
    const ns = node;
    await call(kube, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    const makePod = async (name: string, meta: Record<string, unknown> = {}) => {
      await call(kube, 'POST', `/api/v1/namespaces/${ns}/pods`, { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns, labels: { app: ns }, ...meta }, spec: { nodeName: node, terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image: 'registry.example.com/app:1' }] } });
      // The kubelet's part: the pod runs and is ready (a Pending pod would bypass the PDB).
      const p = await call<{ status?: Record<string, unknown> }>(kube, 'GET', `/api/v1/namespaces/${ns}/pods/${name}`);
      p.status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] };
      await call(kube, 'PUT', `/api/v1/namespaces/${ns}/pods/${name}/status`, p);
    };
    for (let i = 0; i < n; i++) await makePod(`web-${i}`);
    if (extra.daemonSetPod) {
      const ds = await call<{ metadata: { uid: string } }>(kube, 'POST', `/apis/apps/v1/namespaces/${ns}/daemonsets`, { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent', namespace: ns }, spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'c', image: 'registry.example.com/agent:1' }] } } } });
      await makePod('agent-x', { labels: { app: 'agent' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: ds.metadata.uid, controller: true }] });
    }
    if (extra.mirrorPod) await makePod('static-x', { labels: { app: 'static' }, annotations: { 'kubernetes.io/config.mirror': 'abc' } });
    if (extra.pdb) {
      await call(kube, 'POST', `/apis/policy/v1beta1/namespaces/${ns}/poddisruptionbudgets`, { apiVersion: 'policy/v1beta1', kind: 'PodDisruptionBudget', metadata: { name: 'web', namespace: ns }, spec: { minAvailable: n, selector: { matchLabels: { app: ns } } } });
      await setPdb(ns, 0, n);
    }
    return ns;
  }

  /** The disruption controller's part: the PDB's status. */
  async function setPdb(ns: string, allowed: number, pods: number) {
    const p = await call<{ metadata: { generation: number }; status?: Record<string, unknown> }>(kube, 'GET', `/apis/policy/v1beta1/namespaces/${ns}/poddisruptionbudgets/web`);
    p.status = { currentHealthy: pods, desiredHealthy: pods - allowed, disruptionsAllowed: allowed, expectedPods: pods, observedGeneration: p.metadata.generation };
    await call(kube, 'PUT', `/apis/policy/v1beta1/namespaces/${ns}/poddisruptionbudgets/web/status`, p);
  }

  /** Taints this handler owns (the apiserver adds node.kubernetes.io/not-ready to new nodes itself). */
  const ours = (n: NodeDoc) => (n.spec?.taints ?? []).filter((t) => t.key.startsWith('kuberator.dev/'));
  const nodeDoc = (node: string) => call<NodeDoc>(kube, 'GET', `/api/v1/nodes/${node}`);
  const podNames = async (ns: string) => (await call<{ items: Array<{ metadata: { name: string } }> }>(kube, 'GET', `/api/v1/namespaces/${ns}/pods`)).items.map((p) => p.metadata.name).sort();
  /** Reasons of the Events about a node, sorted (the list is ordered by generated name). */
  const nodeEvents = async (node: string) =>
    (await call<{ items: Array<{ reason: string; involvedObject: { name: string } }> }>(kube, 'GET', '/api/v1/namespaces/default/events')).items.filter((e) => e.involvedObject.name === node).map((e) => e.reason).sort();
  /** The node's Event reasons once `count` have been recorded (an Event is posted just after the change it reports). */
  const settledEvents = (node: string, count: number) =>
    waitFor(`${count} Events on ${node}`, async () => {
      const reasons = await nodeEvents(node);
      return reasons.length >= count ? reasons : undefined;
    });

  async function emulator(): Promise<ImdsEmulator> {
    const e = await startImdsEmulator();
    emuByNode.push(e);
    return e;
  }

  function handler(node: string, emu: ImdsEmulator, over: Partial<SpotConfig> = {}) {
    const logs: LogEntry[] = [];
    const config = spotConfig({ nodeName: node, imdsUrl: emu.url, pollIntervalMs: 100, podPollIntervalMs: 100, evictRetryMinMs: 100, evictRetryMaxMs: 400, deadlineMarginMs: 2000, metricsPort: -1, ...over });
    const h = new SpotHandler({ config, clock: systemClock, source: imdsSource(config, systemClock), kube, log: (e) => logs.push(e) });
    const ac = new AbortController();
    const done = h.run(ac.signal);
    return { h, logs, stop: async () => (ac.abort(), await done) };
  }

  test('spot notice: taint, cordon, drain through a PDB before the deadline; v1beta1 fallback; DaemonSet and mirror pods stay; events, webhook, metrics', async () => {
    const node = 'n-spot';
    const ns = await world(node, 3, { pdb: true, daemonSetPod: true, mirrorPod: true });
    const emu = await emulator();
    const hooks: Array<Record<string, unknown>> = [];
    const hookServer: Server = createServer((req, res) => {
      let b = '';
      req.on('data', (c) => (b += c));
      req.on('end', () => (hooks.push(JSON.parse(b) as Record<string, unknown>), res.writeHead(200).end()));
    });
    await new Promise<void>((r) => hookServer.listen(0, '127.0.0.1', r));
    const logs: LogEntry[] = [];
    const ac = new AbortController();
    const config = spotConfig({ nodeName: node, imdsUrl: emu.url, pollIntervalMs: 100, podPollIntervalMs: 100, evictRetryMinMs: 100, evictRetryMaxMs: 400, deadlineMarginMs: 2000, metricsPort: 0, listenHost: '127.0.0.1', webhookUrl: `http://127.0.0.1:${(hookServer.address() as AddressInfo).port}/hook` });
    const running = await startSpotHandler(config, { clock: systemClock, signal: ac.signal, log: (e) => logs.push(e), kube });
    try {
      const deadline = Date.now() + 30_000;
      emu.setSpotAction({ action: 'terminate', time: new Date(deadline).toISOString().replace(/\.\d+Z$/, 'Z') });
      const n = await waitFor('the node to be cordoned', async () => ((await nodeDoc(node)).spec?.unschedulable ? nodeDoc(node) : undefined));
      assert.equal(n.metadata.annotations?.[CORDONED_BY]?.startsWith('spot-itn-'), true);
      assert.deepEqual(ours(n).map((t) => [t.key, t.effect]), [[TAINT_KEYS['spot-interruption'], 'NoSchedule']]);
      assert.ok(n.spec!.taints!.some((t) => t.key === 'node.kubernetes.io/not-ready'), 'taints of others are kept');
      // The PDB allows nothing: evictions are refused, retried, and the pods stay.
      const h = running.handler;
      await waitFor('3 refused evictions per pod', () => h.metrics.evictions.get({ outcome: 'blocked' }) >= 9);
      assert.deepEqual(await podNames(ns), ['agent-x', 'static-x', 'web-0', 'web-1', 'web-2']);
      await setPdb(ns, 3, 3);
      await waitFor('the drain to end', () => h.outcomes[0]);
      const o = h.outcomes[0]!;
      assert.equal(o.ok, true, JSON.stringify(o));
      assert.equal(o.drain!.evictionVersion, 'policy/v1beta1', 'policy/v1 is refused by 1.20');
      assert.deepEqual(o.drain!.gone, [`${ns}/web-0`, `${ns}/web-1`, `${ns}/web-2`]);
      assert.deepEqual(o.drain!.skipped.map((s) => `${s.pod}:${s.why}`).sort(), [`${ns}/agent-x:daemonset`, `${ns}/static-x:mirror`]);
      assert.ok(o.drain!.finishedAt <= deadline - 2000, 'done before the deadline minus the margin');
      assert.deepEqual(await podNames(ns), ['agent-x', 'static-x']);
      await waitFor('the webhook', () => hooks.length === 1);
      assert.match(String(hooks[0]!.text), /spot-interruption on node n-spot \(i-0123456789abcdef0\): cordon-and-drain, done/);
      assert.deepEqual(await settledEvents(node, 2), ['CordonAndDrain', 'SpotInterruption']);
      const metrics = await (await fetch(`${running.servers[0]!.url}/metrics`)).text();
      assert.match(metrics, /^kuberator_spot_actions_total\{action="drain",status="ok"\} 1$/m);
      assert.match(metrics, /^kuberator_spot_evictions_total\{outcome="evicted"\} 3$/m);
      assert.match(metrics, /^kuberator_spot_events_total\{kind="spot-interruption",state="active"\} 1$/m);
      assert.match(metrics, /^kuberator_spot_drain_seconds_count 1$/m);
      const health = await fetch(`${running.servers[0]!.url}/healthz`);
      assert.equal(health.status, 200);
      await health.text();
    } finally {
      ac.abort();
      await running.done;
      hookServer.close();
    }
  });

  test('rebalance recommendation: cordon only', async () => {
    const node = 'n-rebalance';
    const ns = await world(node, 2);
    const emu = await emulator();
    const r = handler(node, emu);
    try {
      emu.setRebalance({ noticeTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') });
      await waitFor('the outcome', () => r.h.outcomes[0]);
      assert.equal(r.h.outcomes[0]!.action, 'cordon');
      const n = await nodeDoc(node);
      assert.equal(n.spec!.unschedulable, true);
      assert.deepEqual(ours(n).map((t) => t.key), [TAINT_KEYS['rebalance-recommendation']]);
      assert.deepEqual(await podNames(ns), ['web-0', 'web-1'], 'no pod evicted');
    } finally {
      await r.stop();
    }
  });

  test('scheduled maintenance: cordoned and drained; cancelled: uncordoned and untainted', async () => {
    const node = 'n-maint';
    const ns = await world(node, 1);
    const emu = await emulator();
    const r = handler(node, emu);
    try {
      const ev = { Code: 'system-reboot', Description: 'scheduled reboot', EventId: 'instance-event-0123456789abcdef0', NotBefore: eventTime(Date.now() + 600_000), NotAfter: eventTime(Date.now() + 4_200_000) };
      emu.setScheduled([{ ...ev, State: 'active' }]);
      await waitFor('the drain', () => r.h.outcomes[0]);
      assert.equal(r.h.outcomes[0]!.ok, true);
      assert.equal((await nodeDoc(node)).spec!.unschedulable, true);
      assert.deepEqual(await podNames(ns), []);
      emu.setScheduled([{ ...ev, State: 'canceled' }]);
      const n = await waitFor('the uncordon', async () => {
        const d = await nodeDoc(node);
        return d.spec?.unschedulable ? undefined : d;
      });
      assert.deepEqual(ours(n), []);
      assert.deepEqual(n.spec!.taints!.map((t) => t.key), ['node.kubernetes.io/not-ready'], 'only its own taint removed');
      assert.equal(n.metadata.annotations?.[CORDONED_BY], undefined);
      assert.deepEqual(await settledEvents(node, 3), ['CordonAndDrain', 'ScheduledEvent', 'Uncordon']);
    } finally {
      await r.stop();
    }
  });

  test('a handler restarted mid-drain resumes the live event', async () => {
    const node = 'n-restart';
    const ns = await world(node, 2, { pdb: true });
    const emu = await emulator();
    emu.setSpotAction({ action: 'terminate', time: new Date(Date.now() + 60_000).toISOString().replace(/\.\d+Z$/, 'Z') });
    const first = handler(node, emu);
    await waitFor('blocked evictions', () => first.h.metrics.evictions.get({ outcome: 'blocked' }) >= 2);
    await first.stop();
    assert.equal(first.h.outcomes.length, 0, 'the first handler stopped before finishing');
    assert.equal((await nodeDoc(node)).spec!.unschedulable, true);
    const second = handler(node, emu);
    try {
      await waitFor('the second handler to retry', () => second.h.metrics.evictions.get({ outcome: 'blocked' }) >= 2);
      await setPdb(ns, 2, 2);
      await waitFor('the drain', () => second.h.outcomes[0]);
      assert.equal(second.h.outcomes[0]!.ok, true);
      assert.match(JSON.stringify(second.logs), /node was already unschedulable/);
      assert.deepEqual(await podNames(ns), []);
      assert.equal(ours(await nodeDoc(node)).length, 1, 'the taint is not duplicated');
    } finally {
      await second.stop();
    }
  });

  test('dry run writes nothing', async () => {
    const node = 'n-dry';
    const ns = await world(node, 2);
    const before = await nodeDoc(node);
    const emu = await emulator();
    const r = handler(node, emu, { dryRun: true });
    try {
      emu.setSpotAction({ action: 'terminate', time: new Date(Date.now() + 60_000).toISOString().replace(/\.\d+Z$/, 'Z') });
      await waitFor('the outcome', () => r.h.outcomes[0]);
      assert.deepEqual(r.h.outcomes[0]!.drain!.pods, [`${ns}/web-0`, `${ns}/web-1`]);
      assert.equal((await nodeDoc(node)).metadata.resourceVersion, before.metadata.resourceVersion);
      assert.deepEqual(await podNames(ns), ['web-0', 'web-1']);
      assert.deepEqual(await nodeEvents(node), []);
    } finally {
      await r.stop();
    }
  });

  test('IMDSv1 fallback: the token is refused and the notice is still read', async () => {
    const node = 'n-v1';
    await world(node, 0);
    const emu = await emulator();
    emu.v2Only = false;
    emu.tokenStatus = 403;
    const r = handler(node, emu, { imdsV1Fallback: true });
    try {
      emu.setRebalance({ noticeTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') });
      await waitFor('the cordon', () => r.h.outcomes[0]);
      assert.equal((await nodeDoc(node)).spec!.unschedulable, true);
      assert.ok(emu.log.some((l) => l === 'PUT /latest/api/token 403'));
    } finally {
      await r.stop();
    }
  });

  test('the rendered ServiceAccount and ClusterRole are enough for a whole drain', async () => {
    const node = 'n-rbac';
    const ns = await world(node, 2, { pdb: true });
    for (const o of spotHandler.objects({} as K8sContext)) {
      if (o.kind === 'DaemonSet') continue;
      const path = o.kind === 'ServiceAccount' ? '/api/v1/namespaces/kube-system/serviceaccounts' : `/apis/rbac.authorization.k8s.io/v1/${o.kind === 'ClusterRole' ? 'clusterroles' : 'clusterrolebindings'}`;
      await call(kube, 'POST', path, o);
    }
    const tr = await call<{ status: { token: string } }>(kube, 'POST', '/api/v1/namespaces/kube-system/serviceaccounts/kuberator-spot-handler/token', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } });
    const kubeconfig = join(env.dir, 'spot-handler.kubeconfig');
    writeFileSync(kubeconfig, readFileSync(env.kubeconfig, 'utf8').replace(/token: .*/, `token: ${tr.status.token}`));
    const limited = await connectKube({ kubeconfig });
    assert.equal((await limited.request('/api/v1/namespaces/default/secrets')).status, 403, 'the token is not an admin');
    const emu = await emulator();
    const logs: LogEntry[] = [];
    const config = spotConfig({ nodeName: node, imdsUrl: emu.url, pollIntervalMs: 100, podPollIntervalMs: 100, evictRetryMinMs: 100, evictRetryMaxMs: 400, deadlineMarginMs: 2000, metricsPort: -1 });
    const h = new SpotHandler({ config, clock: systemClock, source: imdsSource(config, systemClock), kube: limited, log: (e) => logs.push(e) });
    const ac = new AbortController();
    const done = h.run(ac.signal);
    try {
      emu.setSpotAction({ action: 'terminate', time: new Date(Date.now() + 30_000).toISOString().replace(/\.\d+Z$/, 'Z') });
      await waitFor('refused evictions', () => h.metrics.evictions.get({ outcome: 'blocked' }) >= 2);
      await setPdb(ns, 2, 2);
      await waitFor('the drain', () => h.outcomes[0]);
      assert.equal(h.outcomes[0]!.ok, true, JSON.stringify(h.outcomes[0]));
      assert.deepEqual(logs.filter((l) => l.level !== 'info'), [], 'no permission problem along the way');
      assert.deepEqual(await podNames(ns), []);
      assert.deepEqual(await settledEvents(node, 2), ['CordonAndDrain', 'SpotInterruption']);
    } finally {
      ac.abort();
      await done;
      limited.close();
    }
  });

  test('the CLI process: repeated IMDS errors turn /healthz to 503 and it keeps running; SIGTERM stops it', async () => {
    const node = 'n-health';
    await world(node, 0);
    const emu = await emulator();
    emu.fault('/latest/meta-data/spot/instance-action', 500);
    const child: ChildProcess = spawn(process.execPath, ['dist/src/cli/bin.js', 'spot-handler', '--node-name', node, '--imds-url', emu.url, '--poll-interval', '100ms', '--metrics-port', '0', '--kubeconfig', env.kubeconfig, '--log-format', 'json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      const url = await waitFor('the server URL in the log', () => /"msg":"serving \/healthz and \/metrics","url":"([^"]+)"/.exec(out)?.[1]);
      const health = async () => {
        const r = await fetch(`${url}/healthz`);
        return { status: r.status, text: await r.text() };
      };
      const bad = await waitFor('a 503', async () => ((await health()).status === 503 ? health() : undefined));
      assert.match(bad.text, /imds: \d+ failed polls in a row; last: IMDS GET \/latest\/meta-data\/spot\/instance-action answered 500/);
      assert.equal(child.exitCode, null, 'still running');
      emu.fault('/latest/meta-data/spot/instance-action', undefined);
      await waitFor('a 200 again', async () => (await health()).status === 200);
      const lines = out.trim().split('\n').map((l) => JSON.parse(l) as LogEntry);
      assert.ok(lines.some((l) => l.level === 'error' && l.msg === 'polling the event source failed'));
      child.kill('SIGTERM');
      assert.equal(await exited, 0, err);
      assert.match(out, /"msg":"spot handler stopped"/);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
