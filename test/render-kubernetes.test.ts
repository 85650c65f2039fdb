// The Kubernetes side of render: every object valid against its schema (Kubernetes OpenAPI, Flux,
// external-secrets and prometheus-operator CRDs) and served by the target Kubernetes minor, every
// level built by `kubectl kustomize`, the catalogue's scheduling and wiring, and the seams with
// the CloudFormation side (Pod Identity service accounts, team groups, log group, VPC).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseAllDocuments, stringify } from 'yaml';
import { auditManifests } from '../src/audit/index.js';
import { plan } from '../src/plan.js';
import { CATALOG } from '../src/render/kubernetes/catalog.js';
import { renderFiles } from '../src/render/index.js';
import { servedApiVersions, validateObject } from './helpers/k8s-schema.js';
import { kustomizationDirs, kustomizeBuild } from './helpers/kustomize.js';
import { readRepoFile, TODAY } from './helpers/run-cli.js';

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; annotations?: Record<string, string> }; spec?: Record<string, unknown>; [k: string]: unknown };
type Values = Record<string, unknown>;

const cache = new Map<string, Record<string, string>>();
function renderText(text: string, name: string): Record<string, string> {
  if (!cache.has(name)) cache.set(name, renderFiles(plan(text, name, { today: TODAY })));
  return cache.get(name)!;
}
const renderRepo = (rel: string) => renderText(readRepoFile(rel), rel);
const k8sObjects = (files: Record<string, string>): Array<Obj & { file: string }> =>
  Object.entries(files)
    .filter(([p]) => p.startsWith('kubernetes/') && p.endsWith('.yaml') && !p.includes('/helm/values/') && !p.endsWith('kustomization.yaml'))
    .flatMap(([p, c]) => parseAllDocuments(c).map((d) => ({ ...(d.toJS() as Obj), file: p })));
const release = (files: Record<string, string>, name: string) => k8sObjects(files).find((o) => o.kind === 'HelmRelease' && o.metadata.name === name);
const valuesOf = (files: Record<string, string>, name: string) => (release(files, name)?.spec as { values: Values } | undefined)?.values;
const cfn = (files: Record<string, string>, stack: string) => JSON.parse(files[`cloudformation/${stack}.template.json`]!) as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };

const SPECS = ['examples/production.yaml', 'examples/minimal.yaml', 'examples/existing-vpc.yaml', 'test/fixtures/render/bastion-burstable.yaml'];
const ALL_ON = (minor: string, extra = '') => `apiVersion: kuberator.dev/v1alpha1
kind: Cluster
metadata: { name: all-addons, environment: prod }
spec:
  region: us-east-1
  kubernetesVersion: "${minor}"
  nodeGroups:
    - { name: system, role: system, instanceTypes: [m6i.large] }
    - { name: apps, instanceTypes: [m6i.xlarge, m6a.xlarge, m7i.xlarge], capacity: spot }
  addons:
    dashboard: {}
    monitoring: { adapter: true, alertReceivers: [{ name: hook, type: webhook, url: "https://hooks.example.com/am" }] }
    dns: { nodeLocalCache: true }
    ingress: { controller: ${extra || 'nginx'}, loadBalancer: nlb, certificateArn: "arn:aws:acm:us-east-1:111122223333:certificate/abc" }
    externalDns: { hostedZone: Z0123456789EXAMPLE }
    descheduler: {}
    externalSecrets: { vault: { server: "https://vault.example.com", path: secret } }
    gitops: { flux: { repository: "https://git.example.com/platform.git" } }
    logging: { fluentBit: { output: elasticsearch, endpoint: "https://search.example.com:9200" } }
`;

