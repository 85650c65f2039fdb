// Reading manifests for the audit: document splitting, malformed documents as data, and
// positions of paths found on demand (block YAML by indentation, flow YAML and JSON by parsing).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadManifests, splitDocuments } from '../src/audit/load.js';
import { lineIndex, offsetToPosition, parsePath } from '../src/audit/locate.js';
import { ObjectGraph } from '../src/audit/graph.js';

const one = (text: string, file = 'm.yaml') => loadManifests([{ file, text }]);
const at = (text: string, path: string, i = 0) => {
  const o = one(text).objects[i]!;
  const l = o.source!.locate(path);
  return `${l.line}:${l.col}`;
};

describe('documents', () => {
  test('a stream splits on --- and ... lines, and a --- inside a value does not split', () => {
    const text = 'a: 1\n---\nb: 2\n--- \nc: |\n  ---\n  x\n...\n# after end\n---\nd: 4\n';
    assert.deepEqual(
      splitDocuments(text).map((d) => d.text.trim()),
      ['a: 1', 'b: 2', 'c: |\n  ---\n  x', '# after end', 'd: 4'],
    );
  });

  test('a broken document is reported with its line and the others are still read', () => {
    const text = 'apiVersion: v1\nkind: Service\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: [unclosed\n---\napiVersion: v1\nkind: Service\nmetadata: {name: b}\n';
    const r = one(text);
    assert.deepEqual(r.objects.map((o) => o.name), ['a', 'b']);
    assert.equal(r.malformed.length, 1);
    assert.equal(r.malformed[0]!.location.file, 'm.yaml');
    assert.ok(r.malformed[0]!.location.line >= 8 && r.malformed[0]!.location.line <= 9, `line ${r.malformed[0]!.location.line}`);
    assert.match(r.malformed[0]!.message, /not valid YAML/);
  });

  test('duplicate keys, a list document and a scalar document are malformed, with their line', () => {
    const r = one('kind: Pod\nmetadata: {name: a}\nkind: Service\n---\n- a\n- b\n---\n\n\njust text\n---\napiVersion: v1\nkind: List\nitems:\n  - {name: not-an-object}\n');
    assert.equal(r.objects.length, 0);
    assert.deepEqual(r.malformed.map((m) => m.location.line), [3, 5, 10, 15]);
    assert.match(r.malformed[1]!.message, /a list/);
    assert.match(r.malformed[2]!.message, /string/);
    assert.match(r.malformed[3]!.message, /no kind/);
  });

  test('Helm values, Chart.yaml and Kustomize config beside manifests are skipped, not reported', () => {
    const r = one('replicaCount: 2\nkind: Deployment\n---\napiVersion: v2\nname: chart\nversion: 1.0.0\n---\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [a.yaml]\n---\nkind: Pod\nmetadata: {name: p}\n');
    assert.equal(r.skipped, 3);
    assert.equal(r.malformed.length, 0);
    assert.deepEqual(r.objects.map((o) => o.name), ['p'], 'a kind with metadata is an object (and will be judged for its missing apiVersion)');
  });

  test('empty documents and comments are skipped; a byte-order mark is ignored', () => {
    const r = one('\ufeff# only a comment\n---\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n');
    assert.equal(r.malformed.length, 0);
    assert.equal(r.objects.length, 1);
    assert.equal(r.objects[0]!.source!.line, 4);
  });

  test('kind: List and typed lists (kubectl get -o yaml) yield their items with item positions', () => {
    const text = 'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata:\n    name: a\n- apiVersion: apps/v1\n  kind: Deployment\n  metadata:\n    name: b\n    namespace: x\n';
    const r = one(text);
    assert.deepEqual(r.objects.map((o) => `${o.kind}/${o.namespace}/${o.name}@${o.source!.line}`), ['Service/default/a@4', 'Deployment/x/b@8']);
    assert.equal(at(text, 'metadata.namespace', 1), '12:5');
    const typed = one('apiVersion: v1\nkind: PodList\nitems:\n  - apiVersion: v1\n    kind: Pod\n    metadata: {name: p}\n');
    assert.equal(typed.objects[0]!.name, 'p');
  });

  test('merge keys apply, and timestamps and yes/no stay strings as Kubernetes reads them', () => {
    const r = one('kind: X\nmetadata: {name: x}\nbase: &b {a: 1}\nspec:\n  <<: *b\n  c: 2\nt: 2024-01-01T00:00:00Z\non: yes\n');
    const raw = r.objects[0]!.raw;
    assert.deepEqual(raw.spec, { a: 1, c: 2 });
    assert.equal(raw.t, '2024-01-01T00:00:00Z');
    assert.equal(raw.on, 'yes');
  });

  test('cluster-scoped kinds have no namespace; namespaced kinds default to default', () => {
    const r = one('apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\n');
    assert.deepEqual(r.objects.map((o) => o.namespace), ['', 'default']);
  });
});

