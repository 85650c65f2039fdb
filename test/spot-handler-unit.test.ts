// The spot handler's parts without a cluster: configuration (defaults, environment, every error at
// once), the IMDS client against the project's IMDS emulator (IMDSv2 tokens, 401 and renewal, v1
// fallback, hangs), notice parsing, and the handler loop on an in-memory API (test/helpers/fake-kube.ts)
// with a manual clock: what a notice leads to, PDB retries up to the deadline, health after
// repeated source errors, and the webhook body.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { manualClock, systemClock } from '../src/daemons/common/clock.js';
import { parseDuration, resolveSpotConfig, spotConfig } from '../src/daemons/spot/config.js';
import { gracePeriodFor } from '../src/daemons/spot/drain.js';
import { type InterruptionEvent } from '../src/daemons/spot/events.js';
import { type EventSource, SpotHandler } from '../src/daemons/spot/handler.js';
import { imdsClient, ImdsError, parseEventTime, PATHS, readImdsNotices } from '../src/daemons/spot/imds.js';
import { eventTime, startImdsEmulator } from '../src/daemons/spot/imds-emulator.js';
import { imdsSource } from '../src/daemons/spot/index.js';
import { CORDONED_BY, TAINT_KEYS } from '../src/daemons/spot/node-actions.js';
import { SpecError } from '../src/errors.js';
import { fakeKube, pod } from './helpers/fake-kube.js';

describe('spot handler configuration', () => {
  test('defaults, then environment, then flags', () => {
    const c = resolveSpotConfig({}, { NODE_NAME: 'ip-10-0-1-2', INSTANCE_METADATA_URL: 'http://127.0.0.1:1338', POD_NAME: 'sh-x', POD_NAMESPACE: 'kube-system' });
    assert.equal(c.nodeName, 'ip-10-0-1-2');
    assert.equal(c.imdsUrl, 'http://127.0.0.1:1338');
    assert.equal(c.pollIntervalMs, 2000);
    assert.equal(c.rebalanceDrain, false);
    assert.equal(c.taintEffect, 'NoSchedule');
    assert.deepEqual(c.selfPod, { namespace: 'kube-system', name: 'sh-x' });
    const f = resolveSpotConfig({ nodeName: 'n', pollInterval: '500ms', deadlineMargin: '15s', taintEffect: 'NoExecute', rebalanceDrain: true }, { NODE_NAME: 'other' });
    assert.equal(f.nodeName, 'n');
    assert.equal(f.pollIntervalMs, 500);
    assert.equal(f.deadlineMarginMs, 15_000);
    assert.equal(f.taintEffect, 'NoExecute');
    assert.equal(f.rebalanceDrain, true);
  });

  test('every problem is reported at once, by flag', () => {
    assert.throws(
      () => resolveSpotConfig({ pollInterval: 'soon', imdsUrl: 'ftp://x', metricsPort: 'abc', taintEffect: 'Sometimes' }, {}),
      (e: unknown) => {
        assert.ok(e instanceof SpecError);
        const paths = e.issues.map((i) => i.path).sort();
        assert.deepEqual(paths, ['--imds-url', '--metrics-port', '--node-name', '--poll-interval', '--taint-effect']);
        assert.match(e.issues.find((i) => i.path === '--poll-interval')!.message, /got 'soon'/);
        return true;
      },
    );
  });

  test('durations', () => {
    assert.equal(parseDuration('2s'), 2000);
    assert.equal(parseDuration('1m'), 60_000);
    assert.equal(parseDuration('250'), 250);
    assert.ok(Number.isNaN(parseDuration('2h')));
  });
});

