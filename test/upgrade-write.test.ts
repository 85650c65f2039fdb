// `upgrade plan --write`: the spec text with new versions, everything else byte for byte —
// comments, quoting, flow collections, key order — and only the pins that already exist.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { KuberatorError } from '../src/errors.js';
import { plan } from '../src/plan.js';
import { pinsAfter } from '../src/upgrade/plan.js';
import { rewriteSpecVersions, type SpecPins } from '../src/upgrade/write.js';
import { readRepoFile, TODAY } from './helpers/run-cli.js';

const SPEC = `# The payments cluster.
# Keep the version quoted: 1.30 would read as a number.
apiVersion: kuberator.dev/v1alpha1
kind: Cluster
metadata: { name: payments }   # flow style stays
spec:
  region: eu-west-1
  kubernetesVersion: "1.34"   # bumped by kuberator upgrade plan --write

  addons:
    versions:
      vpc-cni: v1.19.0-eksbuild.1        # pinned after the 2025 incident
      kube-proxy: 'v1.34.0-eksbuild.2'
      # coredns follows the table, no pin
  nodeGroups:
    - name: system
      role: system
      instanceTypes: [m7g.large]
    - name: legacy
      role: app
      kubernetesVersion: '1.33'   # held back for the old agent
      instanceTypes: [m7i.large, m6i.large]
`;

const PINS: SpecPins = {
  kubernetesVersion: '1.35',
  addons: { 'vpc-cni': 'v1.20.1-eksbuild.3', coredns: 'v1.12.1-eksbuild.2', 'kube-proxy': 'v1.35.3-eksbuild.13', 'aws-ebs-csi-driver': 'v1.50.0-eksbuild.1' },
  nodeGroups: [
    { path: 'spec.nodeGroups[0]', kubernetesVersion: '1.35' },
    { path: 'spec.nodeGroups[1]', kubernetesVersion: '1.35' },
  ],
};

/** Line numbers (1-based) where two texts differ; they must have the same number of lines. */
function changedLines(a: string, b: string): number[] {
  const x = a.split('\n');
  const y = b.split('\n');
  assert.equal(y.length, x.length, 'no lines added or removed');
  return x.flatMap((l, i) => (l === y[i] ? [] : [i + 1]));
}

