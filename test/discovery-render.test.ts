// spec.addons.discoveryBridge renders the bridge as kuberator's own Deployment (no chart): valid
// objects served by the cluster's minor, passing kuberator's own audit, read-only RBAC on Services,
// a hardened single-writer Deployment of the released image, applied by install.sh. Off by default;
// a malformed connect string is a spec error.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { auditManifests } from '../src/audit/index.js';
import { SpecError } from '../src/errors.js';
import { plan } from '../src/plan.js';
import { renderFiles } from '../src/render/index.js';
import { VERSION } from '../src/version.js';
import { servedApiVersions, validateObject } from './helpers/k8s-schema.js';
import { readRepoFile, TODAY } from './helpers/run-cli.js';

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; annotations?: Record<string, string> }; [k: string]: unknown };
const FIXTURE = 'test/fixtures/render/discovery-bridge.yaml';
const FILE = 'kubernetes/prod/infrastructure/controllers/kuberator-discovery-bridge.yaml';

describe('discovery bridge add-on', () => {
  const result = plan(readRepoFile(FIXTURE), FIXTURE, { today: TODAY });
  const files = renderFiles(result);
  const objects = parseAllDocuments(files[FILE] ?? '').map((d) => d.toJS() as Obj);
  const deployment = objects.find((o) => o.kind === 'Deployment') as Obj & { spec: { replicas: number; strategy: { type: string }; template: { spec: { containers: Array<Record<string, unknown>>; serviceAccountName: string; securityContext: Record<string, unknown> } } } };

  test('resolves with the default document path', () => {
    assert.deepEqual(result.model.addons.discoveryBridge, { zookeeper: 'zk1.internal:2181,zk2.internal:2181,zk3.internal:2181', path: '/service-directory/services' });
  });

  test('objects are valid and served by the cluster minor', () => {
    assert.deepEqual(objects.map((o) => o.kind), ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Deployment']);
    assert.deepEqual(objects.flatMap((o) => validateObject(o)), []);
    const served = servedApiVersions(result.model.kubernetesVersion);
    assert.deepEqual(objects.filter((o) => !served.isServed(o.apiVersion, o.kind)).map((o) => o.kind), []);
  });

  test('reads Services only', () => {
    assert.deepEqual((objects.find((o) => o.kind === 'ClusterRole') as Obj & { rules: unknown }).rules, [{ apiGroups: [''], resources: ['services'], verbs: ['get', 'list', 'watch'] }]);
    const binding = objects.find((o) => o.kind === 'ClusterRoleBinding') as Obj & { subjects: Array<{ name: string; namespace: string }> };
    assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: deployment.spec.template.spec.serviceAccountName, namespace: 'kube-system' }]);
  });

  test('one writer from the released image, hardened, with the spec’s ensemble and path', () => {
    assert.equal(deployment.spec.replicas, 1);
    assert.equal(deployment.spec.strategy.type, 'Recreate');
    const c = deployment.spec.template.spec.containers[0]!;
    assert.equal(c.image, `ghcr.io/kuberator/kuberator:${VERSION}`);
    assert.deepEqual(c.args, ['discovery-bridge', '--zk-connect', 'zk1.internal:2181,zk2.internal:2181,zk3.internal:2181', '--doc-path', '/service-directory/services', '--cluster-id', 'shop-prod', '--port', '8080']);
    assert.deepEqual(c.securityContext, { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
    assert.equal(deployment.spec.template.spec.securityContext.runAsNonRoot, true);
  });

  test('the rendered tree passes kuberator’s own audit', () => {
    const tree = Object.entries(files).filter(([f]) => f.startsWith('kubernetes/') && /\.ya?ml$/.test(f));
    const r = auditManifests(tree.map(([file, text]) => ({ file, text })), { today: TODAY });
    assert.deepEqual(r.findings.filter((f) => f.severity !== 'info' && !f.suppressed).map((f) => `${f.location?.file}: ${f.rule}: ${f.message}`), []);
  });

  test('listed by the kustomization and applied by install.sh after the Helm releases', () => {
    assert.match(files['kubernetes/prod/infrastructure/controllers/kustomization.yaml']!, /- kuberator-discovery-bridge\.yaml/);
    const script = files['kubernetes/prod/install.sh']!;
    const apply = script.indexOf('kubectl apply -f infrastructure/controllers/kuberator-discovery-bridge.yaml');
    assert.ok(apply > script.lastIndexOf('helm upgrade --install'), 'after the last helm release');
  });

  test('off by default', () => {
    const p = plan(readRepoFile('examples/production.yaml'), 'examples/production.yaml', { today: TODAY });
    assert.equal(p.model.addons.discoveryBridge, false);
    assert.equal(Object.keys(renderFiles(p)).some((f) => f.includes('discovery-bridge')), false);
  });

  test('a connect string that is not host:port is a spec error', () => {
    const bad = readRepoFile(FIXTURE).replace('zk1.internal:2181,zk2.internal:2181,zk3.internal:2181', 'zk1.internal');
    assert.throws(() => plan(bad, FIXTURE, { today: TODAY }), (e) => e instanceof SpecError && e.issues.some((i) => i.path.includes('discoveryBridge.zookeeper')));
  });
});