describe('IMDS client against the emulator', () => {
  test('IMDSv2: one token for many reads; a 401 fetches a new one; expiry renews it', async () => {
    const clock = manualClock(Date.parse('2026-12-04T12:00:00Z'));
    const emu = await startImdsEmulator({ clock });
    try {
      const c = imdsClient({ url: emu.url, clock, timeoutMs: 1000, tokenTtlS: 120, v1Fallback: false });
      assert.equal(await c.get(PATHS.instanceId), 'i-0123456789abcdef0');
      assert.equal(await c.get(PATHS.instanceAction), undefined, '404 means no notice');
      assert.equal(emu.log.filter((l) => l.startsWith('PUT')).length, 1);
      assert.equal(c.mode(), 'v2');
      emu.revokeTokens();
      assert.equal(await c.get(PATHS.instanceId), 'i-0123456789abcdef0');
      assert.deepEqual(emu.log.slice(-3), [`GET ${PATHS.instanceId} 401`, 'PUT /latest/api/token 200', `GET ${PATHS.instanceId} 200`]);
      // The token (120 s) is renewed before it expires: after 61 s no 401 is ever seen.
      await clock.advance(61_000);
      await c.get(PATHS.instanceId);
      assert.deepEqual(emu.log.slice(-2), ['PUT /latest/api/token 200', `GET ${PATHS.instanceId} 200`]);
      assert.equal(emu.log.filter((l) => l.endsWith(' 401')).length, 1);
    } finally {
      await emu.close();
    }
  });

  test('a refused token falls back to IMDSv1 only when allowed', async () => {
    const emu = await startImdsEmulator({ v2Only: false });
    try {
      emu.tokenStatus = 403;
      const strict = imdsClient({ url: emu.url, clock: systemClock, timeoutMs: 1000, tokenTtlS: 60, v1Fallback: false });
      await assert.rejects(strict.get(PATHS.instanceId), (e) => e instanceof ImdsError && e.status === 403 && /fallback is off/.test(e.message));
      const lenient = imdsClient({ url: emu.url, clock: systemClock, timeoutMs: 1000, tokenTtlS: 60, v1Fallback: true });
      assert.equal(await lenient.get(PATHS.instanceId), 'i-0123456789abcdef0');
      assert.equal(lenient.mode(), 'v1');
      // In v2-only mode, v1 gets 401: a clear error, not a retry loop.
      emu.v2Only = true;
      await assert.rejects(lenient.get(PATHS.instanceId), (e) => e instanceof ImdsError && e.status === 401);
    } finally {
      await emu.close();
    }
  });

  test('a hung path costs one timeout', async () => {
    const emu = await startImdsEmulator();
    try {
      emu.fault(PATHS.scheduled, 'hang');
      const c = imdsClient({ url: emu.url, clock: systemClock, timeoutMs: 150, tokenTtlS: 60, v1Fallback: false });
      const t0 = Date.now();
      await assert.rejects(readImdsNotices(c, Date.now()), (e) => e instanceof ImdsError && /no answer within 150 ms/.test(e.message));
      assert.ok(Date.now() - t0 < 2000);
    } finally {
      await emu.close();
    }
  });

  test('notices: spot action, rebalance, scheduled (with cancellation) and ASG target state', async () => {
    const now = Date.parse('2026-12-04T12:00:00Z');
    const clock = manualClock(now);
    const emu = await startImdsEmulator({ clock });
    try {
      const c = imdsClient({ url: emu.url, clock, timeoutMs: 1000, tokenTtlS: 600, v1Fallback: false });
      assert.deepEqual(await readImdsNotices(c, now), [], 'nothing when nothing is announced ([] and 404s)');
      emu.setSpotAction({ action: 'terminate', time: '2026-12-04T12:02:00Z' });
      emu.setRebalance({ noticeTime: '2026-12-04T11:59:00Z' });
      emu.setScheduled([{ Code: 'system-reboot', Description: 'scheduled reboot', EventId: 'instance-event-0abc', NotBefore: eventTime(now + 3_600_000), NotAfter: eventTime(now + 7_200_000), State: 'canceled' }]);
      emu.setTargetLifecycleState('Terminated');
      const events = await readImdsNotices(c, now);
      assert.deepEqual(
        events.map((e) => [e.kind, e.state, e.deadline]),
        [
          ['spot-interruption', 'active', Date.parse('2026-12-04T12:02:00Z')],
          ['rebalance-recommendation', 'active', undefined],
          ['scheduled-maintenance', 'canceled', now + 3_600_000],
          ['asg-termination', 'active', undefined],
        ],
      );
      assert.match(events[0]!.id, /^spot-itn-[0-9a-f]{64}$/);
      assert.equal(events[2]!.id, 'instance-event-0abc');
      const again = await readImdsNotices(c, now + 2000);
      assert.deepEqual(again.map((e) => e.id), events.map((e) => e.id), 'the same notice keeps its ID');
      assert.equal(parseEventTime('21 Jan 2019 09:00:43 GMT'), Date.UTC(2019, 0, 21, 9, 0, 43));
      // A notice scheduled to appear later is served only from then on.
      emu.setSpotAction({ action: 'hibernate', time: '2026-12-04T12:03:00Z' }, now + 5000);
      assert.equal(await c.get(PATHS.instanceAction), undefined);
      await clock.advance(5000);
      assert.match((await c.get(PATHS.instanceAction))!, /hibernate/);
    } finally {
      await emu.close();
    }
  });
});

