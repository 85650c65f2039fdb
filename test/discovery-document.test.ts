// The discovery directory's pure parts: endpoints and canonical bytes (sorting, deduplication,
// IPv6 in brackets), decoding what others wrote, the ownership merge (other owners' and ownerless
// entries are never touched), Service → entry mapping, and the compare-and-set loop over the
// in-memory store (no rewrite of an unchanged document, retries on concurrent writes, size guard).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { manualClock } from '../src/daemons/common/clock.js';
import {
  canonicalDocument,
  decodeDocument,
  decodeOwners,
  DocumentError,
  encodeDocument,
  encodeOwners,
  endpoint,
  mergeOwned,
  normalizeEndpoint,
  ownedBy,
  type ServiceDocument,
} from '../src/daemons/discovery/document.js';
import { desiredEntries, type KubeService, mapService } from '../src/daemons/discovery/services.js';
import { DirectoryContended, DocumentTooLarge, MemoryDirectoryStore, updateDirectory } from '../src/daemons/discovery/store.js';
import { deregister, listDirectory, OwnershipConflict, register } from '../src/daemons/discovery/registry.js';
import { bridgeConfig, parseDuration } from '../src/daemons/discovery/config.js';
import { KuberatorError } from '../src/errors.js';

const code = (c: string) => (e: unknown) => e instanceof KuberatorError && e.code === c;

describe('endpoints', () => {
  test('host:port in canonical form: lower case, no trailing dot, decimal port', () => {
    assert.equal(normalizeEndpoint('DB.Example.COM.:05432'), 'db.example.com:5432');
    assert.equal(normalizeEndpoint(' 10.0.0.1:80 '), '10.0.0.1:80');
  });
  test('IPv6 hosts are written in brackets, however they were given', () => {
    assert.equal(endpoint('2001:DB8::1', 443), '[2001:db8::1]:443');
    assert.equal(normalizeEndpoint('[2001:db8::1]:443'), '[2001:db8::1]:443');
    assert.equal(normalizeEndpoint('2001:db8::1:443'), '[2001:db8::1]:443');
    assert.equal(endpoint('fe80::1%eth0', 80), '[fe80::1%eth0]:80');
  });
  test('malformed endpoints are input errors naming the endpoint', () => {
    for (const bad of ['db.example.com', 'db:0', 'db:65536', 'db:http', ':80', 'bad host:80', '[zz::1]:80']) {
      assert.throws(() => normalizeEndpoint(bad), (e) => e instanceof DocumentError && e.code === 'KBR-DISC001' && e.message.includes(bad.trim()), bad);
    }
  });
});

describe('canonical document', () => {
  const a = { name: 'b-queue', description: 'orders', endpoints: ['mq2:5672', 'MQ1:5672', 'mq1:5672'] };
  const b = { name: 'a-db', description: '', endpoints: ['[::1]:5432', '10.0.0.9:5432'] };

  test('services by name, endpoints sorted and deduplicated, one service per line', () => {
    assert.equal(
      encodeDocument({ services: [a, b] }).toString(),
      '{"services":[\n{"name":"a-db","description":"","endpoints":["10.0.0.9:5432","[::1]:5432"]},\n{"name":"b-queue","description":"orders","endpoints":["mq1:5672","mq2:5672"]}\n]}\n',
    );
  });
  test('equal directories have equal bytes whatever the input order', () => {
    const x = encodeDocument({ services: [a, b] });
    const y = encodeDocument({ services: [{ ...b, endpoints: [...b.endpoints].reverse() }, { ...a, endpoints: [...a.endpoints].reverse() }] });
    assert.ok(x.equals(y));
    assert.ok(encodeDocument(decodeDocument(x)).equals(x), 'decode then encode is the identity on canonical bytes');
  });
  test('names sort by code unit, so every runtime agrees', () => {
    const names = canonicalDocument({ services: ['b', 'B', 'a', 'é', 'A'].map((name) => ({ name, description: '', endpoints: [] })) }).services.map((s) => s.name);
    assert.deepEqual(names, ['A', 'B', 'a', 'b', 'é']);
  });
  test('an empty directory and an empty owners map', () => {
    assert.equal(encodeDocument({ services: [] }).toString(), '{"services":[]}\n');
    assert.equal(encodeOwners({}).toString(), '{}\n');
    assert.equal(encodeOwners({ b: 'static:x', a: 'k8s:one' }).toString(), '{\n"a":"k8s:one",\n"b":"static:x"\n}\n');
  });
  test('a name listed twice cannot be encoded', () => {
    assert.throws(() => encodeDocument({ services: [a, { ...a, description: 'x' }] }), code('KBR-DISC002'));
  });
});

