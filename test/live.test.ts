// readLiveObjects against a real kube-apiserver 1.20 (test/helpers/kube-env.ts): which objects come
// back, under which versions, what is stripped, and how a bad server, token or context fails.
// Skipped when the server binary is missing, unless KUBERATOR_REQUIRE_LIVE is set.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { dump, load } from 'js-yaml';
import { type LiveOptions, readLiveObjects } from '../src/audit/live.js';
import type { KubeObject } from '../src/audit/objects.js';
import { KuberatorError } from '../src/errors.js';
import { adminClient, type KubeEnv, liveSkipReason, type Obj, startKubeEnv } from './helpers/kube-env.js';

const skip = liveSkipReason();

const meta = (name: string, namespace?: string, extra: Record<string, unknown> = {}) => ({ name, ...(namespace ? { namespace } : {}), ...extra });
const owner = (o: Obj) => ({ ownerReferences: [{ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, uid: o.metadata.uid, controller: true }] });
const labels = { app: 'web' };
const podSpec = { containers: [{ name: 'app', image: 'nginx:1.25', resources: { requests: { cpu: '100m', memory: '64Mi' } } }] };
const template = { metadata: { labels }, spec: podSpec };

/** `apiVersion kind namespace/name`, sorted: the shape the assertions compare. */
const keys = (objects: KubeObject[]) => objects.map((o) => `${o.apiVersion} ${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`).sort();

/** The top-level objects outside the system namespaces. */
const USER_OBJECTS = [
  'v1 Namespace default',
  'v1 Namespace team-a',
  'v1 Namespace team-b',
  'storage.k8s.io/v1 StorageClass gp3',
  'apps/v1 Deployment team-a/web',
  'batch/v1beta1 CronJob team-a/nightly',
  'batch/v1 Job team-a/migrate',
  'v1 Pod team-a/solo',
  'v1 Pod team-a/stray',
  'v1 Service default/kubernetes',
  'v1 Service team-a/web',
  'policy/v1beta1 PodDisruptionBudget team-a/web',
  'autoscaling/v2beta2 HorizontalPodAutoscaler team-a/web',
  'apps/v1 StatefulSet team-b/db',
  'v1 Service team-b/db',
  'v1 ServiceAccount team-b/app',
  'v1 PersistentVolumeClaim team-b/data-db-0',
  'networking.k8s.io/v1 NetworkPolicy team-b/deny-all',
  'networking.k8s.io/v1 Ingress team-b/web',
].sort();

const SYSTEM_OBJECTS = [
  'v1 Namespace kube-system',
  'v1 Namespace kube-public',
  'v1 Namespace kube-node-lease',
  'apps/v1 DaemonSet kube-system/node-agent',
  'apps/v1 Deployment kube-system/coredns',
  'v1 ServiceAccount kube-system/auditor',
];

