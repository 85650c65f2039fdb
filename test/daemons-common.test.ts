// The daemons' shared parts: clocks (the manual one wakes sleepers in order and honours abort),
// backoff bounds and growth with an injected random source, the Prometheus text format, the
// health/metrics server, and the kubeconfig loader's input errors.
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { backoff, backoffDelay } from '../src/daemons/common/backoff.js';
import { isAbortError, manualClock, systemClock } from '../src/daemons/common/clock.js';
import { loadKubeConfig } from '../src/daemons/common/kube.js';
import { Registry } from '../src/daemons/common/metrics.js';
import { startDaemonServer } from '../src/daemons/common/server.js';
import { KuberatorError } from '../src/errors.js';

describe('clock', () => {
  test('manual clock wakes sleepers in wake-up order as time advances', async () => {
    const c = manualClock(1000);
    const woke: string[] = [];
    void c.sleep(300).then(() => woke.push(`b@${c.now()}`));
    void c.sleep(100).then(() => woke.push(`a@${c.now()}`));
    await c.advance(50);
    assert.deepEqual(woke, []);
    await c.advance(1000);
    assert.deepEqual(woke, ['a@1100', 'b@1300']);
    assert.equal(c.now(), 2050);
  });

  test('a sleeper woken by advance may sleep again within the same advance', async () => {
    const c = manualClock(0);
    const ticks: number[] = [];
    const ac = new AbortController();
    const loop = (async () => {
      try {
        for (;;) {
          await c.sleep(100, ac.signal);
          ticks.push(c.now());
        }
      } catch (e) {
        assert.ok(isAbortError(e));
      }
    })();
    await c.advance(350);
    assert.deepEqual(ticks, [100, 200, 300]);
    ac.abort();
    await loop;
    assert.equal(c.pending(), 0);
  });

  test('system clock sleep rejects at once on an aborted signal', async () => {
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(systemClock.sleep(10_000, ac.signal), (e) => isAbortError(e));
  });
});

describe('backoff', () => {
  test('waits lie within [min, min·factor^(n+1)] capped at max', () => {
    const lo = backoff({ minMs: 100, maxMs: 1000, factor: 2, random: () => 0 });
    const hi = backoff({ minMs: 100, maxMs: 1000, factor: 2, random: () => 0.999999 });
    assert.deepEqual([1, 2, 3, 4, 5].map(() => lo.next()), [100, 100, 100, 100, 100]);
    assert.deepEqual([1, 2, 3, 4, 5].map(() => hi.next()), [200, 400, 800, 1000, 1000]);
    assert.equal(hi.attempts, 5);
    hi.reset();
    assert.equal(hi.next(), 200);
  });

  test('the jitter is uniform between the bounds', () => {
    assert.equal(backoffDelay(2, { minMs: 100, maxMs: 10_000, random: () => 0.5 }), 450);
  });

  test('rejects a zero minimum and a shrinking factor', () => {
    assert.throws(() => backoff({ minMs: 0 }), RangeError);
    assert.throws(() => backoff({ factor: 0.5 }), RangeError);
  });
});