describe('decoding what others wrote', () => {
  test('absent or empty data is an empty directory', () => {
    assert.deepEqual(decodeDocument(undefined), { services: [] });
    assert.deepEqual(decodeDocument(Buffer.alloc(0)), { services: [] });
    assert.deepEqual(decodeOwners(undefined), {});
  });
  test('hand-written entries keep odd endpoints as written; a repeated name keeps the first', () => {
    const doc = decodeDocument(Buffer.from(JSON.stringify({ services: [{ name: 'x', endpoints: ['weird endpoint', 'H:1'] }, { name: 'x', description: 'second', endpoints: [] }] })));
    assert.deepEqual(doc, { services: [{ name: 'x', description: '', endpoints: ['h:1', 'weird endpoint'] }] });
    assert.ok(encodeDocument(doc).toString().includes('"weird endpoint"'));
  });
  test('a document that is not the directory is an error, not an empty directory', () => {
    assert.throws(() => decodeDocument(Buffer.from('not json')), code('KBR-DISC003'));
    assert.throws(() => decodeDocument(Buffer.from('{"items":[]}')), code('KBR-DISC003'));
    assert.throws(() => decodeOwners(Buffer.from('[]')), code('KBR-DISC003'));
  });
});

describe('ownership merge', () => {
  const doc: ServiceDocument = {
    services: [
      { name: 'legacy/db', description: 'by hand', endpoints: ['db:5432'] },
      { name: 'shop/web', description: '', endpoints: ['1.2.3.4:80'] },
      { name: 'shop/old', description: '', endpoints: ['1.2.3.5:80'] },
      { name: 'queue', description: '', endpoints: ['mq:5672'] },
    ],
  };
  const owners = { 'shop/web': 'k8s:one', 'shop/old': 'k8s:one', queue: 'static:ops' };
  const me = 'k8s:one';

  test('adds, updates and removes only its own entries', () => {
    const r = mergeOwned(doc, owners, me, { upsert: [{ name: 'shop/web', description: 'new', endpoints: ['1.2.3.4:80'] }, { name: 'shop/api', description: '', endpoints: ['5.6.7.8:443'] }], remove: ['shop/old', 'queue', 'legacy/db'] });
    assert.deepEqual([r.added, r.updated, r.removed], [['shop/api'], ['shop/web'], ['shop/old']]);
    assert.deepEqual(r.document.services.map((s) => s.name), ['legacy/db', 'queue', 'shop/api', 'shop/web']);
    assert.deepEqual(r.owners, { 'shop/web': me, 'shop/api': me, queue: 'static:ops' });
    assert.deepEqual(r.conflicts, []);
  });
  test('a name held by another owner, or by nobody, is a conflict and stays as it is', () => {
    const r = mergeOwned(doc, owners, me, { upsert: [{ name: 'queue', description: 'mine', endpoints: ['x:1'] }, { name: 'legacy/db', description: 'mine', endpoints: ['y:1'] }], remove: [] });
    assert.deepEqual(r.conflicts, [{ name: 'legacy/db', heldBy: null }, { name: 'queue', heldBy: 'static:ops' }]);
    assert.ok(encodeDocument(r.document).equals(encodeDocument(doc)));
    assert.deepEqual(r.owners, owners);
  });
  test('an owner entry without a document entry (deleted by hand) is re-added when still wanted', () => {
    const r = mergeOwned({ services: [] }, { gone: me }, me, { upsert: [{ name: 'gone', description: '', endpoints: ['a:1'] }], remove: [] });
    assert.deepEqual(r.added, ['gone']);
    assert.deepEqual(ownedBy(r.owners, me), ['gone']);
  });
});

