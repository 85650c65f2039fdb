// When the discovery bridge syncs (explicit times, no sleeps), and how its Service informer
// survives a scripted API server: clean closes, 410 Gone, errors with backoff, a silent stream,
// and relists on request. The informer runs on a manual clock.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { backoff } from '../src/daemons/common/backoff.js';
import { manualClock } from '../src/daemons/common/clock.js';
import { SyncScheduler } from '../src/daemons/discovery/scheduler.js';
import { ServiceInformer, type ServiceSource, WatchGone, type WatchEventType } from '../src/daemons/discovery/service-watch.js';
import type { KubeService } from '../src/daemons/discovery/services.js';

const fixedRetry = () => backoff({ minMs: 1000, maxMs: 30_000, random: () => 1 });

describe('sync scheduler', () => {
  const opts = { intervalMs: 60_000, minEventIntervalMs: 5_000, retry: fixedRetry() };

  test('the first run is a full one, at once; the next full one an interval after it started', () => {
    const s = new SyncScheduler(1000, opts);
    assert.equal(s.due(1000), 'full');
    s.begin('full', 1000);
    s.finished('full', 1000, 1400, true);
    assert.equal(s.due(1400), undefined);
    assert.equal(s.nextAt(), 61_000);
    assert.equal(s.due(61_000), 'full');
  });

  test('an event runs at once after a quiet spell, then no sooner than the minimum interval after the last run', () => {
    const s = new SyncScheduler(0, opts);
    s.begin('full', 0);
    s.finished('full', 0, 100, true);
    s.event(20_000);
    assert.equal(s.due(20_000), 'event');
    s.begin('event', 20_000);
    s.finished('event', 20_000, 20_050, true);
    s.event(21_000);
    assert.equal(s.due(21_000), undefined);
    assert.equal(s.nextAt(), 25_000);
    assert.equal(s.due(25_000), 'event');
  });

  test('a burst of events is one run', () => {
    const s = new SyncScheduler(0, opts);
    s.begin('full', 0);
    s.finished('full', 0, 10, true);
    for (let t = 1000; t < 4000; t += 100) s.event(t);
    assert.equal(s.nextAt(), 5000);
    s.begin('event', 5000);
    s.finished('event', 5000, 5010, true);
    assert.equal(s.due(5010), undefined);
    assert.equal(s.nextAt(), 60_000);
  });

  test('an event while a run goes on asks for another run after it', () => {
    const s = new SyncScheduler(0, opts);
    s.begin('full', 0);
    s.event(300);
    s.finished('full', 0, 500, true);
    assert.equal(s.nextAt(), 5000);
    assert.equal(s.due(5000), 'event');
  });

  test('a full run due before an event may run absorbs the event', () => {
    const s = new SyncScheduler(0, { ...opts, minEventIntervalMs: 10_000 });
    s.begin('full', 0);
    s.finished('full', 0, 10, true);
    s.event(52_000);
    s.begin('event', 52_000);
    s.finished('event', 52_000, 52_010, true);
    s.event(55_000);
    assert.equal(s.nextAt(), 60_000);
    assert.equal(s.due(60_000), 'full');
  });

  test('failures are retried with growing waits, keeping their kind; success resets the wait', () => {
    const s = new SyncScheduler(0, opts);
    s.begin('full', 0);
    s.finished('full', 0, 0, false);
    assert.equal(s.nextAt(), 2000);
    s.begin('full', 2000);
    s.finished('full', 2000, 2000, false);
    assert.equal(s.nextAt(), 6000);
    assert.equal(s.due(6000), 'full');
    assert.equal(s.failures, 2);
    s.begin('full', 6000);
    s.finished('full', 6000, 6100, true);
    assert.equal(s.failures, 0);
    s.event(10_000);
    assert.equal(s.due(10_999), undefined);
    s.begin('event', 11_000);
    s.finished('event', 11_000, 11_000, false);
    assert.equal(s.due(12_999), undefined);
    assert.equal(s.due(13_000), 'event');
  });

  test('a full run can be asked for at once (a new ZooKeeper session)', () => {
    const s = new SyncScheduler(0, opts);
    s.begin('full', 0);
    s.finished('full', 0, 10, true);
    s.full(30_000);
    assert.equal(s.due(30_000), 'full');
  });

  test('healthy while the last success is within three intervals', () => {
    const s = new SyncScheduler(0, opts);
    assert.equal(s.healthy(100_000, 0), true);
    assert.equal(s.healthy(180_001, 0), false);
    s.begin('full', 180_001);
    s.finished('full', 180_001, 180_002, true);
    assert.equal(s.healthy(300_000, 0), true);
  });
});

// ---- the informer against a scripted source ----

type Step =
  | { kind: 'close'; events?: Array<[WatchEventType, unknown]> }
  | { kind: 'gone' }
  | { kind: 'error' }
  | { kind: 'hang' };