describe('kubernetes render: schemas and served API versions', () => {
  const cases: Array<[string, () => Record<string, string>, string]> = [
    ...SPECS.map((s) => [s, () => renderRepo(s), ''] as [string, () => Record<string, string>, string]),
    ...['1.30', '1.33', '1.36'].map((v) => [`every add-on on Kubernetes ${v}`, () => renderText(ALL_ON(v), `all-${v}.yaml`), v] as [string, () => Record<string, string>, string]),
  ];
  for (const [name, files, minorOverride] of cases) {
    test(name, () => {
      const objs = k8sObjects(files());
      assert.ok(objs.length > 10);
      const problems = objs.flatMap(({ file, ...o }) => validateObject(o).map((p) => `${file}: ${p}`));
      assert.deepEqual(problems, []);
      const minor = minorOverride || (plan(name.startsWith('every') ? ALL_ON(minorOverride) : readRepoFile(name), 'x.yaml', { today: TODAY }).model.kubernetesVersion);
      const served = servedApiVersions(minor);
      assert.deepEqual(objs.filter((o) => !served.isServed(o.apiVersion, o.kind)).map((o) => `${o.apiVersion} ${o.kind}`), []);
    });
  }
  test('TLS ends at the NLB on 443 for every controller', () => {
    const annotations = (v: Values) => JSON.stringify(v);
    assert.match(annotations(valuesOf(renderText(ALL_ON('1.35', 'traefik'), 'all-traefik.yaml'), 'traefik')!), /ssl-ports":"443".*"ports":\{"websecure":\{"targetPort":"web"\}\}/);
    assert.match(annotations(valuesOf(renderText(ALL_ON('1.35', 'kong'), 'all-kong.yaml'), 'kong')!), /"tls":\{"overrideServiceTargetPort":8000\}/);
  });
  test('traefik and kong render valid objects too', () => {
    for (const c of ['traefik', 'kong']) {
      const files = renderText(ALL_ON('1.35', c), `all-${c}.yaml`);
      assert.deepEqual(k8sObjects(files).flatMap(({ file: _f, ...o }) => validateObject(o)), []);
      assert.ok(release(files, c), `${c} HelmRelease rendered`);
      assert.equal(release(files, 'ingress-nginx'), undefined);
    }
  });
});

describe('kubernetes render: the platform passes its own audit', () => {
  const cases: Array<[string, () => Record<string, string>, string]> = [
    ...SPECS.map((s) => [s, () => renderRepo(s), ''] as [string, () => Record<string, string>, string]),
    ...['1.30', '1.36'].map((v) => [`every add-on on Kubernetes ${v}`, () => renderText(ALL_ON(v), `all-${v}.yaml`), v] as [string, () => Record<string, string>, string]),
  ];
  for (const [name, files, minor] of cases) {
    test(`${name}: no error or warning from kuberator audit`, () => {
      const tree = Object.entries(files()).filter(([f]) => f.startsWith('kubernetes/') && /\.ya?ml$/.test(f));
      const r = auditManifests(tree.map(([file, text]) => ({ file, text })), { today: TODAY, ...(minor ? { kubernetesVersion: minor } : {}) });
      const loud = r.findings.filter((f) => f.severity !== 'info' && !f.suppressed);
      assert.deepEqual(loud.map((f) => `${f.location?.file}:${f.location?.line}: ${f.rule}: ${f.message}`), []);
      assert.ok(r.summary.objects > 10 && r.summary.malformed === 0);
    });
  }
});

describe('kubernetes render: kubectl kustomize builds every level', () => {
  for (const spec of ['examples/production.yaml', 'examples/minimal.yaml', 'test/fixtures/render/bastion-burstable.yaml']) {
    test(spec, () => {
      const dir = mkdtempSync(join(tmpdir(), 'kbr-kustomize-'));
      try {
        for (const [rel, content] of Object.entries(renderRepo(spec))) {
          if (!rel.startsWith('kubernetes/')) continue;
          mkdirSync(join(dir, rel, '..'), { recursive: true });
          writeFileSync(join(dir, rel), content);
        }
        const dirs = kustomizationDirs(join(dir, 'kubernetes'));
        assert.ok(dirs.length >= 4, `found ${dirs.length} kustomization directories`);
        for (const d of dirs) {
          const r = kustomizeBuild(d);
          assert.ok(r.ok, `kubectl kustomize ${d.slice(dir.length)} failed: ${r.error}`);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

describe('kubernetes render: the catalogue', () => {
  const files = renderText(ALL_ON('1.35'), 'all-1.35.yaml');
  const daemonSets = new Set(['fluent-bit', 'node-local-dns']);

  test('every chart is pinned for every supported minor', () => {
    for (const v of ['1.30', '1.31', '1.32', '1.33', '1.34', '1.35', '1.36']) assert.doesNotThrow(() => renderText(ALL_ON(v), `all-${v}.yaml`), v);
  });
  test('a release depends only on releases listed before it (the install script runs in catalogue order)', () => {
    const m = plan(ALL_ON('1.35'), 'x.yaml', { today: TODAY }).model;
    CATALOG.forEach((a, i) => {
      for (const d of a.dependsOn?.(m) ?? []) assert.ok(CATALOG.findIndex((x) => x.name === d) < i, `${a.name} depends on ${d}, listed later`);
    });
  });
  test('add-ons that are not DaemonSets run on system nodes with requests, limits, a priority class (L09, L29)', () => {
    const releases = k8sObjects(files).filter((o) => o.kind === 'HelmRelease');
    assert.ok(releases.length >= 13);
    for (const r of releases) {
      const text = JSON.stringify((r.spec as { values: Values }).values);
      // node-local-dns: the chart sets system-node-critical itself.
      if (r.metadata.name !== 'node-local-dns') assert.match(text, /[pP]riorityClassName":"(platform|platform-critical|system-node-critical|system-cluster-critical)"/, `${r.metadata.name} has a priority class`);
      assert.match(text, /"requests":\{"cpu":"[^"]+","memory":"[^"]+"\},"limits":\{"memory":"[^"]+"\}/, `${r.metadata.name} has requests and a memory limit`);
      if (daemonSets.has(r.metadata.name)) assert.match(text, /[tT]olerations":\[\{"operator":"Exists"\}\]/, `${r.metadata.name} tolerates every taint`);
      else assert.match(text, /"node\.kuberator\.dev\/role":"system"/, `${r.metadata.name} selects system nodes`);
    }
  });
  test('replicated add-ons carry a PDB', () => {
    for (const name of ['metrics-server', 'external-secrets', 'prometheus-adapter']) {
      assert.match(JSON.stringify(valuesOf(files, name)), /"podDisruptionBudget":\{("enabled":true,)?"maxUnavailable":1\}/, name);
    }
    assert.equal((valuesOf(files, 'ingress-nginx')!.controller as Values).minAvailable, 1);
    // Only one of minAvailable/maxUnavailable where the chart keeps a default for the other.
    assert.deepEqual((valuesOf(files, 'kube-prometheus-stack')!.alertmanager as Values).podDisruptionBudget, { enabled: true, minAvailable: 1 });
    const lbcPdb = k8sObjects(files).find((o) => o.kind === 'PodDisruptionBudget' && o.metadata.name === 'aws-load-balancer-controller')!;
    assert.deepEqual(lbcPdb.spec, { maxUnavailable: 1, unhealthyPodEvictionPolicy: 'AlwaysAllow', selector: { matchLabels: { 'app.kubernetes.io/name': 'aws-load-balancer-controller' } } });
  });
  test('cluster-autoscaler: image minor is the cluster minor, discovery by this cluster, the spec expander', () => {
    for (const v of ['1.30', '1.34', '1.36']) {
      const values = valuesOf(renderText(ALL_ON(v), `all-${v}.yaml`), 'cluster-autoscaler')!;
      assert.match((values.image as { tag: string }).tag, new RegExp(`^v${v.replace('.', '\\.')}\\.\\d+$`));
    }
    const prod = valuesOf(renderRepo('examples/production.yaml'), 'cluster-autoscaler')!;
    assert.deepEqual(prod.autoDiscovery, { clusterName: 'shop-prod' });
    assert.deepEqual(prod.extraArgs, { expander: 'least-waste', 'balance-similar-node-groups': true, 'skip-nodes-with-system-pods': true, 'skip-nodes-with-local-storage': false, 'scale-down-unneeded-time': '10m' });
  });
  test('dashboard is never exposed, even when the spec asks', () => {
    const exposed = renderText(readRepoFile('examples/minimal.yaml') + '  addons: { dashboard: { exposed: true } }\n', 'dash.yaml');
    assert.deepEqual((valuesOf(exposed, 'kubernetes-dashboard')!.app as Values).ingress, { enabled: false });
  });
  test('ingress behind an ALB: one Ingress of class alb, HTTPS redirect, 200/404 health, hostnames; controller behind it is ClusterIP', () => {
    const prod = renderRepo('examples/production.yaml');
    const edge = k8sObjects(prod).find((o) => o.kind === 'Ingress')!;
    assert.equal((edge.spec as { ingressClassName: string }).ingressClassName, 'alb');
    const a = edge.metadata.annotations!;
    assert.equal(a['alb.ingress.kubernetes.io/ssl-redirect'], '443');
    assert.equal(a['alb.ingress.kubernetes.io/success-codes'], '200,404');
    assert.equal(a['external-dns.alpha.kubernetes.io/hostname'], 'shop.example.com,api.shop.example.com');
    assert.match(a['alb.ingress.kubernetes.io/certificate-arn']!, /^arn:aws:acm:eu-west-1:/);
    assert.deepEqual(((valuesOf(prod, 'ingress-nginx')!.controller as Values).service as Values).type, 'ClusterIP');
    assert.deepEqual((release(prod, 'ingress-nginx')!.spec as { dependsOn: unknown }).dependsOn, [{ name: 'aws-load-balancer-controller', namespace: 'kube-system' }]);
  });
  test('ingress behind an NLB: the controller Service is the load balancer, TLS at the NLB', () => {
    const svc = (valuesOf(files, 'ingress-nginx')!.controller as Values).service as { type: string; annotations: Record<string, string> };
    assert.equal(svc.type, 'LoadBalancer');
    assert.equal(svc.annotations['service.beta.kubernetes.io/aws-load-balancer-type'], 'external');
    assert.equal(svc.annotations['service.beta.kubernetes.io/aws-load-balancer-ssl-ports'], '443');
    assert.equal(k8sObjects(files).filter((o) => o.kind === 'Ingress').length, 0);
  });
  test('Alertmanager routes to the spec receivers; their secrets are files, never values', () => {
    const prod = valuesOf(renderRepo('examples/production.yaml'), 'kube-prometheus-stack')!;
    const am = prod.alertmanager as { config: { receivers: Array<Record<string, unknown>> }; alertmanagerSpec: { secrets: string[] } };
    assert.deepEqual(am.config.receivers.map((r) => r.name), ['null', 'platform-oncall', 'platform-chat']);
    assert.deepEqual(am.config.receivers[1], { name: 'platform-oncall', opsgenie_configs: [{ api_key_file: '/etc/alertmanager/secrets/alertmanager-receivers/platform-oncall', send_resolved: true }] });
    assert.deepEqual(am.alertmanagerSpec.secrets, ['alertmanager-receivers']);
    const all = valuesOf(files, 'kube-prometheus-stack')!.alertmanager as { alertmanagerSpec: Values };
    assert.equal(all.alertmanagerSpec.secrets, undefined, 'a webhook with a URL needs no secret');
  });
  test('lesson alerts cover restarts, readiness, pending, memory, OOM, nodes, throttling, DNS (L28)', () => {
    const rule = k8sObjects(renderRepo('examples/production.yaml')).find((o) => o.kind === 'PrometheusRule')!;
    const alerts = ((rule.spec as { groups: Array<{ rules: Array<{ alert: string }> }> }).groups[0]!.rules).map((r) => r.alert);
    assert.deepEqual(alerts, ['ContainerRestarting', 'PodNotReady', 'PodPendingTooLong', 'ContainerMemoryNearLimit', 'ContainerOOMKilled', 'NodeNotReady', 'NodeUnderPressure', 'ContainerCpuThrottled', 'CoreDnsErrors']);
  });
  test('fluent-bit: CloudWatch to the cluster stack’s log group, or Elasticsearch', () => {
    const prod = renderRepo('examples/production.yaml');
    const out = (valuesOf(prod, 'fluent-bit')!.config as { outputs: string }).outputs;
    assert.match(out, /Name\s+cloudwatch_logs/);
    assert.match(out, /region\s+eu-west-1/);
    const group = Object.values(cfn(prod, 'cluster').Resources).find((r) => r.Type === 'AWS::Logs::LogGroup' && String(r.Properties.LogGroupName).endsWith('/containers'))!;
    assert.match(out, new RegExp(`log_group_name\\s+${String(group.Properties.LogGroupName).replace(/\//g, '\\/')}`));
    const es = (valuesOf(files, 'fluent-bit')!.config as { outputs: string }).outputs;
    assert.match(es, /Name\s+es\n\s+Match\s+\*\n\s+Host\s+search\.example\.com\n\s+Port\s+9200\n\s+tls\s+On/);
  });
  test('spot handler: kuberator\'s own DaemonSet, only with spot capacity, on spot and mixed nodes (L41)', () => {
    assert.equal(Object.keys(renderRepo('examples/minimal.yaml')).some((f) => f.endsWith('/kuberator-spot-handler.yaml')), false);
    assert.equal(release(files, 'aws-node-termination-handler'), undefined, 'the NTH chart is gone');
    const objs = k8sObjects(files).filter((o) => o.file.endsWith('/controllers/kuberator-spot-handler.yaml'));
    assert.deepEqual(objs.map((o) => o.kind), ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'DaemonSet']);
    const role = objs.find((o) => o.kind === 'ClusterRole')!;
    assert.deepEqual(role.rules, [
      { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'patch', 'update'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
      { apiGroups: [''], resources: ['pods/eviction'], verbs: ['create'] },
      { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
      { apiGroups: ['apps'], resources: ['daemonsets'], verbs: ['get'] },
    ]);
    const ds = JSON.stringify(objs.find((o) => o.kind === 'DaemonSet'));
    assert.match(ds, /"key":"node\.kuberator\.dev\/lifecycle","operator":"In","values":\["spot","mixed"\]/);
    assert.match(ds, /"hostNetwork":true/);
    assert.match(ds, /"tolerations":\[\{"operator":"Exists"\}\]/);
    assert.match(ds, /"priorityClassName":"system-node-critical"/);
    assert.match(ds, /"image":"ghcr\.io\/kuberator\/kuberator:\d+\.\d+\.\d+","args":\["spot-handler"/);
    assert.match(ds, /"name":"NODE_NAME","valueFrom":\{"fieldRef":\{"fieldPath":"spec\.nodeName"\}\}/);
    assert.match(ds, /"readOnlyRootFilesystem":true,"runAsNonRoot":true,"capabilities":\{"drop":\["ALL"\]\}/);
  });
  test('storage classes: gp3 default and io2, encrypted, bound where the pod lands (L07, L10)', () => {
    const scs = k8sObjects(files).filter((o) => o.kind === 'StorageClass');
    assert.deepEqual(scs.map((s) => [s.metadata.name, s.metadata.annotations!['storageclass.kubernetes.io/is-default-class'], s.volumeBindingMode, (s.parameters as Values).encrypted]), [
      ['gp3', 'true', 'WaitForFirstConsumer', 'true'],
      ['io2', 'false', 'WaitForFirstConsumer', 'true'],
    ]);
  });
  test('external-dns: this cluster owns its records, upsert-only, one zone', () => {
    const byDomain = valuesOf(renderRepo('examples/production.yaml'), 'external-dns')!;
    assert.deepEqual([byDomain.txtOwnerId, byDomain.policy, byDomain.domainFilters, byDomain.txtPrefix], ['shop-prod', 'upsert-only', ['shop.example.com'], '_externaldns.']);
    assert.deepEqual(valuesOf(files, 'external-dns')!.extraArgs, ['--zone-id-filter=Z0123456789EXAMPLE']);
  });
});

describe('kubernetes render: the seams with CloudFormation', () => {
  for (const spec of ['examples/production.yaml', 'test/fixtures/render/bastion-burstable.yaml']) {
    test(`${spec}: each Pod Identity association names a service account a chart creates`, () => {
      const files = renderRepo(spec);
      const assoc = Object.values(cfn(files, 'addons').Resources).filter((r) => r.Type === 'AWS::EKS::PodIdentityAssociation').map((r) => `${String(r.Properties.Namespace)}/${String(r.Properties.ServiceAccount)}`);
      const created = k8sObjects(files)
        .filter((o) => o.kind === 'HelmRelease')
        .map((o) => {
          const v = (o.spec as { values: { serviceAccount?: { name: string }; rbac?: { serviceAccount?: { name: string } } } }).values;
          const sa = v.serviceAccount?.name ?? v.rbac?.serviceAccount?.name;
          return sa ? `${o.metadata.namespace}/${sa}` : undefined;
        });
      assert.ok(assoc.length >= 2);
      for (const a of assoc) assert.ok(created.includes(a), `${a} is created by a release`);
    });
  }
  test('team RoleBindings bind the groups the access entries assign', () => {
    const files = renderRepo('examples/production.yaml');
    const groups = Object.values(cfn(files, 'cluster').Resources).filter((r) => r.Type === 'AWS::EKS::AccessEntry').flatMap((r) => (r.Properties.KubernetesGroups as string[] | undefined) ?? []);
    const bound = k8sObjects(files).filter((o) => o.kind === 'RoleBinding').flatMap((o) => (o.subjects as Array<{ name: string }>).map((s) => s.name));
    assert.deepEqual([...new Set(bound)].sort(), [...groups].sort());
    const quota = k8sObjects(files).find((o) => o.kind === 'ResourceQuota')!;
    assert.equal(((quota.spec as { hard: Values }).hard)['services.loadbalancers'], '0');
  });
  test('a new VPC id reaches the load balancer controller through Flux substitution; an existing one is literal', () => {
    const prod = renderRepo('examples/production.yaml');
    assert.equal(valuesOf(prod, 'aws-load-balancer-controller')!.vpcId, '${VPC_ID}');
    const ks = k8sObjects(prod).filter((o) => o.kind === 'Kustomization');
    assert.deepEqual(ks.map((k) => [k.metadata.name, JSON.stringify((k.spec as Values).dependsOn ?? []), Boolean((k.spec as Values).postBuild)]), [
      ['infrastructure-controllers', '[]', true],
      ['infrastructure-configs', '[{"name":"infrastructure-controllers"}]', false],
      ['teams', '[{"name":"infrastructure-configs"}]', false],
    ]);
    assert.equal(valuesOf(renderRepo('examples/existing-vpc.yaml'), 'aws-load-balancer-controller')!.vpcId, 'vpc-0a1b2c3d4e5f60718');
  });
  test('the install script is valid bash, installs every release at its pinned version in order', () => {
    const files = renderRepo('examples/production.yaml');
    const script = files['kubernetes/prod/install.sh']!;
    const check = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
    assert.equal(check.status, 0, check.stderr);
    const releases = k8sObjects(files).filter((o) => o.kind === 'HelmRelease');
    const installs = [...script.matchAll(/^helm upgrade --install (\S+) \S+ --version (\S+)/gm)].map((m) => `${m[1]}@${m[2]}`);
    assert.deepEqual(installs, releases.map((r) => `${r.metadata.name}@${((r.spec as { chart: { spec: { version: string } } }).chart.spec.version)}`));
    assert.match(script, /aws-load-balancer-controller .* --set vpcId="\$VPC_ID"/);
    assert.doesNotMatch(files['kubernetes/prod/helm/values/aws-load-balancer-controller.yaml']!, /VPC_ID/);
  });
  test('no secrets in the rendered tree', () => {
    const text = Object.entries(renderRepo('examples/production.yaml')).filter(([p]) => p.startsWith('kubernetes/')).map(([, c]) => c).join('\n');
    assert.doesNotMatch(text, /kind: Secret\b|api_key:|api_url:|password:/);
    assert.ok(stringify({}).length > 0);
  });
});