describe('readLiveObjects against kube-apiserver 1.20', { skip }, () => {
  let env: KubeEnv;
  /** A kubeconfig for a service account that may list everything but CronJobs. */
  let auditorKubeconfig: string;

  before(async () => {
    env = await startKubeEnv();
    const { kc, create } = await adminClient(env);

    for (const ns of ['team-a', 'team-b']) await create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    await create({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'gp3' }, provisioner: 'ebs.csi.aws.com' });

    // team-a: a Deployment with its ReplicaSet and pods, a CronJob with its Job and pod, strays.
    const web = await create({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta('web', 'team-a', { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"big":"json"}', owner: 'team-a' } }),
      spec: { replicas: 2, selector: { matchLabels: labels }, template },
    });
    const rs = await create({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: meta('web-5d8f', 'team-a', owner(web)), spec: { replicas: 2, selector: { matchLabels: labels }, template } });
    for (const n of ['web-5d8f-aaaaa', 'web-5d8f-bbbbb']) await create({ apiVersion: 'v1', kind: 'Pod', metadata: meta(n, 'team-a', { labels, ...owner(rs) }), spec: podSpec });
    await create({ apiVersion: 'v1', kind: 'Pod', metadata: meta('solo', 'team-a'), spec: podSpec });
    // Its controller is gone (not read): audited itself.
    await create({ apiVersion: 'v1', kind: 'Pod', metadata: meta('stray', 'team-a', owner({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'gone', uid: '0b5a8f52-0000-4000-8000-000000000000' } })), spec: podSpec });
    await create({ apiVersion: 'v1', kind: 'Service', metadata: meta('web', 'team-a'), spec: { selector: labels, ports: [{ port: 80 }] } });
    await create({ apiVersion: 'policy/v1beta1', kind: 'PodDisruptionBudget', metadata: meta('web', 'team-a'), spec: { minAvailable: 1, selector: { matchLabels: labels } } });
    await create({
      apiVersion: 'autoscaling/v2beta2',
      kind: 'HorizontalPodAutoscaler',
      metadata: meta('web', 'team-a'),
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 2, maxReplicas: 5, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }] },
    });
    const jobTemplate = { spec: { template: { spec: { ...podSpec, restartPolicy: 'Never' } } } };
    const cron = await create({ apiVersion: 'batch/v1beta1', kind: 'CronJob', metadata: meta('nightly', 'team-a'), spec: { schedule: '0 3 * * *', jobTemplate } });
    const job = await create({ apiVersion: 'batch/v1', kind: 'Job', metadata: meta('nightly-27000000', 'team-a', owner(cron)), spec: jobTemplate.spec });
    await create({ apiVersion: 'v1', kind: 'Pod', metadata: meta('nightly-27000000-x1', 'team-a', owner(job)), spec: { ...podSpec, restartPolicy: 'Never' } });
    await create({ apiVersion: 'batch/v1', kind: 'Job', metadata: meta('migrate', 'team-a'), spec: jobTemplate.spec });
    await create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('settings', 'team-a'), data: { a: '1' } });

    // team-b: a StatefulSet and its pod, storage, networking.
    const db = await create({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: meta('db', 'team-b'), spec: { serviceName: 'db', replicas: 1, selector: { matchLabels: labels }, template } });
    await create({ apiVersion: 'v1', kind: 'Pod', metadata: meta('db-0', 'team-b', { labels, ...owner(db) }), spec: podSpec });
    await create({ apiVersion: 'v1', kind: 'Service', metadata: meta('db', 'team-b'), spec: { clusterIP: 'None', selector: labels, ports: [{ port: 5432 }] } });
    await create({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: meta('data-db-0', 'team-b'), spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'gp3', resources: { requests: { storage: '10Gi' } } } });
    await create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('app', 'team-b') });
    await create({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: meta('deny-all', 'team-b'), spec: { podSelector: {}, policyTypes: ['Ingress'] } });
    await create({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: meta('web', 'team-b'),
      spec: { rules: [{ host: 'db.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'db', port: { number: 5432 } } } }] } }] },
    });

    // kube-system: read only with includeSystem.
    const agent = await create({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: meta('node-agent', 'kube-system'), spec: { selector: { matchLabels: labels }, template } });
    await create({ apiVersion: 'v1', kind: 'Pod', metadata: meta('node-agent-q7x2p', 'kube-system', { labels, ...owner(agent) }), spec: podSpec });
    await create({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta('coredns', 'kube-system'), spec: { selector: { matchLabels: labels }, template } });

    // A service account allowed to list everything but CronJobs; its token comes from the TokenRequest API.
    await create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('auditor', 'kube-system') });
    const groups = ['', 'apps', 'policy', 'autoscaling', 'networking.k8s.io', 'storage.k8s.io'];
    await create({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'auditor' },
      rules: [{ apiGroups: groups, resources: ['*'], verbs: ['get', 'list'] }, { apiGroups: ['batch'], resources: ['jobs'], verbs: ['get', 'list'] }],
    });
    await create({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'auditor' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'auditor' },
      subjects: [{ kind: 'ServiceAccount', name: 'auditor', namespace: 'kube-system' }],
    });
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const tr = await core.createNamespacedServiceAccountToken({ name: 'auditor', namespace: 'kube-system', body: { spec: { audiences: [], expirationSeconds: 3600 } } });
    auditorKubeconfig = kubeconfigVariant('auditor', (c) => (c.users[0]!.user.token = tr.status!.token));
  });

  after(async () => {
    await env?.stop();
  });

  /** A copy of the env's kubeconfig, changed by `edit`. */
  function kubeconfigVariant(name: string, edit: (c: KubeconfigDoc) => void): string {
    const doc = load(readFileSync(env.kubeconfig, 'utf8')) as KubeconfigDoc;
    edit(doc);
    const file = join(env.dir, `kubeconfig-${name}`);
    writeFileSync(file, dump(doc));
    return file;
  }

  test('reads the top-level objects of every namespace but the system ones', async () => {
    const r = await readLiveObjects({ kubeconfig: env.kubeconfig });
    assert.deepEqual(keys(r.objects), USER_OBJECTS);
    assert.deepEqual(r.warnings, []);
    assert.deepEqual(r.server, { gitVersion: 'v1.20.2', minor: '1.20' });
    assert.equal(r.context, 'kuberator-test');
  });

  test('includeSystem adds kube-system, kube-public and kube-node-lease', async () => {
    const r = await readLiveObjects({ kubeconfig: env.kubeconfig, includeSystem: true });
    assert.deepEqual(keys(r.objects), [...USER_OBJECTS, ...SYSTEM_OBJECTS].sort());
  });

  test('namespace reads one namespace, its Namespace object and the cluster-scoped kinds', async () => {
    const r = await readLiveObjects({ kubeconfig: env.kubeconfig, namespace: 'team-b' });
    assert.deepEqual(keys(r.objects), USER_OBJECTS.filter((k) => k.includes(' team-b/') || k.endsWith('Namespace team-b') || k.includes('StorageClass')));
    const sys = await readLiveObjects({ kubeconfig: env.kubeconfig, namespace: 'kube-system' });
    assert.ok(keys(sys.objects).includes('apps/v1 DaemonSet kube-system/node-agent'), 'a system namespace named explicitly is read');
  });

  test('objects carry the version they were served under, as served, minus managedFields and last-applied', async () => {
    const r = await readLiveObjects({ kubeconfig: env.kubeconfig, namespace: 'team-a' });
    for (const o of r.objects) assert.equal(o.servedVersion, o.apiVersion, `${o.kind}/${o.name}`);
    const web = r.objects.find((o) => o.kind === 'Deployment' && o.name === 'web')!;
    assert.equal(web.raw.apiVersion, 'apps/v1');
    assert.equal(web.raw.kind, 'Deployment');
    const m = web.raw.metadata as Record<string, unknown>;
    assert.equal(m.managedFields, undefined);
    assert.deepEqual(m.annotations, { owner: 'team-a' });
    assert.deepEqual(web.annotations, { owner: 'team-a' });
    assert.equal(typeof m.creationTimestamp, 'string', 'plain JSON, not client-node models');
    assert.equal(web.source, undefined);
    const hpa = r.objects.find((o) => o.kind === 'HorizontalPodAutoscaler')!;
    assert.deepEqual((hpa.raw.spec as { metrics: unknown[] }).metrics[0], { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } });
  });

  test('a kind the user may not list is a warning; what its objects own is then read', async () => {
    const r = await readLiveObjects({ kubeconfig: auditorKubeconfig });
    assert.equal(r.warnings.length, 1, r.warnings.join('\n'));
    assert.match(r.warnings[0]!, /^skipped CronJobs: cronjobs\.batch is forbidden: User "system:serviceaccount:kube-system:auditor" cannot list resource "cronjobs" in API group "batch" at the cluster scope$/);
    const expected = [...USER_OBJECTS.filter((k) => !k.includes('CronJob')), 'batch/v1 Job team-a/nightly-27000000'].sort();
    assert.deepEqual(keys(r.objects), expected);
  });

  test('an unreachable server is KBR-LIVE001 naming the server, the context and the cause', async () => {
    const port = Number(new URL(env.server).port) === 1 ? 2 : 1;
    const file = kubeconfigVariant('wrong-port', (c) => (c.clusters[0]!.cluster.server = `https://127.0.0.1:${port}`));
    await assertLiveError({ kubeconfig: file }, 'KBR-LIVE001', `cannot reach the Kubernetes API server https://127.0.0.1:${port} (context "kuberator-test"): connection refused`);
  });

  test('an untrusted server certificate is KBR-LIVE001 with the TLS cause', async () => {
    const file = kubeconfigVariant('no-ca', (c) => delete c.clusters[0]!.cluster['certificate-authority-data']);
    await assertLiveError({ kubeconfig: file }, 'KBR-LIVE001', /^cannot reach the Kubernetes API server https:\/\/127\.0\.0\.1:\d+ \(context "kuberator-test"\): TLS: self[- ]signed certificate \(DEPTH_ZERO_SELF_SIGNED_CERT\)$/);
  });

  test('a rejected token is KBR-LIVE003: 401 Unauthorized', async () => {
    const file = kubeconfigVariant('bad-token', (c) => (c.users[0]!.user.token = 'not-a-valid-token'));
    await assertLiveError({ kubeconfig: file }, 'KBR-LIVE003', `the API server ${env.server} (context "kuberator-test") rejected the credentials of user "kuberator-admin" (401 Unauthorized)`);
  });

  test('an unknown context, a missing kubeconfig or namespace are clear errors', async () => {
    await assertLiveError({ kubeconfig: env.kubeconfig, context: 'prod' }, 'KBR-LIVE002', `context "prod" is not in kubeconfig ${env.kubeconfig} (contexts: kuberator-test)`);
    const missing = join(env.dir, 'no-such-kubeconfig');
    await assertLiveError({ kubeconfig: missing }, 'KBR-LIVE002', `cannot read kubeconfig ${missing}: no such file`);
    const broken = join(env.dir, 'kubeconfig-broken');
    writeFileSync(broken, 'clusters: [\n');
    await assertLiveError({ kubeconfig: broken }, 'KBR-LIVE002', /^kubeconfig .*kubeconfig-broken is not valid: /);
    await assertLiveError({ kubeconfig: env.kubeconfig, namespace: 'team-z' }, 'KBR-LIVE005', `namespace "team-z" does not exist on ${env.server} (context "kuberator-test")`);
  });
});

interface KubeconfigDoc {
  clusters: Array<{ cluster: Record<string, string> }>;
  users: Array<{ user: Record<string, string> }>;
}

async function assertLiveError(opts: LiveOptions, code: string, message: string | RegExp): Promise<void> {
  await assert.rejects(readLiveObjects(opts), (e: unknown) => {
    assert.ok(e instanceof KuberatorError, `a KuberatorError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.equal(e.source, 'user');
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    assert.doesNotMatch(e.message, /\n/, 'one line');
    return true;
  });
}
