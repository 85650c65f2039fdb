// The schema and kustomize helpers accept valid objects and trees and catch the mistakes they
// exist to catch, with messages that name the field.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { knownKinds, RENDERED_BUILTIN_KINDS, servedApiVersions, SUPPORTED_MINORS, validateObject, type K8sObjectLike } from './helpers/k8s-schema.js';
import { kustomizationDirs, kustomizeBuild } from './helpers/kustomize.js';

const labels = { 'app.kubernetes.io/managed-by': 'kuberator' };

const VALID: Record<string, K8sObjectLike> = {
  namespace: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a', labels: { ...labels, 'pod-security.kubernetes.io/enforce': 'restricted' } } },
  pdb: {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: 'coredns', namespace: 'kube-system', labels },
    spec: { minAvailable: 1, selector: { matchLabels: { 'k8s-app': 'kube-dns' } }, unhealthyPodEvictionPolicy: 'AlwaysAllow' },
  },
  storageClass: {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: 'gp3', labels, annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
    provisioner: 'ebs.csi.aws.com',
    parameters: { type: 'gp3', encrypted: 'true' },
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'WaitForFirstConsumer',
    allowVolumeExpansion: true,
  },
  helmRelease: {
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name: 'cert-manager', namespace: 'cert-manager', labels },
    spec: {
      interval: '30m',
      releaseName: 'cert-manager',
      chart: { spec: { chart: 'cert-manager', version: 'v1.16.2', sourceRef: { kind: 'HelmRepository', name: 'jetstack', namespace: 'flux-system' }, interval: '1h' } },
      install: { crds: 'CreateReplace', remediation: { retries: 3 } },
      upgrade: { crds: 'CreateReplace', remediation: { retries: 3, remediateLastFailure: true } },
      dependsOn: [{ name: 'karpenter', namespace: 'kube-system' }],
      values: { crds: { enabled: true }, replicaCount: 2, anything: { goes: ['here'] } },
    },
  },
  helmRepository: {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'HelmRepository',
    metadata: { name: 'jetstack', namespace: 'flux-system', labels },
    spec: { interval: '1h', url: 'https://charts.jetstack.io' },
  },
  gitRepository: {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'GitRepository',
    metadata: { name: 'platform', namespace: 'flux-system', labels },
    spec: { interval: '1m', url: 'https://github.com/example/platform.git', ref: { branch: 'main' }, secretRef: { name: 'flux-system' } },
  },
  kustomization: {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name: 'infrastructure-configs', namespace: 'flux-system', labels },
    spec: {
      interval: '10m',
      retryInterval: '2m',
      timeout: '15m',
      path: './clusters/prod/infrastructure/configs',
      prune: true,
      wait: true,
      sourceRef: { kind: 'GitRepository', name: 'platform' },
      dependsOn: [{ name: 'infrastructure-controllers' }],
      postBuild: { substituteFrom: [{ kind: 'ConfigMap', name: 'cluster-info' }] },
    },
  },
  clusterSecretStore: {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ClusterSecretStore',
    metadata: { name: 'vault', labels },
    spec: {
      provider: {
        vault: {
          server: 'https://vault.example.com',
          path: 'secret',
          version: 'v2',
          auth: { kubernetes: { mountPath: 'kubernetes-prod', role: 'external-secrets', serviceAccountRef: { name: 'external-secrets', namespace: 'external-secrets' } } },
        },
      },
    },
  },
  prometheusRule: {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: 'kuberator-lessons', namespace: 'monitoring', labels },
    spec: {
      groups: [
        {
          name: 'kuberator.lessons',
          rules: [
            {
              alert: 'CoreDnsErrors',
              expr: 'sum(rate(coredns_dns_responses_total{rcode="SERVFAIL"}[5m])) / sum(rate(coredns_dns_responses_total[5m])) > 0.01',
              for: '10m',
              labels: { severity: 'critical' },
              annotations: { summary: 'Over 1% of DNS answers are SERVFAIL.' },
            },
          ],
        },
      ],
    },
  },
};

/** A deep copy of a valid object with one change made to it. */
function broken(name: keyof typeof VALID, change: (o: any) => void): K8sObjectLike {
  const o = structuredClone(VALID[name]!);
  change(o);
  return o;
}

