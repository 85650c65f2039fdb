// `kuberator audit --live` end to end: the CLI, in-process, against a real kube-apiserver 1.20
// (test/helpers/kube-env.ts) holding two app namespaces and something in kube-system. What is
// audited (owned objects are not, system namespaces only on request, --namespace limits it), which
// rules fire on which objects as served (policy/v1beta1, batch/v1beta1, autoscaling/v2beta2), the
// target version taken from the server, the three output shapes without file locations, exit codes,
// and the connection errors. Skipped when the server binary is missing, unless KUBERATOR_REQUIRE_LIVE is set.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { dump, load } from 'js-yaml';
import { adminClient, type KubeEnv, liveSkipReason, type Obj, startKubeEnv } from './helpers/kube-env.js';
import { closedPort } from './helpers/servers.js';
import { type CliRun, runCliAsync } from './helpers/run-cli.js';

const skip = liveSkipReason();

interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
}
interface JsonFinding {
  rule: string;
  severity: string;
  object?: ObjectRef;
  container?: string;
  path: string;
  location?: unknown;
  message: string;
  suppressed?: unknown;
}
interface JsonReport {
  kubernetesVersion: string;
  summary: Record<string, number>;
  findings: JsonFinding[];
}

const meta = (name: string, namespace: string, extra: Record<string, unknown> = {}) => ({ name, namespace, ...extra });
const owner = (o: Obj) => ({ ownerReferences: [{ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, uid: o.metadata.uid, controller: true }] });

// shop/web: one replica, image :latest, SYS_ADMIN, privileged, a
// memory request only (no CPU request, no memory limit).
const webLabels = { app: 'web' };
const webPodSpec = (privileged: boolean) => ({
  containers: [{ name: 'app', image: 'nginx:latest', securityContext: { ...(privileged ? { privileged: true } : {}), capabilities: { add: ['SYS_ADMIN'] } }, resources: { requests: { memory: '64Mi' } } }],
});
// shop/api: two replicas, a pinned image, requests and a memory limit only 10% above the request.
const apiLabels = { app: 'api' };
const apiPod = {
  containers: [{ name: 'api', image: 'registry.example.com/shop/api:1.4.2', resources: { requests: { cpu: '100m', memory: '100Mi' }, limits: { memory: '110Mi' } } }],
};
// Complete resources and a pinned image: what a workload that passes the resource rules looks like.
const goodResources = { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '96Mi' } };

/** `Kind namespace/name`. */
const label = (o: ObjectRef | undefined) => (o ? (o.namespace ? `${o.kind} ${o.namespace}/${o.name}` : `${o.kind} ${o.name}`) : '(none)');

function parse(r: CliRun): JsonReport {
  assert.equal(r.stderr, '', 'no warnings or errors on stderr');
  return JSON.parse(r.stdout) as JsonReport;
}

/** The objects each rule fired on (unsuppressed findings), sorted and deduplicated. */
function byRule(report: JsonReport): Map<string, string[]> {
  const m = new Map<string, Set<string>>();
  for (const f of report.findings) {
    if (f.suppressed) continue;
    let s = m.get(f.rule);
    if (!s) m.set(f.rule, (s = new Set()));
    s.add(label(f.object));
  }
  return new Map([...m].map(([k, v]) => [k, [...v].sort()]));
}

/** The objects with at least one finding. */
const objectsWithFindings = (report: JsonReport) => [...new Set(report.findings.map((f) => label(f.object)))].sort();

