// The bridge loop on a manual clock, with the in-memory store and a Service source the test
// drives: first sync at start, event syncs after Service and document changes, debouncing, the
// policies (sync removes, upsert-only keeps), dry run, retries with backoff while the store is
// down, a full sync after a new session, and health.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { manualClock } from '../src/daemons/common/clock.js';
import { DiscoveryBridge, type BridgeOptions } from '../src/daemons/discovery/bridge.js';
import { decodeDocument, decodeOwners } from '../src/daemons/discovery/document.js';
import { register } from '../src/daemons/discovery/registry.js';
import { ServiceInformer, type ServiceSource, type WatchEventType } from '../src/daemons/discovery/service-watch.js';
import { DEFAULT_MAPPING, type KubeService } from '../src/daemons/discovery/services.js';
import { MemoryDirectoryStore } from '../src/daemons/discovery/store.js';

/** Services held by the test; a watch stays open and delivers what `emit` sends. */
function drivenSource() {
  const services = new Map<string, KubeService>();
  let rv = 1;
  let sink: ((type: WatchEventType, o: unknown) => void) | undefined;
  let lists = 0;
  const source: ServiceSource = {
    async list() {
      lists++;
      return { items: [...services.values()], resourceVersion: String(rv) };
    },
    watch(_rv, _t, onEvent, signal) {
      sink = onEvent;
      return new Promise((_r, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
    },
    close() {},
  };
  const lb = (name: string, ip: string, annotations: Record<string, string> = {}): KubeService => ({
    metadata: { name, namespace: 'ns', resourceVersion: String(++rv), annotations },
    spec: { type: 'LoadBalancer', ports: [{ port: 80 }] },
    status: { loadBalancer: { ingress: [{ ip }] } },
  });
  return {
    source,
    lists: () => lists,
    /** Changes the cluster and tells the watch. */
    put(s: KubeService) {
      const existed = services.has(`ns/${s.metadata!.name}`);
      services.set(`ns/${s.metadata!.name}`, s);
      sink?.(existed ? 'MODIFIED' : 'ADDED', s);
    },
    remove(name: string) {
      const s = services.get(`ns/${name}`);
      services.delete(`ns/${name}`);
      if (s) sink?.('DELETED', { ...s, metadata: { ...s.metadata, resourceVersion: String(++rv) } });
    },
    lb,
  };
}

function setup(opts: Partial<BridgeOptions> = {}) {
  const clock = manualClock(1_000_000);
  const store = new MemoryDirectoryStore();
  const src = drivenSource();
  let bridge!: DiscoveryBridge;
  const informer = new ServiceInformer(src.source, { clock, onChange: (why) => why === 'event' && bridge.notify() });
  bridge = new DiscoveryBridge(store, informer, { owner: 'k8s:test', policy: 'sync', mapping: DEFAULT_MAPPING, intervalMs: 60_000, minEventIntervalMs: 5_000, dryRun: false, maxBytes: 1_000_000, clock, ...opts });
  const ac = new AbortController();
  const running = Promise.all([informer.run(ac.signal), bridge.run(ac.signal)]);
  const names = () => decodeDocument(store.node(store.documentPath)?.data).services.map((s) => s.name);
  return { clock, store, src, bridge, names, stop: async () => (ac.abort(), await running) };
}

describe('discovery bridge loop', () => {
  test('syncs at start, then after each change, at most once per minimum interval', async () => {
    const t = setup();
    t.src.put(t.src.lb('a', '10.0.0.1'));
    await t.clock.advance(0);
    assert.deepEqual(t.names(), ['ns/a']);
    assert.equal(t.store.commits, 1);
    // Within 5 s of the last run: the change waits, and a burst becomes one write.
    t.src.put(t.src.lb('b', '10.0.0.2'));
    t.src.put(t.src.lb('c', '10.0.0.3'));
    await t.clock.advance(4_999);
    assert.deepEqual(t.names(), ['ns/a']);
    await t.clock.advance(1);
    assert.deepEqual(t.names(), ['ns/a', 'ns/b', 'ns/c']);
    assert.equal(t.store.commits, 2);
    await t.stop();
  });

  test('policy sync removes entries whose Service went; upsert-only keeps them', async () => {
    for (const policy of ['sync', 'upsert-only'] as const) {
      const t = setup({ policy, minEventIntervalMs: 0 });
      t.src.put(t.src.lb('a', '10.0.0.1'));
      t.src.put(t.src.lb('b', '10.0.0.2'));
      await t.clock.advance(0);
      t.src.remove('a');
      await t.clock.advance(1);
      assert.deepEqual(t.names(), policy === 'sync' ? ['ns/b'] : ['ns/a', 'ns/b'], policy);
      await t.stop();
    }
  });

  test('a document changed by someone else brings this cluster’s entries back', async () => {
    const t = setup({ minEventIntervalMs: 0 });
    t.src.put(t.src.lb('a', '10.0.0.1'));
    await t.clock.advance(0);
    // A careless hand edit drops the entry, leaving the owners node as it was.
    t.store.write(t.store.documentPath, '{"services":[]}\n');
    await t.clock.advance(1);
    assert.deepEqual(t.names(), ['ns/a']);
    await t.stop();
  });

  test('a registrant’s entry survives every sync', async () => {
    const t = setup({ minEventIntervalMs: 0 });
    await register(t.store, { name: 'db', description: '', endpoints: ['db:5432'] }, { owner: 'static:ops', clock: t.clock });
    t.src.put(t.src.lb('a', '10.0.0.1'));
    await t.clock.advance(0);
    t.src.remove('a');
    await t.clock.advance(61_000);
    assert.deepEqual(t.names(), ['db']);
    assert.deepEqual(decodeOwners(t.store.node(t.store.ownersPath)?.data), { db: 'static:ops' });
    await t.stop();
  });

  test('dry run writes nothing', async () => {
    const t = setup({ dryRun: true });
    t.src.put(t.src.lb('a', '10.0.0.1'));
    await t.clock.advance(0);
    assert.equal(t.store.commits, 0);
    assert.equal(t.store.node(t.store.documentPath), undefined);
    await t.stop();
  });

  test('while the store is down, syncs retry with backoff, health turns bad after three intervals, then recovers', async () => {
    const t = setup({ minEventIntervalMs: 0 });
    t.store.failNext(1000);
    t.src.put(t.src.lb('a', '10.0.0.1'));
    await t.clock.advance(0);
    assert.equal(t.bridge.scheduler.failures, 1);
    await t.clock.advance(10_000);
    assert.ok(t.bridge.scheduler.failures >= 3, `retried (waits of at most 2 s, then 4 s): ${t.bridge.scheduler.failures} failures in 10 s`);
    assert.equal(t.bridge.health().ok, true);
    await t.clock.advance(175_000);
    assert.equal(t.bridge.health().ok, false);
    assert.match(t.bridge.health().reason ?? '', /no sync has succeeded/);
    t.store.failNext(0);
    await t.clock.advance(31_000);
    assert.deepEqual(t.names(), ['ns/a']);
    assert.equal(t.bridge.health().ok, true);
    await t.stop();
  });

  test('a new ZooKeeper session asks for a full sync, which relists the Services', async () => {
    const t = setup();
    t.src.put(t.src.lb('a', '10.0.0.1'));
    await t.clock.advance(0);
    const lists = t.src.lists();
    t.store.expire();
    await t.clock.advance(0);
    assert.equal(t.src.lists(), lists + 1);
    await t.stop();
  });
});