function assertProblem(problems: string[], ...needles: (string | RegExp)[]): void {
  assert.ok(problems.length > 0, 'expected at least one problem');
  const hit = problems.some((p) => needles.every((n) => (typeof n === 'string' ? p.includes(n) : n.test(p))));
  assert.ok(hit, `no problem matches ${needles.map(String).join(' + ')}; got:\n${problems.join('\n')}`);
}

describe('validateObject', () => {
  for (const [name, obj] of Object.entries(VALID)) {
    it(`accepts a valid ${obj.apiVersion} ${obj.kind} (${name})`, () => {
      assert.deepEqual(validateObject(obj), []);
    });
  }

  it('also accepts external-secrets.io/v1beta1, still modelled', () => {
    assert.deepEqual(validateObject({ ...VALID.clusterSecretStore!, apiVersion: 'external-secrets.io/v1beta1' }), []);
  });

  it('rejects a misspelt PDB field and names it', () => {
    const problems = validateObject(broken('pdb', (o) => ((o.spec.minAvailible = o.spec.minAvailable), delete o.spec.minAvailable)));
    assertProblem(problems, 'PodDisruptionBudget kube-system/coredns', 'spec.minAvailible', 'unknown field');
  });

  it('rejects unknown fields at the top, in metadata and deep in a CRD', () => {
    assertProblem(validateObject(broken('namespace', (o) => (o.specs = {}))), 'specs: unknown field');
    assertProblem(validateObject(broken('namespace', (o) => (o.metadata.label = {}))), 'metadata.label: unknown field');
    assertProblem(validateObject(broken('helmRelease', (o) => (o.spec.chart.spec.sourceRef.kindd = 'x'))), 'spec.chart.spec.sourceRef.kindd: unknown field');
    assertProblem(validateObject(broken('prometheusRule', (o) => (o.spec.groups[0].rules[0].severity = 'x'))), 'spec.groups[0].rules[0].severity: unknown field');
    assertProblem(validateObject(broken('clusterSecretStore', (o) => (o.spec.provider.vault.auth.kubernetes.rolee = 'x'))), 'spec.provider.vault.auth.kubernetes.rolee: unknown field');
  });

  it('rejects a HelmRelease interval given as a number', () => {
    const problems = validateObject(broken('helmRelease', (o) => (o.spec.interval = 5)));
    assertProblem(problems, 'HelmRelease cert-manager/cert-manager', 'spec.interval', 'must be string', 'number 5');
  });

  it('rejects a HelmRelease without its required fields', () => {
    assertProblem(validateObject(broken('helmRelease', (o) => delete o.spec.interval)), 'spec.interval: required field is missing');
    assertProblem(validateObject(broken('helmRelease', (o) => delete o.spec.chart.spec.sourceRef)), 'spec.chart.spec.sourceRef: required field is missing');
  });

  it('rejects values the CRD constrains by enum or pattern', () => {
    assertProblem(validateObject(broken('helmRelease', (o) => (o.spec.chart.spec.sourceRef.kind = 'HelmRepo'))), 'spec.chart.spec.sourceRef.kind', 'must be one of', '"HelmRepository"');
    assertProblem(validateObject(broken('gitRepository', (o) => (o.spec.interval = '1 minute'))), 'spec.interval', 'must match');
    assertProblem(validateObject(broken('prometheusRule', (o) => (o.spec.groups[0].rules[0].for = '10 minutes'))), 'spec.groups[0].rules[0].for', 'must match');
    assertProblem(validateObject(broken('clusterSecretStore', (o) => (o.spec.provider.vault.version = 'v3'))), 'spec.provider.vault.version', 'must be one of');
  });

  it('rejects a PrometheusRule rule without expr', () => {
    const problems = validateObject(broken('prometheusRule', (o) => delete o.spec.groups[0].rules[0].expr));
    assertProblem(problems, 'PrometheusRule monitoring/kuberator-lessons', 'spec.groups[0].rules[0].expr: required field is missing');
  });

  it('rejects wrong types in built-in kinds', () => {
    assertProblem(validateObject(broken('storageClass', (o) => (o.allowVolumeExpansion = 'yes'))), 'allowVolumeExpansion', 'must be boolean');
    assertProblem(validateObject(broken('pdb', (o) => (o.spec.selector.matchLabels = ['kube-dns']))), 'spec.selector.matchLabels', 'must be object');
    assertProblem(validateObject(broken('namespace', (o) => (o.metadata.labels.tier = 1))), 'metadata.labels.tier', 'must be string');
    const intOrString = validateObject(broken('pdb', (o) => (o.spec.minAvailable = true)));
    assert.deepEqual(intOrString, ['PodDisruptionBudget kube-system/coredns: spec.minAvailable: must be string or integer (got boolean true)']);
  });

  it('requires metadata.name', () => {
    assertProblem(validateObject(broken('namespace', (o) => delete o.metadata.name)), 'metadata.name: required field is missing');
  });

  it('has no schema for an unknown kind or an apiVersion it does not know', () => {
    assertProblem(validateObject({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }), 'no schema for example.com/v1 Widget');
    assertProblem(validateObject({ ...VALID.pdb!, apiVersion: 'policy/v1beta1' }), 'no schema for policy/v1beta1 PodDisruptionBudget');
    assertProblem(validateObject({ ...VALID.helmRelease!, apiVersion: 'helm.toolkit.fluxcd.io/v2beta3' }), 'no schema for helm.toolkit.fluxcd.io/v2beta3 HelmRelease');
  });

  it('has a schema for every rendered built-in kind', () => {
    const known = new Set(knownKinds().map((k) => `${k.apiVersion} ${k.kind}`));
    for (const k of RENDERED_BUILTIN_KINDS) assert.ok(known.has(`${k.apiVersion} ${k.kind}`), `${k.apiVersion} ${k.kind}`);
  });
});