describe('kuberator audit --live against kube-apiserver 1.20', { skip }, () => {
  let env: KubeEnv;
  const audit = (...args: string[]) => runCliAsync(['audit', '--live', '--kubeconfig', env.kubeconfig, ...args]);

  before(async () => {
    env = await startKubeEnv();
    const { create } = await adminClient(env);

    for (const ns of ['shop', 'reports']) await create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });

    // shop: web (bad), its ReplicaSet and Pods (as bad, but owned), a Service and an Ingress without TLS.
    const webDeployment = (privileged: boolean) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta('web', 'shop', { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } }),
      spec: { replicas: 1, selector: { matchLabels: webLabels }, template: { metadata: { labels: webLabels }, spec: webPodSpec(privileged) } },
    });
    // kube-env starts the server with --allow-privileged=true, so a privileged container is stored.
    const web = await create(webDeployment(true));
    const webPod = webPodSpec(true);
    const rsLabels = { ...webLabels, 'pod-template-hash': '6b7c9d' };
    const rs = await create({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: meta('web-6b7c9d', 'shop', { labels: rsLabels, ...owner(web) }),
      spec: { replicas: 1, selector: { matchLabels: rsLabels }, template: { metadata: { labels: rsLabels }, spec: webPod } },
    });
    await create({ apiVersion: 'v1', kind: 'Pod', metadata: meta('web-6b7c9d-x7k2p', 'shop', { labels: rsLabels, ...owner(rs) }), spec: webPod });
    await create({ apiVersion: 'v1', kind: 'Service', metadata: meta('web', 'shop'), spec: { selector: webLabels, ports: [{ port: 80, targetPort: 8080 }] } });
    await create({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: meta('web', 'shop'),
      spec: { rules: [{ host: 'shop.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] },
    });
    // shop: api, two replicas behind a policy/v1beta1 PDB that lets none go.
    await create({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta('api', 'shop'), spec: { replicas: 2, selector: { matchLabels: apiLabels }, template: { metadata: { labels: apiLabels }, spec: apiPod } } });
    await create({ apiVersion: 'policy/v1beta1', kind: 'PodDisruptionBudget', metadata: meta('api', 'shop'), spec: { maxUnavailable: 0, selector: { matchLabels: apiLabels } } });

    // reports: a batch/v1beta1 CronJob with a Job and Pod it owns (both with an unpinned image), a
    // Deployment scaled by an autoscaling/v2beta2 HPA down to one pod, and a bare Pod.
    const jobSpec = { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'report', image: 'busybox:1.36.1', resources: goodResources }] } } };
    const cron = await create({ apiVersion: 'batch/v1beta1', kind: 'CronJob', metadata: meta('nightly', 'reports'), spec: { schedule: '0 3 * * *', startingDeadlineSeconds: 600, jobTemplate: { spec: jobSpec } } });
    const ownedPodSpec = { restartPolicy: 'OnFailure', containers: [{ name: 'report', image: 'busybox:latest' }] };
    const job = await create({ apiVersion: 'batch/v1', kind: 'Job', metadata: meta('nightly-27950000', 'reports', owner(cron)), spec: { template: { spec: ownedPodSpec } } });
    await create({ apiVersion: 'v1', kind: 'Pod', metadata: meta('nightly-27950000-q2w8z', 'reports', owner(job)), spec: ownedPodSpec });
    const workerLabels = { app: 'worker' };
    await create({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta('worker', 'reports'),
      spec: { selector: { matchLabels: workerLabels }, template: { metadata: { labels: workerLabels }, spec: { containers: [{ name: 'worker', image: 'registry.example.com/reports/worker:2.0.1', resources: goodResources }] } } },
    });
    await create({
      apiVersion: 'autoscaling/v2beta2',
      kind: 'HorizontalPodAutoscaler',
      metadata: meta('worker', 'reports'),
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'worker' }, minReplicas: 1, maxReplicas: 4, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }] },
    });
    await create({ apiVersion: 'v1', kind: 'Pod', metadata: meta('debug', 'reports'), spec: { containers: [{ name: 'shell', image: 'busybox', resources: goodResources }] } });

    // kube-system: audited only with --include-system or --namespace kube-system.
    const agentLabels = { app: 'metrics-agent' };
    await create({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta('metrics-agent', 'kube-system'),
      spec: { replicas: 1, selector: { matchLabels: agentLabels }, template: { metadata: { labels: agentLabels }, spec: { containers: [{ name: 'agent', image: 'example/metrics-agent:latest' }] } } },
    });
  });

  after(async () => {
    await env?.stop();
  });

  /** The top-level objects outside the system namespaces: what summary.objects counts by default. */
  const USER_OBJECTS = [
    'Namespace default',
    'Namespace shop',
    'Namespace reports',
    'Service default/kubernetes',
    'Deployment shop/web',
    'Service shop/web',
    'Ingress shop/web',
    'Deployment shop/api',
    'PodDisruptionBudget shop/api',
    'CronJob reports/nightly',
    'Deployment reports/worker',
    'HorizontalPodAutoscaler reports/worker',
    'Pod reports/debug',
  ];
  const OWNED = ['ReplicaSet shop/web-6b7c9d', 'Pod shop/web-6b7c9d-x7k2p', 'Job reports/nightly-27950000', 'Pod reports/nightly-27950000-q2w8z'];

  test('findings name the object as served, with no file location; owned objects and kube-system are left out', async () => {
    const r = await audit('-o', 'json');
    assert.equal(r.code, 1, 'errors fail the default --fail-on error');
    const report = parse(r);
    assert.equal(report.summary.objects, USER_OBJECTS.length);
    assert.ok(report.findings.length > 10, `findings: ${report.findings.length}`);
    for (const f of report.findings) {
      assert.ok(f.object, `${f.rule} has an object`);
      assert.deepEqual(Object.keys(f.object).sort(), ['apiVersion', 'kind', 'name', 'namespace']);
      assert.equal(f.location, undefined, `${f.rule} on ${label(f.object)} has no file location`);
      assert.ok(USER_OBJECTS.includes(label(f.object)), `${label(f.object)} (${f.rule}) is a top-level user object`);
      assert.notEqual(f.object.namespace, 'kube-system');
    }
    const seen = objectsWithFindings(report);
    for (const o of OWNED) assert.ok(!seen.includes(o), `${o} is audited through its controller, not itself`);

    // apiVersion is the version the object was read under, not the one it was created with.
    const apiVersions = new Map(report.findings.map((f) => [label(f.object), f.object!.apiVersion]));
    assert.equal(apiVersions.get('Deployment shop/web'), 'apps/v1');
    assert.equal(apiVersions.get('PodDisruptionBudget shop/api'), 'policy/v1beta1');
    assert.equal(apiVersions.get('HorizontalPodAutoscaler reports/worker'), 'autoscaling/v2beta2');
    assert.equal(apiVersions.get('Ingress shop/web'), 'networking.k8s.io/v1');
    assert.equal(apiVersions.get('Pod reports/debug'), 'v1');
  });

  test('the target version is the server’s minor; score and summary are consistent', async () => {
    const report = parse(await audit('-o', 'json'));
    assert.equal(report.kubernetesVersion, '1.20');
    const s = report.summary;
    for (const k of ['objects', 'errors', 'warnings', 'infos', 'suppressed', 'checks', 'passed', 'score']) assert.equal(typeof s[k], 'number', `summary.${k}`);
    const live = report.findings.filter((f) => !f.suppressed);
    assert.equal(s.errors, live.filter((f) => f.severity === 'error').length);
    assert.equal(s.warnings, live.filter((f) => f.severity === 'warning').length);
    assert.ok(s.errors > 0 && s.warnings > 0);
    assert.equal(s.malformed, 0);
    const { checks = 0, passed = 0, score = -1 } = s;
    assert.ok(checks > passed && passed > 0, `checks ${checks}, passed ${passed}`);
    assert.ok(score > 0 && score < 100, `score ${score}`);
  });

  test('resource rules fire on the containers that lack requests and limits, and on tight headroom', async () => {
    const report = parse(await audit('-o', 'json'));
    const rules = byRule(report);
    assert.deepEqual(rules.get('workload/cpu-requests'), ['Deployment shop/web']);
    assert.deepEqual(rules.get('workload/memory-limits'), ['Deployment shop/web']);
    assert.deepEqual(rules.get('workload/memory-headroom'), ['Deployment shop/api']);
    const headroom = report.findings.find((f) => f.rule === 'workload/memory-headroom')!;
    assert.equal(headroom.severity, 'warning');
    assert.equal(headroom.container, 'api');
    assert.equal(headroom.path, 'spec.template.spec.containers[0].resources.limits.memory');
    const cpu = report.findings.find((f) => f.rule === 'workload/cpu-requests')!;
    assert.equal(cpu.container, 'app');
    assert.equal(cpu.path, 'spec.template.spec.containers[0].resources');
  });

  test('image, privilege, disruption, replica, autoscaler, ingress and bare-pod rules fire on the right objects', async () => {
    const report = parse(await audit('-o', 'json'));
    const rules = byRule(report);
    // All of these groups are registered in src/rules/index.ts (images, pod-security, disruption,
    // placement, services, lifecycle).
    assert.deepEqual(rules.get('workload/image-tag'), ['Deployment shop/web', 'Pod reports/debug']);
    assert.deepEqual(rules.get('workload/dangerous-capabilities'), ['Deployment shop/web']);
    assert.deepEqual(rules.get('workload/pdb-blocks-drain'), ['PodDisruptionBudget shop/api']);
    const pdb = report.findings.find((f) => f.rule === 'workload/pdb-blocks-drain')!;
    assert.equal(pdb.severity, 'error');
    assert.equal(pdb.path, 'spec.maxUnavailable');
    assert.match(pdb.message, /maxUnavailable 0/);
    assert.match(pdb.message, /Deployment 'api' \(2 replicas\)/, 'the PDB is matched to the live Deployment it covers');
    // The worker's floor is the HPA's finding, not the Deployment's.
    assert.deepEqual(rules.get('workload/replicas'), ['Deployment shop/web']);
    assert.deepEqual(rules.get('workload/hpa-min-replicas'), ['HorizontalPodAutoscaler reports/worker']);
    assert.equal(rules.get('workload/hpa-target-missing'), undefined, 'the HPA finds its live target');
    assert.deepEqual(rules.get('workload/ingress-tls'), ['Ingress shop/web']);
    assert.equal(rules.get('workload/ingress-backend-missing'), undefined, 'the Ingress backend is the live Service');
    assert.deepEqual(rules.get('workload/bare-pod'), ['Pod reports/debug'], 'owned pods are not bare pods, and are not audited');
  });

  test('privileged containers are found on the Deployment that runs them', async () => {
    const report = parse(await audit('-o', 'json'));
    assert.deepEqual(byRule(report).get('workload/privileged'), ['Deployment shop/web']);
    const f = report.findings.find((x) => x.rule === 'workload/privileged')!;
    assert.equal(f.path, 'spec.template.spec.containers[0].securityContext.privileged');
    assert.equal(f.container, 'app');
  });

  test('removed APIs: none at the server’s own 1.20; batch/v1beta1 and policy/v1beta1 at --kubernetes-version 1.25', async () => {
    const at120 = byRule(parse(await audit('-o', 'json')));
    assert.equal(at120.get('workload/removed-api'), undefined);
    assert.equal(at120.get('workload/deprecated-api'), undefined, 'CronJob and PDB v1beta1 are deprecated from 1.21, HPA v2beta2 from 1.23');

    const report = parse(await audit('-o', 'json', '--kubernetes-version', '1.25'));
    assert.equal(report.kubernetesVersion, '1.25');
    const at125 = byRule(report);
    assert.deepEqual(at125.get('workload/removed-api'), ['CronJob reports/nightly', 'PodDisruptionBudget shop/api']);
    assert.deepEqual(at125.get('workload/deprecated-api'), ['HorizontalPodAutoscaler reports/worker'], 'autoscaling/v2beta2 is removed only in 1.26');
    const cron = report.findings.find((f) => f.rule === 'workload/removed-api' && f.object?.kind === 'CronJob')!;
    assert.deepEqual(cron.object, { apiVersion: 'batch/v1beta1', kind: 'CronJob', namespace: 'reports', name: 'nightly' });
    assert.match(cron.message, /^batch\/v1beta1 CronJob was removed in Kubernetes 1\.25 \(target 1\.25\); use batch\/v1$/);
  });

  test('--include-system adds kube-system; --namespace limits the audit to one namespace', async () => {
    const all = parse(await audit('-o', 'json', '--include-system'));
    assert.equal(all.summary.objects, USER_OBJECTS.length + 4, 'kube-system, kube-public, kube-node-lease and the agent Deployment');
    const sys = byRule(all);
    assert.ok(sys.get('workload/image-tag')?.includes('Deployment kube-system/metrics-agent'), JSON.stringify(sys.get('workload/image-tag')));
    assert.ok(sys.get('workload/cpu-requests')?.includes('Deployment kube-system/metrics-agent'));

    const shop = await audit('-o', 'json', '--namespace', 'shop');
    assert.equal(shop.code, 1);
    const s = parse(shop);
    assert.equal(s.summary.objects, 6, 'Namespace shop and its five top-level objects');
    assert.ok(s.findings.length > 0);
    for (const f of s.findings) assert.ok(f.object!.namespace === 'shop' || label(f.object) === 'Namespace shop', `${f.rule} on ${label(f.object)}`);
    assert.deepEqual(byRule(s).get('workload/image-tag'), ['Deployment shop/web']);

    // Named explicitly, a system namespace is audited.
    const ks = parse(await audit('-o', 'json', '-n', 'kube-system'));
    assert.deepEqual(objectsWithFindings(ks).filter((o) => o.startsWith('Deployment')), ['Deployment kube-system/metrics-agent']);
    for (const f of ks.findings) assert.ok(f.object!.namespace === 'kube-system' || label(f.object) === 'Namespace kube-system', `${f.rule} on ${label(f.object)}`);
  });

  test('exit codes follow --fail-on', async () => {
    const none = await audit('-o', 'json', '--fail-on', 'none');
    assert.equal(none.code, 0);
    assert.ok((parse(none).summary.errors ?? 0) > 0, 'the same errors, but they do not fail');
    // reports has warnings but no error at the default target: the bare Pod's untagged image is the only error.
    const reports = parse(await audit('-o', 'json', '-n', 'reports', '--fail-on', 'none'));
    const errors = reports.findings.filter((f) => f.severity === 'error' && !f.suppressed).map((f) => `${f.rule} ${label(f.object)}`);
    assert.deepEqual(errors, ['workload/image-tag Pod reports/debug']);
    assert.equal((await audit('-o', 'json', '-n', 'reports', '--fail-on', 'warning')).code, 1);
  });

  test('text output names the context and the server version, and objects without files', async () => {
    const r = await audit();
    assert.equal(r.code, 1);
    assert.equal(r.stderr, '');
    const first = r.stdout.split('\n')[0]!;
    assert.equal(first, `Audit  ${USER_OBJECTS.length} objects from context kuberator-test (Kubernetes v1.20.2), checked against Kubernetes 1.20`);
    assert.match(r.stdout, /score \d+\/100/);
    assert.match(r.stdout, /^Deployment shop\/web$/m, 'an object heading with no file after it');
    assert.match(r.stdout, /^PodDisruptionBudget shop\/api$/m);
    assert.doesNotMatch(r.stdout, /\.(ya?ml|json):\d+/, 'no file:line locations');
    // Live findings have no positions: they are grouped by object, each heading printed once.
    const headings = r.stdout.split('\n').filter((l) => /^[A-Z][A-Za-z]+ \S+$/.test(l) && l !== 'Suppressed');
    assert.ok(headings.length >= 8, headings.join('\n'));
    assert.equal(new Set(headings).size, headings.length, `each object once:\n${headings.join('\n')}`);
    assert.doesNotMatch(r.stdout, /ReplicaSet|web-6b7c9d|nightly-27950000/);
  });

  test('SARIF results have logical locations and no physical ones', async () => {
    const r = await audit('-o', 'sarif');
    assert.equal(r.code, 1);
    const sarif = JSON.parse(r.stdout) as { runs: Array<{ results: Array<{ ruleId: string; message: { text: string }; locations: Array<Record<string, unknown>> }> }> };
    const results = sarif.runs[0]!.results;
    const json = parse(await audit('-o', 'json'));
    assert.equal(results.length, json.findings.length);
    for (const res of results) {
      assert.equal(res.locations.length, 1);
      const loc = res.locations[0]!;
      assert.equal(loc.physicalLocation, undefined, `${res.ruleId}: no physicalLocation`);
      const logical = loc.logicalLocations as Array<{ fullyQualifiedName: string; kind: string }>;
      assert.equal(logical.length, 1);
      assert.equal(logical[0]!.kind, 'object');
      assert.match(logical[0]!.fullyQualifiedName, /^[A-Za-z]+\/([a-z0-9-]+\/)?[a-z0-9.-]+#\S+$/, logical[0]!.fullyQualifiedName);
    }
    const pdb = results.find((x) => x.ruleId === 'workload/pdb-blocks-drain')!;
    assert.equal((pdb.locations[0]!.logicalLocations as Array<{ fullyQualifiedName: string }>)[0]!.fullyQualifiedName, 'PodDisruptionBudget/shop/api#spec.maxUnavailable');
    assert.match(pdb.message.text, /^PodDisruptionBudget shop\/api: /);
  });

  test('JUnit has a suite per audited object, without file attributes', async () => {
    const r = await audit('-o', 'junit');
    assert.equal(r.code, 1);
    const suites = [...r.stdout.matchAll(/<testsuite name="([^"]+)"/g)].map((m) => m[1]!);
    assert.ok(suites.includes('Deployment shop/web') && suites.includes('PodDisruptionBudget shop/api'), suites.join('\n'));
    for (const o of OWNED) assert.ok(!suites.includes(o), `${o} has no suite`);
    assert.doesNotMatch(r.stdout, / file="/);
    assert.match(r.stdout, /<testcase classname="PodDisruptionBudget shop\/api" name="workload\/pdb-blocks-drain">\s*<failure type="error"/);
  });

  test('a closed port exits 2 with one line naming the server and the cause', async () => {
    const port = await closedPort();
    const file = kubeconfigVariant('closed-port', (c) => (c.clusters[0]!.cluster.server = `https://127.0.0.1:${port}`));
    const r = await runCliAsync(['audit', '--live', '--kubeconfig', file]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, `error: cannot reach the Kubernetes API server https://127.0.0.1:${port} (context "kuberator-test"): connection refused\n`);
  });

  test('an unknown --context exits 2 and lists the contexts', async () => {
    const r = await audit('--context', 'prod');
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, `error: context "prod" is not in kubeconfig ${env.kubeconfig} (contexts: kuberator-test)\n`);
  });

  test('live-only options without --live are usage errors', async () => {
    const r = await runCliAsync(['audit', 'examples/manifests/shop', '--namespace', 'shop']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, 'error: --namespace applies only with --live\n');
  });

  /** A copy of the env's kubeconfig, changed by `edit`. */
  function kubeconfigVariant(name: string, edit: (c: KubeconfigDoc) => void): string {
    const doc = load(readFileSync(env.kubeconfig, 'utf8')) as KubeconfigDoc;
    edit(doc);
    const file = join(env.dir, `kubeconfig-${name}`);
    writeFileSync(file, dump(doc));
    return file;
  }
});

interface KubeconfigDoc {
  clusters: Array<{ cluster: Record<string, string> }>;
}

