// The ZooKeeper directory store against a real ZooKeeper 3.8 (test/helpers/zookeeper.ts): the
// document and owners created from nothing by racing writers, concurrent registrants losing no
// update, the document watch firing for other writers' changes and re-armed after a restart and
// after an expired session, and a hung (frozen) server noticed by the probe. Skipped when Java or
// the ZooKeeper jar is missing, unless KUBERATOR_REQUIRE_ZK is set.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { systemClock } from '../src/daemons/common/clock.js';
import { decodeDocument, decodeOwners } from '../src/daemons/discovery/document.js';
import { listDirectory, register } from '../src/daemons/discovery/registry.js';
import { type StoreEvent, ZooKeeperDirectoryStore } from '../src/daemons/discovery/zookeeper-store.js';
import { startZooKeeper, type ZooKeeperServer, zookeeperSkipReason } from './helpers/zookeeper.js';

const skip = zookeeperSkipReason();

async function waitFor<T>(what: string, f: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await Promise.resolve(f()).catch(() => undefined);
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('ZooKeeper directory store', { skip, timeout: 120_000 }, () => {
  let zk: ZooKeeperServer;
  const open: ZooKeeperDirectoryStore[] = [];
  const store = async (documentPath: string, sessionTimeoutMs = 4000, onEvent?: (e: StoreEvent) => void) => {
    const s = await ZooKeeperDirectoryStore.open({ connect: zk.connectString, documentPath, sessionTimeoutMs, clock: systemClock, ...(onEvent ? { onEvent } : {}) });
    open.push(s);
    return s;
  };

  before(async () => {
    zk = await startZooKeeper();
  });
  after(async () => {
    await Promise.all(open.map((s) => s.close()));
    await zk?.close();
  });

  test('writers racing to create the document from nothing all land', async () => {
    const path = '/race/a/services';
    const writers = await Promise.all([0, 1, 2, 3].map(() => store(path)));
    const results = await Promise.all(writers.map((s, i) => register(s, { name: `svc-${i}`, description: '', endpoints: [`10.0.0.${i}:80`] }, { owner: `static:w${i}`, clock: systemClock })));
    const d = await listDirectory(writers[0]!);
    assert.deepEqual(d.services.map((s) => [s.name, s.owner]), [0, 1, 2, 3].map((i) => [`svc-${i}`, `static:w${i}`]));
    assert.ok(results.reduce((n, r) => n + r.conflicts, 0) > 0, 'some creates met NODE_EXISTS and were retried');
    assert.equal(d.version, 3, 'one write per registrant: the document went through versions 0..3');
  });

  test('a write based on version 0 fails once the node has moved on (the client library would send "any version")', async () => {
    const path = '/version-zero/services';
    const [a, b] = await Promise.all([store(path), store(path)]);
    assert.equal((await a.commit({}, Buffer.from('{"services":[]}'), Buffer.from('{}'))).ok, true);
    const base = await a.read();
    assert.equal(base.document!.version, 0);
    const moved = await b.commit(await b.read(), Buffer.from('{"services":[{"name":"x","description":"","endpoints":[]}]}'), Buffer.from('{"x":"static:b"}'));
    assert.equal(moved.ok, true);
    const stale = await a.commit(base, Buffer.from('{"services":[]}'), undefined);
    assert.equal(stale.ok, false, 'setData against version 0 must not overwrite version 1');
    const staleCheck = await a.commit(base, undefined, Buffer.from('{}'));
    assert.equal(staleCheck.ok, false, 'nor may a check against version 0 pass');
  });

  test('a reply cut off by a dropped connection, or one that cannot be decoded, costs a reconnect, not the process', async () => {
    const path = '/framing/services';
    const s = await store(path);
    await register(s, { name: 'svc', description: '', endpoints: ['10.0.0.1:80'] }, { owner: 'static:t', clock: systemClock });
    type Conn = { pendingBuffer: Buffer | null; socket: { destroy(): void }; onSocketData(b: Buffer): void };
    const conn = () => (s as unknown as { client: { connectionManager: Conn } }).client.connectionManager;
    // Half a reply left over from a connection that dropped: the next connection must not see it.
    conn().pendingBuffer = Buffer.from([0, 0, 0, 40, 1, 2, 3]);
    conn().socket.destroy();
    assert.deepEqual((await waitFor('a read after the reconnect', () => listDirectory(s))).services.map((e) => e.name), ['svc']);
    // A watch notification with no body: decoding it throws inside the socket's data handler.
    const broken = Buffer.alloc(20);
    broken.writeInt32BE(16, 0);
    broken.writeInt32BE(-1, 4);
    assert.doesNotThrow(() => conn().onSocketData(broken));
    assert.deepEqual((await waitFor('a read after the dropped connection', () => listDirectory(s))).services.map((e) => e.name), ['svc']);
  });

  test('many registrants in parallel: no update lost', async () => {
    const path = '/parallel/services';
    const writers = await Promise.all([0, 1, 2, 3, 4].map(() => store(path)));
    await Promise.all(writers.map(async (s, w) => {
      for (let i = 0; i < 10; i++) await register(s, { name: `w${w}-${i}`, description: '', endpoints: [`h${w}:${1000 + i}`] }, { owner: `static:w${w}`, clock: systemClock });
    }));
    const snap = await writers[0]!.read();
    const doc = decodeDocument(snap.document!.data);
    const owners = decodeOwners(snap.owners!.data);
    assert.equal(doc.services.length, 50);
    for (const s of doc.services) assert.equal(owners[s.name], `static:${s.name.split('-')[0]}`);
    assert.equal(snap.document!.version, 49, 'exactly one write each');
  });

  test('the document watch fires for other writers, and again after a server restart and an expired session', async () => {
    const path = '/watched/services';
    const events: StoreEvent[] = [];
    const watcher = await store(path, 2000, (e) => events.push(e));
    const writer = await store(path, 8000);
    const seen: string[] = [];
    watcher.onChange((why) => seen.push(why));
    await watcher.read();
    // The writer lives through the same faults; a write that meets one is retried, as a registrant would.
    const write = (name: string) => waitFor(`write ${name}`, () => register(writer, { name, description: '', endpoints: ['h:1'] }, { owner: 'static:w', clock: systemClock }).then(() => true), 30_000);

    await write('one');
    await waitFor('the watch on creation', () => seen.includes('document'));

    seen.length = 0;
    await zk.restart();
    await waitFor('a reconnection', () => seen.includes('session'));
    await write('two');
    await waitFor('the watch after the restart', () => seen.includes('document'));

    // Frozen past the 2 s session timeout: the probe gives up on the client, a new one gets a new
    // session, and the watch is set again on it.
    seen.length = 0;
    const sessions = watcher.sessions;
    zk.freeze();
    await new Promise((r) => setTimeout(r, 4500));
    zk.thaw();
    await waitFor('a new session', () => watcher.sessions > sessions && seen.includes('session'), 30_000);
    assert.ok(events.some((e) => e.type === 'replaced'), 'the client was replaced');
    seen.length = 0;
    await write('three');
    await waitFor('the watch on the new session', () => seen.includes('document'));
    const d = await listDirectory(watcher);
    assert.deepEqual(d.services.map((s) => s.name), ['one', 'three', 'two']);
  });

  test('operations on a frozen server fail within their deadline instead of hanging', async () => {
    const s = await store('/frozen/services', 3000);
    await s.read();
    zk.freeze();
    const t0 = Date.now();
    try {
      await assert.rejects(s.read(), (e) => (e as { code?: string }).code === 'KBR-DISC010');
    } finally {
      zk.thaw();
    }
    assert.ok(Date.now() - t0 < 3000, `failed after ${Date.now() - t0} ms (deadline 2 s)`);
    await waitFor('reads again', async () => (await s.read().then(() => true, () => false)) || undefined, 30_000);
  });
});