/** A source that returns what the test puts in `next`, or throws `error`. */
function scriptedSource(): EventSource & { next: InterruptionEvent[]; error?: Error } {
  const s = {
    name: 'imds' as const,
    next: [] as InterruptionEvent[],
    error: undefined as Error | undefined,
    async poll() {
      if (s.error) throw s.error;
      return s.next;
    },
  };
  return s;
}

const T0 = Date.parse('2026-12-04T12:00:00Z');
const spotEvent = (deadline = T0 + 120_000): InterruptionEvent => ({ id: 'spot-itn-abc', kind: 'spot-interruption', source: 'imds', deadline, seenAt: T0, state: 'active', description: 'spot instance terminate' });

describe('handler loop on a fake API', () => {
  test('a spot notice taints, cordons and drains; DaemonSet, mirror and own pods stay', async () => {
    const clock = manualClock(T0);
    const kube = fakeKube('n1');
    kube.pods = [pod('a', 'web-1'), pod('a', 'web-2'), pod('kube-system', 'ds-1', { ownerReferences: [{ kind: 'DaemonSet', name: 'ds', controller: true }] }), pod('kube-system', 'static', { annotations: { 'kubernetes.io/config.mirror': 'x' } }), pod('kube-system', 'me'), pod('a', 'orphan', { ownerReferences: [{ kind: 'DaemonSet', name: 'gone', controller: true }] })];
    kube.daemonSets.add('kube-system/ds');
    const source = scriptedSource();
    const h = new SpotHandler({ config: spotConfig({ nodeName: 'n1', selfPod: { namespace: 'kube-system', name: 'me' } }), clock, source, kube });
    source.next = [spotEvent()];
    await h.pollOnce();
    while (h.outcomes.length === 0) await clock.advance(100);
    await h.idle();
    const o = h.outcomes[0]!;
    assert.equal(o.ok, true);
    assert.deepEqual(o.drain!.gone, ['a/orphan', 'a/web-1', 'a/web-2']);
    assert.deepEqual(o.drain!.skipped.map((s) => `${s.pod}:${s.why}`), ['kube-system/ds-1:daemonset', 'kube-system/static:mirror', 'kube-system/me:self']);
    assert.equal(kube.node.spec!.unschedulable, true);
    assert.equal(kube.node.metadata.annotations![CORDONED_BY], 'spot-itn-abc');
    assert.deepEqual(kube.node.spec!.taints!.map((t) => `${t.key}=${t.value}:${t.effect}`), [`${TAINT_KEYS['spot-interruption']}=spot-itn-abc:NoSchedule`]);
    assert.deepEqual(kube.events.map((e) => e.reason), ['SpotInterruption', 'CordonAndDrain']);
    assert.ok(clock.now() - T0 < 120_000 - 10_000, 'finished before the deadline minus the margin');
    // Polled again: the same event is not handled twice.
    await h.pollOnce();
    await h.idle();
    assert.equal(h.outcomes.length, 1);
  });

  test('a PDB that never allows the eviction: retries with backoff, stops at the deadline minus the margin, reports the pod', async () => {
    const clock = manualClock(T0);
    const kube = fakeKube('n1');
    kube.pods = [pod('a', 'db-0')];
    kube.evictionAnswers.set('a/db-0', Array(1000).fill(429));
    const source = scriptedSource();
    const h = new SpotHandler({ config: spotConfig({ nodeName: 'n1' }), clock, source, kube, random: () => 0.5 });
    source.next = [spotEvent(T0 + 60_000)];
    await h.pollOnce();
    while (h.outcomes.length === 0) await clock.advance(250);
    const o = h.outcomes[0]!;
    assert.equal(o.ok, false);
    assert.deepEqual(o.drain!.remaining.map((r) => r.pod), ['a/db-0']);
    assert.match(o.drain!.remaining[0]!.reason, /429.*disruption budget/);
    const attempts = kube.calls.filter((c) => c.endsWith('/eviction')).length;
    // 50 s of retries 1–5 s apart (jitter fixed at the middle): between 10 and 50 attempts.
    assert.ok(attempts >= 10 && attempts <= 50, `${attempts} attempts`);
    assert.ok(clock.now() <= T0 + 50_000 + 500, 'gave up by the deadline minus the margin');
    assert.equal(h.metrics.evictions.get({ outcome: 'blocked' }), attempts);
    assert.deepEqual(kube.events.map((e) => e.reason), ['SpotInterruption', 'CordonAndDrainError']);
  });

  test('grace periods are capped to the whole seconds left', () => {
    const p = pod('a', 'x');
    assert.equal(gracePeriodFor(p, 0, 60_000), undefined, '30 s fits in 60 s: the pod\'s own');
    assert.equal(gracePeriodFor(p, 0, 12_500), 12);
    assert.equal(gracePeriodFor(p, 20_000, 12_500), 0);
  });

  test('repeated source errors make it unhealthy without ending the loop; one success heals it', async () => {
    const clock = manualClock(T0);
    const source = scriptedSource();
    source.error = new ImdsError(PATHS.instanceAction, 'IMDS GET: no answer within 2000 ms');
    const h = new SpotHandler({ config: spotConfig({ nodeName: 'n1', pollIntervalMs: 1000 }), clock, source, kube: fakeKube('n1') });
    const ac = new AbortController();
    const loop = h.run(ac.signal);
    await clock.advance(1500);
    assert.equal(h.health().ok, true, 'two errors are tolerated');
    await clock.advance(1000);
    const hh = h.health();
    assert.equal(hh.ok, false);
    assert.match(hh.reason!, /imds: 3 failed polls in a row; last: IMDS GET: no answer/);
    assert.equal(h.metrics.healthy.get(), 0);
    await clock.advance(5000);
    assert.equal(h.metrics.sourceErrors.get({ source: 'imds' }), 8, 'polls at 0, 1, …, 7 s');
    source.error = undefined;
    await clock.advance(1000);
    assert.equal(h.health().ok, true);
    ac.abort();
    await loop;
  });

  test('a rebalance recommendation cordons only; with rebalanceDrain it drains', async () => {
    for (const rebalanceDrain of [false, true]) {
      const clock = manualClock(T0);
      const kube = fakeKube('n1');
      kube.pods = [pod('a', 'web-1')];
      const source = scriptedSource();
      const h = new SpotHandler({ config: spotConfig({ nodeName: 'n1', rebalanceDrain }), clock, source, kube });
      source.next = [{ id: 'rebalance-recommendation-x', kind: 'rebalance-recommendation', source: 'imds', seenAt: T0, state: 'active', description: 'rebalance' }];
      await h.pollOnce();
      while (h.outcomes.length === 0) await clock.advance(100);
      assert.equal(kube.node.spec!.unschedulable, true);
      assert.equal(h.outcomes[0]!.action, rebalanceDrain ? 'cordon-and-drain' : 'cordon');
      assert.equal(kube.pods.length, rebalanceDrain ? 0 : 1);
    }
  });

  test('the webhook gets a Slack-compatible body', async () => {
    const bodies: Array<Record<string, unknown>> = [];
    const server = createServer((req, res) => {
      let b = '';
      req.on('data', (c) => (b += c));
      req.on('end', () => {
        bodies.push(JSON.parse(b) as Record<string, unknown>);
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const clock = manualClock(T0);
      const kube = fakeKube('n1');
      const source = scriptedSource();
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
      const h = new SpotHandler({ config: spotConfig({ nodeName: 'n1', webhookUrl: url }), clock, source, kube });
      source.next = [{ ...spotEvent(), instanceId: 'i-0123456789abcdef0' }];
      await h.pollOnce();
      await h.idle();
      assert.equal(bodies.length, 1);
      const b = bodies[0]!;
      assert.match(String(b.text), /^\[kuberator\]\[spot-handler\] spot-interruption on node n1 \(i-0123456789abcdef0\): cordon-and-drain, done\./);
      assert.equal(b.eventId, 'spot-itn-abc');
      assert.equal(b.deadline, '2026-12-04T12:02:00.000Z');
    } finally {
      server.close();
    }
  });

  test('the IMDS source tags events with the instance ID', async () => {
    const emu = await startImdsEmulator();
    try {
      emu.setInstanceId('i-0fedcba9876543210');
      emu.setSpotAction({ action: 'stop', time: new Date(Date.now() + 120_000).toISOString() });
      const s = imdsSource({ imdsUrl: emu.url, imdsTimeoutMs: 1000, imdsTokenTtlS: 600, imdsV1Fallback: false }, systemClock);
      const [e] = await s.poll();
      assert.equal(e!.instanceId, 'i-0fedcba9876543210');
      assert.match(e!.description, /spot instance stop/);
    } finally {
      await emu.close();
    }
  });
});

describe('node writes', () => {
  test('a taint write that loses a race (409) is read again and retried; other taints are kept', async () => {
    const clock = manualClock(T0);
    const kube = fakeKube('n1');
    kube.node.spec = { taints: [{ key: 'dedicated', value: 'spot', effect: 'NoSchedule' }] };
    // Someone else updates the node between our GET and our PUT, once.
    const request = kube.request.bind(kube);
    let raced = false;
    kube.request = async (path, req) => {
      if (req?.method === 'PUT' && !raced) {
        raced = true;
        kube.node.metadata.resourceVersion = String(Number(kube.node.metadata.resourceVersion) + 100);
      }
      return request(path, req);
    };
    const { nodeActions } = await import('../src/daemons/spot/node-actions.js');
    const node = nodeActions(kube, 'n1', clock);
    const done = node.taint('spot-interruption', 'spot-itn-abc', 'NoSchedule');
    await clock.advance(1000);
    assert.equal(await done, true);
    assert.deepEqual(kube.calls.filter((c) => c.startsWith('PUT')).length, 2);
    assert.deepEqual(kube.node.spec!.taints!.map((t) => t.key), ['dedicated', TAINT_KEYS['spot-interruption']]);
    assert.equal(await node.taint('spot-interruption', 'spot-itn-abc', 'NoSchedule'), false, 'already there');
    assert.deepEqual(await node.removeTaints(), [TAINT_KEYS['spot-interruption']]);
    assert.deepEqual(kube.node.spec!.taints!.map((t) => t.key), ['dedicated']);
  });

  test('uncordon leaves a node alone that an operator cordoned', async () => {
    const { nodeActions } = await import('../src/daemons/spot/node-actions.js');
    const kube = fakeKube('n1');
    kube.node.spec = { unschedulable: true };
    const node = nodeActions(kube, 'n1', manualClock(T0));
    assert.equal(await node.cordon('e1'), false, 'already unschedulable: not claimed');
    assert.equal(await node.uncordon(), false);
    assert.equal(kube.node.spec.unschedulable, true);
  });
});

describe('kuberator spot-handler (CLI)', () => {
  test('configuration errors are input errors (exit 2), all listed, before anything starts', async () => {
    const { runCliAsync } = await import('./helpers/run-cli.js');
    const r = await runCliAsync(['spot-handler', '--poll-interval', 'often', '--webhook-url', 'not a url'], { env: {} });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--node-name: the node name is required/);
    assert.match(r.stderr, /--poll-interval: expects a duration/);
    assert.match(r.stderr, /--webhook-url: /);
    assert.equal(r.stdout, '');
  });

  test('log lines: JSON or text', async () => {
    const { formatLogLine } = await import('../src/cli/spot-handler-command.js');
    assert.equal(formatLogLine({ level: 'info', msg: 'node cordoned', node: 'n1' }, 'json', T0), '{"time":"2026-12-04T12:00:00.000Z","level":"info","msg":"node cordoned","node":"n1"}\n');
    assert.equal(formatLogLine({ level: 'warn', msg: 'x', error: 'a b', n: 3 }, 'text', T0), '2026-12-04T12:00:00.000Z WARN  x error="a b" n=3\n');
  });
});