describe('metrics registry', () => {
  test('renders counters, gauges and histograms in text format 0.0.4', () => {
    const r = new Registry();
    const c = r.counter('kbr_actions_total', 'Actions taken.', ['action', 'status']);
    const g = r.gauge('kbr_healthy', 'Whether the sources answer.');
    const h = r.histogram('kbr_drain_seconds', 'Drain time.', [], [1, 5]);
    c.inc({ action: 'cordon', status: 'ok' });
    c.inc({ action: 'cordon', status: 'ok' }, 2);
    c.inc({ action: 'drain', status: 'error "x"' });
    g.set(1);
    h.observe(0.5);
    h.observe(3);
    h.observe(9);
    assert.equal(
      r.render(),
      [
        '# HELP kbr_actions_total Actions taken.',
        '# TYPE kbr_actions_total counter',
        'kbr_actions_total{action="cordon",status="ok"} 3',
        'kbr_actions_total{action="drain",status="error \\"x\\""} 1',
        '# HELP kbr_healthy Whether the sources answer.',
        '# TYPE kbr_healthy gauge',
        'kbr_healthy 1',
        '# HELP kbr_drain_seconds Drain time.',
        '# TYPE kbr_drain_seconds histogram',
        'kbr_drain_seconds_bucket{le="1"} 1',
        'kbr_drain_seconds_bucket{le="5"} 2',
        'kbr_drain_seconds_bucket{le="+Inf"} 3',
        'kbr_drain_seconds_sum 12.5',
        'kbr_drain_seconds_count 3',
        '',
      ].join('\n'),
    );
    assert.equal(c.get({ action: 'cordon', status: 'ok' }), 3);
    assert.equal(h.count(), 3);
  });

  test('rejects unknown labels, bad names, duplicates and decreasing counters', () => {
    const r = new Registry();
    const c = r.counter('a_total', 'a', ['x']);
    assert.throws(() => c.inc({ y: '1' }), /no label "y"/);
    assert.throws(() => c.inc({}, -1), RangeError);
    assert.throws(() => r.gauge('a_total', 'again'), /twice/);
    assert.throws(() => r.gauge('1bad', 'bad'), /not valid/);
  });
});

describe('daemon server', () => {
  test('serves /healthz from the callback, /metrics from the registry, 404 otherwise', async () => {
    const reg = new Registry();
    reg.counter('x_total', 'x').inc();
    let health = { ok: true, reason: undefined as string | undefined };
    const s = await startDaemonServer({ host: '127.0.0.1', port: 0, health: () => health, metrics: reg });
    try {
      let r = await fetch(`${s.url}/healthz`);
      assert.equal(r.status, 200);
      assert.equal(await r.text(), 'ok\n');
      health = { ok: false, reason: 'imds: 3 errors in a row' };
      r = await fetch(`${s.url}/healthz`);
      assert.equal(r.status, 503);
      assert.equal(await r.text(), 'imds: 3 errors in a row\n');
      r = await fetch(`${s.url}/metrics`);
      assert.equal(r.status, 200);
      assert.match(r.headers.get('content-type') ?? '', /version=0\.0\.4/);
      assert.match(await r.text(), /^x_total 1$/m);
      r = await fetch(`${s.url}/nope`);
      assert.equal(r.status, 404);
      await r.text();
    } finally {
      await s.close();
    }
  });

  test('a port in use is a typed error', async () => {
    const a = await startDaemonServer({ host: '127.0.0.1', port: 0, health: () => ({ ok: true }) });
    try {
      await assert.rejects(startDaemonServer({ host: '127.0.0.1', port: a.port, health: () => ({ ok: true }) }), (e) => e instanceof KuberatorError && e.code === 'KBR-DAEMON001');
    } finally {
      await a.close();
    }
  });
});

describe('kubeconfig loader', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kbr-kube-'));
  const file = join(dir, 'config');
  writeFileSync(
    file,
    ['apiVersion: v1', 'kind: Config', 'clusters:', '- name: c', '  cluster: {server: "https://127.0.0.1:6443"}', 'users:', '- name: u', '  user: {token: t}', 'contexts:', '- name: one', '  context: {cluster: c, user: u}', 'current-context: one', ''].join('\n'),
  );

  test('loads the current context, or the one asked for', async () => {
    const k = await loadKubeConfig({ kubeconfig: file });
    assert.equal(k.context, 'one');
    assert.equal(k.server, 'https://127.0.0.1:6443');
    assert.equal(k.where, 'https://127.0.0.1:6443 (context "one")');
  });

  test('a missing file or unknown context is KBR-LIVE002', async () => {
    await assert.rejects(loadKubeConfig({ kubeconfig: join(dir, 'missing') }), (e) => e instanceof KuberatorError && e.code === 'KBR-LIVE002' && /no such file/.test(e.message));
    await assert.rejects(loadKubeConfig({ kubeconfig: file, context: 'two' }), (e) => e instanceof KuberatorError && e.code === 'KBR-LIVE002' && /contexts: one/.test(e.message));
  });
});
