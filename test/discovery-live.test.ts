// The discovery bridge end to end, with real parts: kube-apiserver 1.20 (test/helpers/kube-env.ts)
// for Services, whose load balancer status the test sets through the status subresource as a cloud
// controller would, and a ZooKeeper 3.8 server (test/helpers/zookeeper.ts) holding the directory.
//
// The bridge runs as the daemon does (startBridge: informer, scheduler, ZooKeeper store, /healthz
// and /metrics) with a 60 s resync, so every change below is seen through the watch, not the
// periodic relist. Faults: the API server restarted, ZooKeeper restarted, ZooKeeper frozen past the
// session timeout; concurrent registrants writing the same document. Skipped when the servers are
// missing, unless KUBERATOR_REQUIRE_LIVE / KUBERATOR_REQUIRE_ZK is set.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { systemClock } from '../src/daemons/common/clock.js';
import { connectKube, type KubeHttp } from '../src/daemons/common/kube.js';
import { type BridgeHandle, type DaemonLog, runBridgeOnce, startBridge } from '../src/daemons/discovery/index.js';
import { bridgeConfig } from '../src/daemons/discovery/config.js';
import { decodeDocument, decodeOwners, encodeDocument } from '../src/daemons/discovery/document.js';
import { deregister, listDirectory, register } from '../src/daemons/discovery/registry.js';
import { DocumentTooLarge } from '../src/daemons/discovery/store.js';
import { ZooKeeperDirectoryStore } from '../src/daemons/discovery/zookeeper-store.js';
import { type KubeEnv, liveSkipReason, startKubeEnv } from './helpers/kube-env.js';
import { ROOT, runCliAsync } from './helpers/run-cli.js';
import { startZooKeeper, type ZooKeeperServer, zookeeperSkipReason } from './helpers/zookeeper.js';

const skip = liveSkipReason() ?? zookeeperSkipReason();
const NS = 'shop';
const DOC = '/service-directory/services';
const ME = 'k8s:test';