describe('rewriteSpecVersions', () => {
  test('bumps the version and the existing pins, and nothing else', () => {
    const { text, changed } = rewriteSpecVersions(SPEC, 'payments.yaml', PINS);
    assert.deepEqual(changedLines(SPEC, text), [8, 12, 13, 21]);
    const lines = text.split('\n');
    assert.equal(lines[7], '  kubernetesVersion: "1.35"   # bumped by kuberator upgrade plan --write');
    assert.equal(lines[11], '      vpc-cni: v1.20.1-eksbuild.3        # pinned after the 2025 incident');
    assert.equal(lines[12], "      kube-proxy: 'v1.35.3-eksbuild.13'");
    assert.equal(lines[20], "      kubernetesVersion: '1.35'   # held back for the old agent");
    assert.deepEqual(changed, [
      'spec.kubernetesVersion: 1.34 → 1.35',
      'spec.addons.versions.vpc-cni: v1.19.0-eksbuild.1 → v1.20.1-eksbuild.3',
      'spec.addons.versions.kube-proxy: v1.34.0-eksbuild.2 → v1.35.3-eksbuild.13',
      'spec.nodeGroups[1].kubernetesVersion: 1.33 → 1.35',
    ]);
  });

  test('adds no pins: coredns, the EBS driver and the system group stay unpinned', () => {
    const out = parse(rewriteSpecVersions(SPEC, 'payments.yaml', PINS).text) as { spec: { addons: { versions: Record<string, string> }; nodeGroups: Array<Record<string, unknown>> } };
    assert.deepEqual(Object.keys(out.spec.addons.versions), ['vpc-cni', 'kube-proxy']);
    assert.ok(!('kubernetesVersion' in out.spec.nodeGroups[0]!));
    assert.equal(out.spec.nodeGroups[1]!.kubernetesVersion, '1.35');
  });

  test('the cluster version stays a quoted string even when the file had it plain', () => {
    const { text } = rewriteSpecVersions(SPEC.replace('kubernetesVersion: "1.34"', 'kubernetesVersion: 1.34'), 'payments.yaml', PINS);
    assert.match(text, /^ {2}kubernetesVersion: "1\.35" {3}# bumped/m);
    assert.equal((parse(text) as { spec: { kubernetesVersion: unknown } }).spec.kubernetesVersion, '1.35');
  });

  test('a pin given as a mapping has its version changed', () => {
    const spec = SPEC.replace("kube-proxy: 'v1.34.0-eksbuild.2'", 'kube-proxy: { version: v1.34.0-eksbuild.2 }');
    const { text, changed } = rewriteSpecVersions(spec, 'payments.yaml', PINS);
    assert.match(text, /kube-proxy: \{ version: v1\.35\.3-eksbuild\.13 \}/);
    assert.ok(changed.includes('spec.addons.versions.kube-proxy.version: v1.34.0-eksbuild.2 → v1.35.3-eksbuild.13'));
  });

  test('a spec without kubernetesVersion gets it on the line after region, at its indentation', () => {
    const spec = SPEC.replace('  kubernetesVersion: "1.34"   # bumped by kuberator upgrade plan --write\n', '');
    const { text, changed } = rewriteSpecVersions(spec, 'payments.yaml', PINS);
    assert.match(text, /\n {2}region: eu-west-1\n {2}kubernetesVersion: "1\.35"\n\n {2}addons:/);
    assert.equal(changed[0], 'spec.kubernetesVersion: (not set, the default) → 1.35');
    // Only the version line is new.
    const versionOnly = rewriteSpecVersions(spec, 'payments.yaml', { ...PINS, addons: {}, nodeGroups: [] }).text;
    assert.equal(versionOnly.replace('  kubernetesVersion: "1.35"\n', ''), spec);
  });

  test('already at the versions: no change, the same text', () => {
    const once = rewriteSpecVersions(SPEC, 'payments.yaml', PINS).text;
    const twice = rewriteSpecVersions(once, 'payments.yaml', PINS);
    assert.deepEqual(twice.changed, []);
    assert.equal(twice.text, once);
  });

  test('Windows line endings are kept', () => {
    const crlf = SPEC.replace('  kubernetesVersion: "1.34"   # bumped by kuberator upgrade plan --write\n', '').replace(/\n/g, '\r\n');
    const { text } = rewriteSpecVersions(crlf, 'payments.yaml', PINS);
    assert.doesNotMatch(text, /[^\r]\n/);
    assert.match(text, /region: eu-west-1\r\n {2}kubernetesVersion: "1\.35"\r\n/);
  });

  test('with the planner’s pins for the production example only the version moves', () => {
    const text = readRepoFile('examples/production.yaml');
    const r = plan(text, 'production.yaml', { today: TODAY, rules: [] });
    const out = rewriteSpecVersions(text, 'production.yaml', pinsAfter(r.model, '1.36'));
    assert.deepEqual(out.changed, ['spec.kubernetesVersion: 1.35 → 1.36']);
    assert.equal(out.text, text.replace('kubernetesVersion: "1.35"', 'kubernetesVersion: "1.36"'));
  });

  test('text that is not YAML, or has no spec, is an input error naming the file', () => {
    for (const [text, re] of [
      ['spec:\n  region: [eu-west-1\n', /^cannot rewrite broken\.yaml:\d+:\d+: not valid YAML/],
      ['spec:\n  region: "eu-west-1\n', /^cannot rewrite broken\.yaml:\d+:\d+: not valid YAML/],
      ['apiVersion: kuberator.dev/v1alpha1\nkind: Cluster\n', /^cannot rewrite broken\.yaml: it has no spec mapping/],
    ] as const) {
      assert.throws(
        () => rewriteSpecVersions(text, 'broken.yaml', PINS),
        (e: unknown) => e instanceof KuberatorError && e.source === 'user' && re.test(e.message),
        text,
      );
    }
  });

  test('a version given through an alias is refused rather than changed behind the anchor', () => {
    const spec = SPEC.replace('  region: eu-west-1\n  kubernetesVersion: "1.34"', '  region: &v eu-west-1\n  kubernetesVersion: *v');
    assert.throws(() => rewriteSpecVersions(spec, 'payments.yaml', PINS), (e: unknown) => e instanceof KuberatorError && /spec\.kubernetesVersion is not a plain value/.test(e.message));
  });
});