/** A source whose watches follow a script; each list returns the current Services. */
function scriptedSource(script: Step[]) {
  const services = new Map<string, KubeService>();
  let rv = 1;
  const calls: string[] = [];
  const source: ServiceSource = {
    async list() {
      calls.push('list');
      return { items: [...services.values()], resourceVersion: String(rv) };
    },
    async watch(resourceVersion, _timeout, onEvent, signal) {
      calls.push(`watch@${resourceVersion}`);
      const step = script.shift() ?? { kind: 'hang' };
      if (step.kind === 'gone') throw new WatchGone();
      if (step.kind === 'error') throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      if (step.kind === 'close') {
        for (const [type, o] of step.events ?? []) onEvent(type, o);
        return;
      }
      await new Promise((_r, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
    },
    close() {},
  };
  return { source, services, calls, bump: () => String(++rv) };
}

const svc = (name: string, rv: string): KubeService => ({ metadata: { name, namespace: 'ns', resourceVersion: rv } });

describe('service informer', () => {
  test('lists, applies watch events, resumes from the last resourceVersion after a clean close', async () => {
    const clock = manualClock(0);
    const s = scriptedSource([{ kind: 'close', events: [['ADDED', svc('a', '5')], ['MODIFIED', svc('a', '6')], ['BOOKMARK', { metadata: { resourceVersion: '9' } }]] }]);
    s.services.set('ns/x', svc('x', '1'));
    const changes: string[] = [];
    const inf = new ServiceInformer(s.source, { clock, onChange: (w) => changes.push(w), retry: fixedRetry(), watchTimeoutSeconds: [300, 300] });
    const ac = new AbortController();
    const run = inf.run(ac.signal);
    await clock.advance(2000);
    assert.deepEqual(s.calls, ['list', 'watch@1', 'watch@9']);
    assert.deepEqual(inf.services().map((x) => x.metadata?.name).sort(), ['a', 'x']);
    assert.deepEqual(changes, ['list', 'event', 'event']);
    ac.abort();
    await run;
  });

  test('410 Gone relists at once; other errors wait with backoff, then relist', async () => {
    const clock = manualClock(0);
    const s = scriptedSource([{ kind: 'gone' }, { kind: 'error' }, { kind: 'error' }]);
    const restarts: string[] = [];
    const inf = new ServiceInformer(s.source, { clock, retry: fixedRetry(), onWatch: (e) => e.type === 'restart' && restarts.push(e.reason) });
    const ac = new AbortController();
    const run = inf.run(ac.signal);
    await clock.advance(0);
    assert.deepEqual(s.calls, ['list', 'watch@1', 'list', 'watch@1']);
    await clock.advance(1999);
    assert.equal(s.calls.length, 4, 'no retry before the backoff wait (2 s)');
    await clock.advance(1);
    assert.deepEqual(s.calls.slice(4), ['list', 'watch@1']);
    await clock.advance(3999);
    assert.equal(s.calls.length, 6, 'a list that succeeds is not enough to reset the backoff (next wait 4 s)');
    await clock.advance(1);
    assert.deepEqual(s.calls.slice(6), ['list', 'watch@1']);
    assert.deepEqual(restarts, ['gone', 'error', 'error']);
    ac.abort();
    await run;
  });

  test('clean closes in quick succession back off instead of looping', async () => {
    const clock = manualClock(0);
    const s = scriptedSource(Array.from({ length: 10 }, () => ({ kind: 'close' as const })));
    const inf = new ServiceInformer(s.source, { clock, retry: fixedRetry() });
    const ac = new AbortController();
    const run = inf.run(ac.signal);
    await clock.advance(0);
    assert.equal(s.calls.filter((c) => c.startsWith('watch')).length, 1);
    await clock.advance(2000);
    assert.equal(s.calls.filter((c) => c.startsWith('watch')).length, 2);
    ac.abort();
    await run;
  });

  test('a silent watch is abandoned by the watchdog and resumed', async () => {
    const clock = manualClock(0);
    const s = scriptedSource([{ kind: 'hang' }]);
    const restarts: string[] = [];
    const inf = new ServiceInformer(s.source, { clock, retry: fixedRetry(), watchdogMs: 10_000, onWatch: (e) => e.type === 'restart' && restarts.push(e.reason) });
    const ac = new AbortController();
    const run = inf.run(ac.signal);
    await clock.advance(9_999);
    assert.deepEqual(restarts, []);
    await clock.advance(1);
    assert.deepEqual(restarts, ['watchdog']);
    assert.deepEqual(s.calls, ['list', 'watch@1', 'list', 'watch@1']);
    ac.abort();
    await run;
  });

  test('relist() restarts from a fresh list and resolves when it is in', async () => {
    const clock = manualClock(0);
    const s = scriptedSource([{ kind: 'hang' }]);
    const inf = new ServiceInformer(s.source, { clock, retry: fixedRetry() });
    const ac = new AbortController();
    const run = inf.run(ac.signal);
    await clock.advance(0);
    s.services.set('ns/new', svc('new', '2'));
    s.bump();
    await inf.relist();
    assert.deepEqual(inf.services().map((x) => x.metadata?.name), ['new']);
    assert.deepEqual(s.calls.slice(0, 3), ['list', 'watch@1', 'list']);
    ac.abort();
    await run;
  });
});