async function waitFor<T>(what: string, f: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await f();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('discovery bridge against kube-apiserver 1.20 and ZooKeeper 3.8', { skip, timeout: 240_000 }, () => {
  let env: KubeEnv;
  let zk: ZooKeeperServer;
  let kube: KubeHttp;
  let reader: ZooKeeperDirectoryStore;
  let handle: BridgeHandle;
  const logs: Array<{ at: number; e: DaemonLog }> = [];

  const api = async (path: string, req: Parameters<KubeHttp['request']>[1] = {}) => {
    const r = await kube.request(path, req);
    if (r.status >= 300) throw new Error(`${req.method ?? 'GET'} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body as Record<string, unknown>;
  };
  const svcPath = (name: string) => `/api/v1/namespaces/${NS}/services/${name}`;
  const createService = (name: string, opts: { ports?: number[]; annotations?: Record<string, string>; type?: string; externalIPs?: string[] } = {}) =>
    api(`/api/v1/namespaces/${NS}/services`, {
      method: 'POST',
      body: {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name, namespace: NS, annotations: opts.annotations ?? {} },
        spec: { type: opts.type ?? 'LoadBalancer', selector: { app: name }, ports: (opts.ports ?? [80]).map((port) => ({ name: `p${port}`, port, targetPort: 8080 })), ...(opts.externalIPs ? { externalIPs: opts.externalIPs } : {}) },
      },
    });
  const setIngress = (name: string, ingress: Array<{ ip?: string; hostname?: string }>) => api(`${svcPath(name)}/status`, { method: 'PATCH', body: { status: { loadBalancer: { ingress } } } });
  const patchService = (name: string, body: unknown) => api(svcPath(name), { method: 'PATCH', body });
  const deleteService = (name: string) => api(svcPath(name), { method: 'DELETE' });
  const announce = async (name: string, ip: string, opts: Parameters<typeof createService>[1] = {}) => {
    await createService(name, opts);
    await setIngress(name, [{ ip }]);
  };

  /** The directory as stored: entries by name, owners, the document's version. */
  const directory = async () => {
    const snap = await reader.read();
    const doc = decodeDocument(snap.document?.data);
    return { byName: new Map(doc.services.map((s) => [s.name, s])), owners: decodeOwners(snap.owners?.data), version: snap.document?.version, raw: snap.document?.data.toString() };
  };
  const waitEntry = (name: string, check: (e: { endpoints: string[]; description: string } | undefined) => boolean, what = name) =>
    waitFor(`directory entry ${what}`, async () => {
      const d = await directory();
      return check(d.byName.get(name)) ? d : undefined;
    });
  const syncsSince = (t: number) => logs.filter((l) => l.at >= t && l.e.type === 'sync');

  before(async () => {
    [env, zk] = await Promise.all([startKubeEnv(), startZooKeeper()]);
    kube = await connectKube({ kubeconfig: env.kubeconfig });
    await api('/api/v1/namespaces', { method: 'POST', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } } });
    reader = await ZooKeeperDirectoryStore.open({ connect: zk.connectString, documentPath: DOC, sessionTimeoutMs: 4000, clock: systemClock });
    const config = bridgeConfig({ zkConnect: zk.connectString, zkSessionTimeout: '2s', clusterId: 'test', interval: '60s', minEventSyncInterval: '0', kubeconfig: env.kubeconfig, port: '0' });
    handle = await startBridge(config, { clock: systemClock, log: (e) => logs.push({ at: Date.now(), e }) });
  });

  after(async () => {
    await handle?.stop();
    await reader?.close();
    kube?.close();
    await Promise.all([zk?.close(), env?.stop()]);
  });

  test('the document is created from nothing with the first announced Service, with its owner recorded', async () => {
    const before = await directory();
    assert.equal(before.version, undefined, 'no document yet');
    await announce('web', '203.0.113.10', { ports: [443, 80], annotations: { 'kuberator.dev/service-description': 'the shop front' } });
    const d = await waitEntry('shop/web', (e) => e !== undefined);
    assert.deepEqual(d.byName.get('shop/web'), { name: 'shop/web', description: 'the shop front', endpoints: ['203.0.113.10:443', '203.0.113.10:80'] });
    assert.equal(d.owners['shop/web'], ME);
    assert.ok(d.raw!.startsWith('{"services":[\n'), 'canonical bytes');
  });

  test('follows updates (addresses, ports, annotations) and deletion', async () => {
    await setIngress('web', [{ ip: '203.0.113.11' }, { hostname: 'web-1.elb.example.com' }]);
    await waitEntry('shop/web', (e) => e?.endpoints.join(' ') === '203.0.113.11:443 203.0.113.11:80 web-1.elb.example.com:443 web-1.elb.example.com:80', 'with new addresses');
    await patchService('web', { spec: { ports: [{ name: 'p8443', port: 8443, targetPort: 8080 }] } });
    await waitEntry('shop/web', (e) => e?.endpoints.join(' ') === '203.0.113.11:8443 web-1.elb.example.com:8443', 'with the new port');
    await patchService('web', { metadata: { annotations: { 'kuberator.dev/service-name': 'shop-front' } } });
    const renamed = await waitEntry('shop-front', (e) => e !== undefined);
    assert.equal(renamed.byName.has('shop/web'), false, 'the old name is gone');
    assert.deepEqual(renamed.owners, { 'shop-front': ME });
    await deleteService('web');
    const gone = await waitEntry('shop-front', (e) => e === undefined, 'shop-front removed');
    assert.deepEqual(gone.owners, {});
  });

  test('a pending load balancer is not announced until it has an address', async () => {
    await createService('pending');
    await announce('sentinel', '203.0.113.20');
    const d = await waitEntry('shop/sentinel', (e) => e !== undefined);
    assert.equal(d.byName.has('shop/pending'), false);
    await setIngress('pending', [{ hostname: 'pending.elb.example.com' }]);
    await waitEntry('shop/pending', (e) => e?.endpoints[0] === 'pending.elb.example.com:80');
    await setIngress('pending', []);
    await waitEntry('shop/pending', (e) => e === undefined, 'shop/pending removed once its address went');
  });

  test('the opt-out annotation keeps a Service out, and taking it back announces it', async () => {
    await announce('private', '203.0.113.30', { annotations: { 'kuberator.dev/discovery': 'false' } });
    await announce('sentinel2', '203.0.113.31');
    assert.equal((await waitEntry('shop/sentinel2', (e) => e !== undefined)).byName.has('shop/private'), false);
    await patchService('private', { metadata: { annotations: { 'kuberator.dev/discovery': null } } });
    await waitEntry('shop/private', (e) => e !== undefined);
    await patchService('private', { metadata: { annotations: { 'kuberator.dev/discovery': 'false' } } });
    await waitEntry('shop/private', (e) => e === undefined, 'shop/private opted out again');
  });

  test('external IPs are announced, IPv6 in brackets', async () => {
    await createService('ext', { type: 'ClusterIP', externalIPs: ['198.51.100.5', '2001:db8::5'], ports: [8080] });
    await waitEntry('shop/ext', (e) => e?.endpoints.join(' ') === '198.51.100.5:8080 [2001:db8::5]:8080');
  });

  test('entries of other owners, and entries without an owner, are never touched', async () => {
    const ops = await ZooKeeperDirectoryStore.open({ connect: zk.connectString, documentPath: DOC, sessionTimeoutMs: 4000, clock: systemClock });
    try {
      await register(ops, { name: 'billing-db', description: 'postgres', endpoints: ['db1.internal:5432'] }, { owner: 'static:ops', clock: systemClock });
      // A hand-written entry: the document changed, the owners node not.
      const snap = await ops.read();
      const doc = decodeDocument(snap.document!.data);
      doc.services.push({ name: 'legacy-api', description: 'by hand', endpoints: ['legacy.internal:8080'] });
      assert.equal((await ops.commit(snap, encodeDocument(doc), undefined)).ok, true);
      // Services claiming both names.
      await announce('billing', '203.0.113.40', { annotations: { 'kuberator.dev/service-name': 'billing-db' } });
      await announce('legacy', '203.0.113.41', { annotations: { 'kuberator.dev/service-name': 'legacy-api' } });
      await announce('sentinel3', '203.0.113.42');
      const d = await waitEntry('shop/sentinel3', (e) => e !== undefined);
      assert.deepEqual(d.byName.get('billing-db'), { name: 'billing-db', description: 'postgres', endpoints: ['db1.internal:5432'] });
      assert.deepEqual(d.byName.get('legacy-api'), { name: 'legacy-api', description: 'by hand', endpoints: ['legacy.internal:8080'] });
      assert.equal(d.owners['billing-db'], 'static:ops');
      assert.equal(d.owners['legacy-api'], undefined);
      const conflicts = await waitFor('the conflicts reported', async () => {
        const s = syncsSince(0).at(-1)?.e;
        return s?.type === 'sync' && s.report.conflicts.length === 2 ? s.report.conflicts : undefined;
      });
      assert.deepEqual(conflicts, [{ name: 'billing-db', heldBy: 'static:ops' }, { name: 'legacy-api', heldBy: null }]);
      // Deleting the claiming Services leaves the foreign entries alone.
      await deleteService('billing');
      await deleteService('legacy');
      await deleteService('sentinel3');
      const after = await waitEntry('shop/sentinel3', (e) => e === undefined, 'shop/sentinel3 removed');
      assert.ok(after.byName.has('billing-db') && after.byName.has('legacy-api'));
    } finally {
      await ops.close();
    }
  });

  test('an unchanged document is not rewritten: same version after no-op changes and a full resync', async () => {
    const { version } = await directory();
    assert.notEqual(version, undefined);
    const t = Date.now();
    await patchService('sentinel', { metadata: { labels: { touched: 'yes' } } });
    await waitFor('an event sync after the label change', async () => syncsSince(t).length > 0);
    const t2 = Date.now();
    handle.bridge.requestFull();
    const full = await waitFor('a full sync', async () => syncsSince(t2).find((l) => l.e.type === 'sync' && l.e.kind === 'full'));
    assert.equal(full.e.type === 'sync' && full.e.report.written, false);
    assert.equal((await directory()).version, version);
  });

  test('/healthz and /metrics are served', async () => {
    const url = handle.server!.url;
    const h = await fetch(`${url}/healthz`);
    assert.equal(h.status, 200);
    const m = await (await fetch(`${url}/metrics`)).text();
    assert.match(m, /kuberator_discovery_syncs_total\{kind="full",result="ok"\} [1-9]/);
    assert.match(m, /kuberator_discovery_writes_total [1-9]/);
    assert.match(m, /kuberator_discovery_ownership_conflicts 0/);
  });

  test('the API server restarted mid-watch: changes made around the restart all arrive', async () => {
    await announce('before-restart', '203.0.113.50');
    await waitEntry('shop/before-restart', (e) => e !== undefined);
    const t = Date.now();
    await env.restartApiserver();
    await setIngress('before-restart', [{ ip: '203.0.113.51' }]);
    await announce('after-restart', '203.0.113.52');
    await deleteService('sentinel');
    await waitFor('the document after the restart', async () => {
      const d = await directory();
      return d.byName.get('shop/before-restart')?.endpoints[0] === '203.0.113.51:80' && d.byName.has('shop/after-restart') && !d.byName.has('shop/sentinel');
    });
    const restarts = logs.filter((l) => l.at >= t && l.e.type === 'watch' && (l.e.event as { type: string }).type === 'restart');
    assert.ok(restarts.length > 0, 'the watch was re-established');
    assert.ok(!logs.some((l) => l.at >= t && l.e.type === 'sync' && l.e.kind === 'full'), 'recovered by the informer (re-watch or relist), not by the periodic resync');
  });

  test('ZooKeeper restarted: changes made while it was down reach the document', async () => {
    await zk.stop();
    await announce('during-zk-outage', '203.0.113.60');
    await new Promise((r) => setTimeout(r, 1500));
    await zk.start();
    await waitEntry('shop/during-zk-outage', (e) => e !== undefined);
  });

  test('ZooKeeper frozen past the session timeout: a new session, and the document is right again', async () => {
    const store = handle.store as ZooKeeperDirectoryStore;
    const sessions = store.sessions;
    zk.freeze();
    try {
      await announce('during-freeze', '203.0.113.70');
      await deleteService('during-zk-outage');
      await new Promise((r) => setTimeout(r, 5000));
    } finally {
      zk.thaw();
    }
    await waitFor('the document after the freeze', async () => {
      const d = await directory();
      return d.byName.has('shop/during-freeze') && !d.byName.has('shop/during-zk-outage');
    }, 30_000);
    assert.ok(store.sessions > sessions, `a new ZooKeeper client was created (sessions ${sessions} → ${store.sessions})`);
  });

  test('registrants writing alongside the bridge lose no update', async () => {
    const stores = await Promise.all([1, 2, 3].map(() => ZooKeeperDirectoryStore.open({ connect: zk.connectString, documentPath: DOC, sessionTimeoutMs: 4000, clock: systemClock })));
    try {
      const names = (r: number) => Array.from({ length: 12 }, (_, i) => `static-${r}-${String(i).padStart(2, '0')}`);
      let conflicts = 0;
      await Promise.all([
        ...stores.map(async (s, r) => {
          for (const name of names(r)) conflicts += (await register(s, { name, description: `from ${r}`, endpoints: [`10.1.${r}.${names(r).indexOf(name)}:9000`] }, { owner: `static:r${r}`, clock: systemClock })).conflicts;
        }),
        (async () => {
          for (let i = 0; i < 6; i++) await announce(`burst-${i}`, `203.0.113.${100 + i}`);
        })(),
      ]);
      // Half of each registrant's entries go again, concurrently.
      await Promise.all(stores.map(async (s, r) => {
        for (const name of names(r).slice(0, 6)) await deregister(s, name, { owner: `static:r${r}`, clock: systemClock });
      }));
      const d = await waitFor('every bridge entry', async () => {
        const x = await directory();
        return [0, 1, 2, 3, 4, 5].every((i) => x.byName.has(`shop/burst-${i}`)) ? x : undefined;
      });
      for (const r of [0, 1, 2]) {
        for (const [i, name] of names(r).entries()) {
          if (i < 6) assert.equal(d.byName.has(name), false, `${name} deregistered`);
          else {
            assert.deepEqual(d.byName.get(name)?.endpoints, [`10.1.${r}.${i}:9000`], name);
            assert.equal(d.owners[name], `static:r${r}`);
          }
        }
      }
      for (let i = 0; i < 6; i++) assert.equal(d.owners[`shop/burst-${i}`], ME);
      assert.ok(conflicts > 0, 'the writers did meet each other (compare-and-set retried)');
      const listed = await listDirectory(stores[0]!);
      assert.equal(listed.services.filter((s) => s.owner?.startsWith('static:r')).length, 18);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  test('size guard: a document above the limit is refused and nothing is written', async () => {
    const config = bridgeConfig({ zkConnect: zk.connectString, zkSessionTimeout: '2s', clusterId: 'big', docPath: '/size-guard/services', maxDocumentBytes: '200', kubeconfig: env.kubeconfig });
    await assert.rejects(runBridgeOnce(config, { clock: systemClock }), (e) => e instanceof DocumentTooLarge && e.limit === 200);
    const probe = await ZooKeeperDirectoryStore.open({ connect: zk.connectString, documentPath: '/size-guard/services', sessionTimeoutMs: 4000, clock: systemClock });
    try {
      assert.deepEqual(await probe.read(), {});
    } finally {
      await probe.close();
    }
  });

  test('the daemon as a process (the package bin): JSON log lines, /healthz, a clean stop on SIGTERM', async () => {
    const child = spawn(process.execPath, [join(ROOT, 'dist/kuberator.mjs'), 'discovery-bridge', '--zk-connect', zk.connectString, '--kubeconfig', env.kubeconfig, '--cluster-id', 'proc', '--doc-path', '/proc/services', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    try {
      const url = await waitFor('the listening line', async () => /"msg":"listening","url":"([^"]+)"/.exec(err)?.[1]);
      await waitFor('a full sync', async () => err.includes('"msg":"sync","kind":"full"'));
      assert.equal((await fetch(`${url}/healthz`)).status, 200);
      const probe = await ZooKeeperDirectoryStore.open({ connect: zk.connectString, documentPath: '/proc/services', sessionTimeoutMs: 4000, clock: systemClock });
      try {
        const listed = await listDirectory(probe);
        assert.ok(listed.services.some((s) => s.name === 'shop/during-freeze' && s.owner === 'k8s:proc'));
      } finally {
        await probe.close();
      }
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number | null];
      assert.equal(code, 0, err);
      const lines = err.trim().split('\n');
      assert.ok(lines.every((l) => JSON.parse(l) && true), 'every log line is JSON');
      assert.match(lines.at(-1)!, /"msg":"stopped"/);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  test('CLI: discovery register, list, deregister, and discovery-bridge --once --dry-run', async () => {
    const zkFlags = ['--zk-connect', zk.connectString];
    let r = await runCliAsync(['discovery', 'register', 'orders-queue', '--endpoint', 'mq1.internal:5672', 'mq2.internal:5672', '--description', 'orders', ...zkFlags, '--owner', 'mq-team']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^registered orders-queue as static:mq-team \(document version \d+\)\n$/);
    r = await runCliAsync(['discovery', 'list', '-o', 'json', ...zkFlags]);
    const listed = JSON.parse(r.stdout) as { services: Array<{ name: string; owner: string; endpoints: string[] }> };
    assert.deepEqual(listed.services.find((s) => s.name === 'orders-queue'), { name: 'orders-queue', description: 'orders', endpoints: ['mq1.internal:5672', 'mq2.internal:5672'], owner: 'static:mq-team' });
    r = await runCliAsync(['discovery', 'deregister', 'orders-queue', ...zkFlags, '--owner', 'someone-else']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /'orders-queue' is held by static:mq-team/);
    r = await runCliAsync(['discovery', 'deregister', 'orders-queue', ...zkFlags, '--owner', 'mq-team']);
    assert.deepEqual([r.code, r.stdout], [0, 'deregistered orders-queue\n']);
    r = await runCliAsync(['discovery', 'list', ...zkFlags]);
    assert.match(r.stdout, /^NAME +OWNER +ENDPOINTS +DESCRIPTION\n/);
    assert.match(r.stdout, /\nbilling-db +static:ops +db1\.internal:5432 +postgres\n/);

    r = await runCliAsync(['discovery-bridge', '--once', '--dry-run', '--cluster-id', 'dry', '--doc-path', '/dry-run/services', ...zkFlags, '--kubeconfig', env.kubeconfig]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^\{"services":\[\n/);
    assert.match(r.stdout, /"name":"shop\/during-freeze"/);
    r = await runCliAsync(['discovery', 'list', '-o', 'json', ...zkFlags, '--doc-path', '/dry-run/services']);
    assert.deepEqual(JSON.parse(r.stdout), { services: [] }, 'the dry run wrote nothing');

    const t0 = Date.now();
    r = await runCliAsync(['discovery', 'list', '--zk-connect', '127.0.0.1:1', '--zk-session-timeout', '3s']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^error: ZooKeeper 127\.0\.0\.1:1 did not answer getData within 2000 ms\n$/);
    assert.ok(Date.now() - t0 < 5000, 'gives up after its deadline');

    r = await runCliAsync(['discovery-bridge', '--once', '--zk-connect', 'nonsense']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--zk-connect expects host:port/);
  });
});