describe('servedApiVersions', () => {
  it('serves policy/v1 and not policy/v1beta1 PodDisruptionBudget from 1.25 on', () => {
    for (const minor of ['1.25', '1.28', '1.36']) {
      const s = servedApiVersions(minor);
      assert.equal(s.isServed('policy/v1beta1', 'PodDisruptionBudget'), false, minor);
      assert.equal(s.isServed('policy/v1', 'PodDisruptionBudget'), true, minor);
    }
    assert.equal(servedApiVersions('1.24').isServed('policy/v1beta1', 'PodDisruptionBudget'), true);
  });

  it('serves every rendered built-in apiVersion at each supported minor', () => {
    for (const minor of SUPPORTED_MINORS) {
      const s = servedApiVersions(minor);
      assert.deepEqual(s.notServed, [], `not served at ${minor}`);
      assert.equal(s.rendered.length, RENDERED_BUILTIN_KINDS.length);
    }
  });

  it('reports removed versions of rendered kinds as not served', () => {
    const s = servedApiVersions('1.30');
    assert.equal(s.isServed('autoscaling/v2beta2', 'HorizontalPodAutoscaler'), false);
    assert.equal(s.isServed('networking.k8s.io/v1beta1', 'Ingress'), false);
    assert.equal(s.isServed('storage.k8s.io/v1beta1', 'StorageClass'), false);
    assert.throws(() => servedApiVersions('v1.30'), /MAJOR\.MINOR/);
  });
});

describe('kustomize helpers', () => {
  const root = mkdtempSync(join(tmpdir(), 'kuberator-kustomize-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  const write = (rel: string, text: string) => {
    const p = join(root, rel);
    mkdirSync(join(p, '..'), { recursive: true });
    writeFileSync(p, text);
  };
  write('good/kustomization.yaml', 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - namespace.yaml\n  - pdb.yaml\n');
  write('good/namespace.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-a\n');
  write('good/pdb.yaml', 'apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: web\n  namespace: team-a\nspec:\n  minAvailable: 1\n  selector:\n    matchLabels:\n      app: web\n');
  write('bad/kustomization.yaml', 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - missing.yaml\n');
  write('not-a-kustomization/readme.yaml', 'a: 1\n');

  it('builds a tree that lists two resources', () => {
    const r = kustomizeBuild(join(root, 'good'));
    assert.equal(r.ok, true, r.error);
    assert.match(r.output, /kind: Namespace[\s\S]*name: team-a/);
    assert.match(r.output, /kind: PodDisruptionBudget[\s\S]*minAvailable: 1/);
    assert.equal(r.output.split(/^---$/m).length, 2);
  });

  it('fails with a message naming a missing resource file', () => {
    const r = kustomizeBuild(join(root, 'bad'));
    assert.equal(r.ok, false);
    assert.equal(r.output, '');
    assert.match(r.error, /missing\.yaml/);
  });

  it('lists every directory holding a kustomization.yaml', () => {
    assert.deepEqual(kustomizationDirs(root), [join(root, 'bad'), join(root, 'good')]);
  });
});