describe('positions', () => {
  const deployment = [
    'apiVersion: apps/v1', // 1
    'kind: Deployment', // 2
    'metadata:', // 3
    '  name: web # the name', // 4
    '  annotations:', // 5
    '    "example.com/owner": team-a', // 6
    'spec:', // 7
    '  template:', // 8
    '    spec:', // 9
    '      containers:', // 10
    '      - name: a', // 11  (sequence aligned with its key)
    '        image: a:1', // 12
    '        args:', // 13
    '          - |', // 14
    '            image: not-a-key', // 15
    '      -   name: b', // 16
    '          image: b:1', // 17
    '          resources: {limits: {memory: 1Gi}}', // 18
    '',
  ].join('\n');

  test('keys, sequence items, compact and aligned sequences', () => {
    assert.equal(at(deployment, ''), '1:1');
    assert.equal(at(deployment, 'metadata.name'), '4:3');
    assert.equal(at(deployment, 'spec.template.spec.containers[0]'), '11:7');
    assert.equal(at(deployment, 'spec.template.spec.containers[0].image'), '12:9');
    assert.equal(at(deployment, 'spec.template.spec.containers[1]'), '16:7');
    assert.equal(at(deployment, 'spec.template.spec.containers[1].image'), '17:11');
  });

  test('quoted keys, and block scalars are not mistaken for keys', () => {
    assert.equal(at(deployment, 'metadata.annotations["example.com/owner"]'), '6:5');
    assert.equal(at(deployment, 'spec.template.spec.containers[0].args[0]'), '14:11');
  });

  test('a missing path points at its deepest ancestor; a flow value at its key', () => {
    assert.equal(at(deployment, 'spec.template.spec.containers[0].securityContext.privileged'), '11:7');
    assert.equal(at(deployment, 'spec.template.spec.containers[5].image'), '10:7');
    assert.equal(at(deployment, 'spec.template.spec.containers[1].resources.limits.memory'), '18:11');
  });

  test('JSON and flow documents are located by a full parse', () => {
    const json = '{\n  "apiVersion": "v1",\n  "kind": "Pod",\n  "metadata": {"name": "p"},\n  "spec": {\n    "containers": [\n      {"name": "a",\n       "image": "nginx"}\n    ]\n  }\n}\n';
    assert.equal(at(json, 'spec.containers[0].image'), '8:8');
    assert.equal(at(json, 'spec.containers[0].resources'), '7:7');
  });

  test('positions count from the start of the file across documents and CRLF line ends', () => {
    const text = 'apiVersion: v1\r\nkind: Service\r\nmetadata: {name: a}\r\n---\r\napiVersion: v1\r\nkind: Pod\r\nmetadata:\r\n  name: p\r\nspec:\r\n  containers:\r\n    - name: c\r\n      image: x:1\r\n';
    assert.equal(at(text, 'spec.containers[0].image', 1), '12:7');
    assert.equal(one(text).objects[1]!.source!.line, 5);
  });

  test('paths parse into segments', () => {
    assert.deepEqual(parsePath('spec.containers[2]["a.b/c"].x'), ['spec', 'containers', 2, 'a.b/c', 'x']);
    assert.deepEqual(parsePath(''), []);
    const idx = lineIndex('ab\ncd\n');
    assert.deepEqual(offsetToPosition(idx, 4), { line: 2, col: 2 });
  });
});

describe('object graph', () => {
  const text = [
    'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: a}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web, tier: front}}\n    spec: {containers: [{name: c, image: "x:1"}]}',
    'apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: a}\nspec: {selector: {app: web}}',
    'apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: b}\nspec: {selector: {app: web}}',
    'apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: p, namespace: a}\nspec: {maxUnavailable: 1, selector: {matchExpressions: [{key: tier, operator: In, values: [front]}]}}',
    'apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata: {name: empty, namespace: a}\nspec: {maxUnavailable: 1, selector: {}}',
    'apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h, namespace: a}\nspec: {scaleTargetRef: {kind: Deployment, name: web}, maxReplicas: 3}',
    'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: all, namespace: a}\nspec: {podSelector: {}}',
    'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i, namespace: a}\nspec:\n  rules:\n  - http:\n      paths:\n      - backend: {service: {name: web, port: {number: 80}}}',
  ].join('\n---\n');
  const g = new ObjectGraph(one(text).objects);
  const web = g.find('Deployment', 'a', 'web')!;

  test('Services, PDBs, HPAs and NetworkPolicies resolve to the workload in their namespace', () => {
    assert.deepEqual(g.servicesFor(web).map((s) => `${s.namespace}/${s.name}`), ['a/web']);
    assert.deepEqual(g.serviceTargets(g.find('Service', 'b', 'web')!), []);
    assert.deepEqual(g.pdbsFor(web).map((p) => p.name), ['p'], 'an empty v1beta1 selector selects nothing');
    assert.deepEqual(g.hpasFor(web).map((h) => h.name), ['h']);
    assert.equal(g.hpaTarget(g.find('HorizontalPodAutoscaler', 'a', 'h')!), web);
    assert.deepEqual(g.networkPoliciesFor(web).map((n) => n.name), ['all']);
    assert.deepEqual(g.ingressBackends(g.find('Ingress', 'a', 'i')!), [{ service: 'web', path: 'spec.rules[0].http.paths[0].backend' }]);
  });
});