describe('Services to entries', () => {
  const svc = (name: string, extra: Partial<KubeService> & { annotations?: Record<string, string> } = {}): KubeService => ({
    metadata: { name, namespace: 'shop', annotations: extra.annotations ?? {} },
    spec: { type: 'LoadBalancer', ports: [{ port: 443 }, { port: 80 }], ...extra.spec },
    status: extra.status ?? { loadBalancer: { ingress: [{ ip: '203.0.113.7' }, { hostname: 'lb-1.elb.amazonaws.com' }] } },
  });

  test('a LoadBalancer with an address: every address with every port, named <namespace>/<name>', () => {
    assert.deepEqual(mapService(svc('web')).entry, { name: 'shop/web', description: '', endpoints: ['203.0.113.7:443', '203.0.113.7:80', 'lb-1.elb.amazonaws.com:443', 'lb-1.elb.amazonaws.com:80'] });
  });
  test('annotations name and describe the entry', () => {
    const e = mapService(svc('web', { annotations: { 'kuberator.dev/service-name': 'web-public', 'kuberator.dev/service-description': 'the shop' } })).entry;
    assert.deepEqual([e?.name, e?.description], ['web-public', 'the shop']);
  });
  test('a pending load balancer (no ingress yet) is not announced', () => {
    assert.equal(mapService(svc('web', { status: { loadBalancer: {} } })).skip, 'pending');
    assert.equal(mapService(svc('web', { status: { loadBalancer: { ingress: [] } } })).entry, undefined);
  });
  test('external IPs take precedence over the load balancer, on any type', () => {
    assert.deepEqual(mapService(svc('web', { spec: { type: 'LoadBalancer', externalIPs: ['198.51.100.1'], ports: [{ port: 80 }] } })).entry?.endpoints, ['198.51.100.1:80']);
    assert.deepEqual(mapService(svc('web', { spec: { type: 'ClusterIP', externalIPs: ['2001:db8::5'], ports: [{ port: 80 }] }, status: {} })).entry?.endpoints, ['[2001:db8::5]:80']);
  });
  test('ClusterIP and NodePort Services without external IPs are not external', () => {
    assert.equal(mapService(svc('web', { spec: { type: 'ClusterIP', ports: [{ port: 80 }] } })).skip, 'not-external');
    assert.equal(mapService(svc('web', { spec: { type: 'NodePort', ports: [{ port: 80 }] } })).skip, 'not-external');
  });
  test('the opt-out annotation set to "false" keeps a Service out; other values do not', () => {
    assert.equal(mapService(svc('web', { annotations: { 'kuberator.dev/discovery': 'false' } })).skip, 'opted-out');
    assert.ok(mapService(svc('web', { annotations: { 'kuberator.dev/discovery': 'true' } })).entry);
  });
  test('two Services claiming one name: the first by namespace/name wins, the clash is reported', () => {
    const name = { 'kuberator.dev/service-name': 'web' };
    const d = desiredEntries([svc('zeta', { annotations: name, status: { loadBalancer: { ingress: [{ ip: '10.0.0.2' }] } } }), svc('alpha', { annotations: name, status: { loadBalancer: { ingress: [{ ip: '10.0.0.1' }] } } })]);
    assert.deepEqual(d.entries.map((e) => e.endpoints[0]), ['10.0.0.1:443']);
    assert.deepEqual(d.duplicates, [{ name: 'web', services: ['shop/alpha', 'shop/zeta'] }]);
  });
});

