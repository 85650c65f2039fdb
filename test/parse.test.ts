import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SpecError } from '../src/errors.js';
import { parseSpec } from '../src/spec/parse.js';

const HEAD = 'apiVersion: kuberator.dev/v1alpha1\nkind: Cluster\nmetadata:\n  name: demo\nspec:\n  region: eu-west-1\n';

function issues(text: string) {
  try {
    parseSpec(text, 'c.yaml');
  } catch (e) {
    assert.ok(e instanceof SpecError, `expected SpecError, got ${String(e)}`);
    return e.issues.map((i) => ({ path: i.path, message: i.message, at: i.location ? `${i.location.line}:${i.location.col}` : undefined }));
  }
  assert.fail('expected the spec to be rejected');
}

describe('parseSpec', () => {
  test('accepts a minimal spec and indexes positions', () => {
    const { spec, source } = parseSpec(HEAD, 'c.yaml');
    assert.equal(spec.metadata.name, 'demo');
    assert.deepEqual(source.locate('spec.region'), { file: 'c.yaml', line: 6, col: 3 });
    // A missing field falls back to its nearest ancestor present in the file.
    assert.deepEqual(source.locate('spec.network.nat'), { file: 'c.yaml', line: 5, col: 1 });
  });

  test('unknown key: exact position and a did-you-mean', () => {
    const got = issues(HEAD + '  nodeGroup:\n    - name: a\n');
    assert.deepEqual(got, [{ path: 'spec.nodeGroup', message: "unknown field 'nodeGroup'; did you mean 'nodeGroups'?", at: '7:3' }]);
  });

  test('unknown key deep in a list item suggests from that object', () => {
    const got = issues(HEAD + '  nodeGroups:\n    - name: a\n      instanceType: [m5.large]\n');
    assert.equal(got.length, 1);
    assert.equal(got[0]!.path, 'spec.nodeGroups[0].instanceType');
    assert.match(got[0]!.message, /did you mean 'instanceTypes'\?/);
    assert.equal(got[0]!.at, '9:7');
  });

  test('collects every problem, sorted by position', () => {
    const got = issues(HEAD + '  network:\n    nat: perZone\n    topology: privat\n  nodeGroups:\n    - name: Bad_Name\n      minSize: -1\n');
    assert.deepEqual(
      got.map((i) => [i.path, i.at]),
      [
        ['spec.network.nat', '8:5'],
        ['spec.network.topology', '9:5'],
        ['spec.nodeGroups[0].name', '11:7'],
        ['spec.nodeGroups[0].minSize', '12:7'],
      ],
    );
    assert.match(got[0]!.message, /expected "perAz" \| "single" \| "none", got "perZone"/);
    assert.match(got[1]!.message, /did you mean 'private'\?/);
    assert.match(got[3]!.message, /must be ≥ 0/);
  });

  test('an unquoted version gets a hint to quote it', () => {
    const got = issues(HEAD + '  kubernetesVersion: 1.30\n');
    assert.equal(got[0]!.path, 'spec.kubernetesVersion');
    assert.match(got[0]!.message, /expected string, got number 1\.3 \(quote it in YAML/);
  });

  test('version pins: add-on versions and node-group minors are checked for their form', () => {
    const got = issues(HEAD + '  addons:\n    versions:\n      coredns: 1.11.4\n      kube-prox: v1.33.0-eksbuild.2\n  nodeGroups:\n    - name: a\n      kubernetesVersion: "1.33.1"\n');
    assert.deepEqual(got.map((i) => i.path), ['spec.addons.versions.coredns', 'spec.addons.versions["kube-prox"]', 'spec.nodeGroups[0].kubernetesVersion']);
    assert.match(got[0]!.message, /expected an EKS add-on version such as "v1\.11\.4-eksbuild\.33"/);
    assert.match(got[1]!.message, /unknown field 'kube-prox'.*kube-proxy/);
    assert.match(got[2]!.message, /expected a minor version such as "1\.35"/);
  });

  test('required fields are reported as missing', () => {
    const got = issues('apiVersion: kuberator.dev/v1alpha1\nkind: Cluster\nmetadata: {}\nspec: {}\n');
    assert.deepEqual(
      got.map((i) => [i.path, i.message]),
      [
        ['metadata.name', 'is required'],
        ['spec.region', 'is required'],
      ],
    );
  });

  test('wrong apiVersion and kind', () => {
    const got = issues('apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  region: eu-west-1\n');
    assert.equal(got.length, 2);
    assert.match(got[0]!.message, /expected "kuberator.dev\/v1alpha1", got "v1"/);
    assert.equal(got[0]!.at, '1:1');
  });

  test('add-on unions report the object branch, not "invalid input"', () => {
    const got = issues(HEAD + '  addons:\n    clusterAutoscaler:\n      expandr: random\n');
    assert.deepEqual(got, [{ path: 'spec.addons.clusterAutoscaler.expandr', message: "unknown field 'expandr'; did you mean 'expander'?", at: '9:7' }]);
    const scalar = issues(HEAD + '  addons:\n    dashboard: yes-please\n');
    assert.equal(scalar[0]!.path, 'spec.addons.dashboard');
    assert.match(scalar[0]!.message, /not one of the accepted forms, got "yes-please"/);
  });

  test('an unknown eviction signal is rejected', () => {
    const got = issues(HEAD + '  kubelet:\n    evictionHard:\n      memory.free: 1Gi\n');
    assert.equal(got.length, 1);
    assert.match(got[0]!.path, /^spec\.kubelet\.evictionHard/);
  });

  test('YAML syntax errors carry their position', () => {
    const got = issues(HEAD + '  network:\n    nat: [perAz\n');
    assert.equal(got[0]!.path, '(yaml)');
    assert.ok(got[0]!.at);
  });

  test('an alias to an anchor that does not exist is an input error at the alias', () => {
    const got = issues(HEAD + '  kubelet:\n    evictionHard:\n      nodefs.available: *ten\n');
    assert.deepEqual(got, [{ path: '(yaml)', message: 'Unresolved alias (the anchor must be set before the alias): ten', at: '9:25' }]);
  });

  test('duplicate keys are errors', () => {
    const got = issues(HEAD + '  region: us-east-1\n');
    assert.equal(got[0]!.path, '(yaml)');
    assert.match(got[0]!.message, /unique/i);
    assert.equal(got[0]!.at, '7:3');
  });

  test('empty files, several documents and non-mappings are rejected clearly', () => {
    assert.match(issues('')[0]!.message, /empty/);
    assert.match(issues('# only a comment\n')[0]!.message, /empty/);
    assert.match(issues(HEAD + '---\n' + HEAD)[0]!.message, /one YAML document/);
    assert.match(issues('- a\n- b\n')[0]!.message, /expected a mapping/);
  });

  test('bad CIDR and quantity formats', () => {
    const got = issues(HEAD + '  network:\n    vpc:\n      cidr: 10.0.0.0\n  kubelet:\n    kubeReserved:\n      memory: lots\n');
    assert.deepEqual(
      got.map((i) => i.path),
      ['spec.network.vpc.cidr', 'spec.kubelet.kubeReserved.memory'],
    );
    assert.match(got[0]!.message, /expected an IPv4 CIDR/);
  });
});