describe('compare-and-set over the in-memory store', () => {
  const clock = manualClock(0);
  const entry = (name: string, ep = '10.0.0.1:80') => ({ name, description: '', endpoints: [ep] });

  test('the document is created from nothing, and an unchanged one is not rewritten', async () => {
    const store = new MemoryDirectoryStore();
    const up = () => updateDirectory(store, (d, o) => mergeOwned(d, o, 'k8s:a', { upsert: [entry('x')], remove: [] }), { clock });
    const first = await up();
    assert.deepEqual([first.written, first.version], [true, 0]);
    const second = await up();
    assert.deepEqual([second.written, second.version, store.commits], [false, 0, 1]);
    assert.equal(store.node(store.documentPath)?.version, 0);
  });
  test('nothing to announce into an absent directory creates nothing', async () => {
    const store = new MemoryDirectoryStore();
    const r = await updateDirectory(store, (d, o) => mergeOwned(d, o, 'k8s:a', { upsert: [], remove: [] }), { clock });
    assert.equal(r.written, false);
    assert.equal(store.node(store.documentPath), undefined);
  });
  test('a write that meets a concurrent one reads again and keeps both', async () => {
    const store = new MemoryDirectoryStore();
    let raced = false;
    const real = store.read.bind(store);
    store.read = async () => {
      const snap = await real();
      if (!raced) {
        raced = true;
        await register(store, entry('other', 'db:5432'), { owner: 'static:ops', clock: manualClock(0) });
      }
      return snap;
    };
    const c = manualClock(0);
    const p = updateDirectory(store, (d, o) => mergeOwned(d, o, 'k8s:a', { upsert: [entry('x')], remove: [] }), { clock: c, random: () => 0 });
    await c.advance(1000);
    const r = await p;
    assert.equal(r.conflicts, 1);
    assert.deepEqual(decodeDocument(store.node(store.documentPath)!.data).services.map((s) => s.name), ['other', 'x']);
  });
  test('endless contention gives up with a typed error', async () => {
    const store = new MemoryDirectoryStore();
    store.commit = async () => ({ ok: false, conflict: 'always' });
    const c = manualClock(0);
    const p = updateDirectory(store, (d, o) => mergeOwned(d, o, 'k8s:a', { upsert: [entry('x')], remove: [] }), { clock: c, maxTries: 3, random: () => 0 });
    const settled = assert.rejects(p, (e) => e instanceof DirectoryContended);
    await c.advance(5000);
    await settled;
  });
  test('a document above the size limit is refused and nothing is written', async () => {
    const store = new MemoryDirectoryStore();
    const many = Array.from({ length: 50 }, (_, i) => entry(`svc-${i}`));
    await assert.rejects(
      updateDirectory(store, (d, o) => mergeOwned(d, o, 'k8s:a', { upsert: many, remove: [] }), { clock, maxBytes: 1000 }),
      (e) => e instanceof DocumentTooLarge && e.limit === 1000 && e.bytes > 1000,
    );
    assert.equal(store.commits, 0);
  });
  test('dry run computes the document without writing', async () => {
    const store = new MemoryDirectoryStore();
    const r = await updateDirectory(store, (d, o) => mergeOwned(d, o, 'k8s:a', { upsert: [entry('x')], remove: [] }), { clock, dryRun: true });
    assert.equal(r.written, false);
    assert.match(r.document.toString(), /"x"/);
    assert.equal(store.commits, 0);
  });
  test('registrants: register, replace, refuse another owner’s name, deregister, list with owners', async () => {
    const store = new MemoryDirectoryStore();
    const ops = { owner: 'static:ops', clock };
    await register(store, { name: 'db', description: 'main', endpoints: ['db1:5432'] }, ops);
    const again = await register(store, { name: 'db', description: 'main', endpoints: ['db1:5432'] }, ops);
    assert.equal(again.written, false);
    await register(store, { name: 'db', description: 'main', endpoints: ['db2:5432'] }, ops);
    await assert.rejects(register(store, { name: 'db', description: '', endpoints: ['x:1'] }, { owner: 'static:other', clock }), (e) => e instanceof OwnershipConflict && e.heldBy === 'static:ops');
    await assert.rejects(deregister(store, 'db', { owner: 'static:other', clock }), (e) => e instanceof OwnershipConflict);
    assert.deepEqual((await listDirectory(store)).services, [{ name: 'db', description: 'main', endpoints: ['db2:5432'], owner: 'static:ops' }]);
    const gone = await deregister(store, 'db', ops);
    assert.deepEqual(gone.merge.removed, ['db']);
    assert.deepEqual((await listDirectory(store)).services, []);
    const none = await deregister(store, 'db', ops);
    assert.equal(none.written, false);
  });
});

describe('bridge settings', () => {
  test('durations', () => {
    assert.deepEqual(['500ms', '5s', '1m', '1m30s', '2', '1.5s'].map(parseDuration), [500, 5000, 60_000, 90_000, 2000, 1500]);
    assert.deepEqual(['', 'soon', '5 s', '-1s'].map(parseDuration), [undefined, undefined, undefined, undefined]);
  });
  test('defaults, and every problem reported at once', () => {
    const c = bridgeConfig({ zkConnect: 'zk1:2181,zk2:2181' });
    assert.deepEqual([c.owner, c.policy, c.intervalMs, c.minEventIntervalMs, c.zk.documentPath, c.zk.ownersPath, c.zk.sessionTimeoutMs], ['k8s:default', 'sync', 60_000, 5000, '/service-directory/services', '/service-directory/services.owners', 30_000]);
    assert.equal(bridgeConfig({ zkConnect: 'zk:2181', clusterId: 'prod-eu' }).owner, 'k8s:prod-eu');
    assert.throws(
      () => bridgeConfig({ interval: 'soon', docPath: 'relative', ownerId: 'x', clusterId: 'y' }),
      (e) => e instanceof KuberatorError && e.code === 'KBR-DISC040' && ['--zk-connect', '--interval', '--doc-path', 'not both'].every((s) => e.message.includes(s)),
    );
  });
});
