import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { stringify } from 'yaml';
import { SpecError } from '../src/errors.js';
import { addonVersions, findInstanceType } from '../src/facts/index.js';
import { eniMaxPods, kubeReservedCpuMillicores, kubeReservedMemoryMi, prefixMaxPods } from '../src/model/kubelet.js';
import { resolve } from '../src/model/resolve.js';
import { toSpec } from '../src/model/to-spec.js';
import type { ResolvedCluster } from '../src/model/types.js';
import { parseSpec } from '../src/spec/parse.js';

const TODAY = '2026-11-22';

function model(spec: Record<string, unknown>, metadata: Record<string, unknown> = {}, today = TODAY): ResolvedCluster {
  const text = stringify({ apiVersion: 'kuberator.dev/v1alpha1', kind: 'Cluster', metadata: { name: 't', ...metadata }, spec: { region: 'us-east-1', ...spec } });
  const { spec: parsed, source } = parseSpec(text, 't.yaml');
  return resolve(parsed, source, { today });
}

function semanticIssues(spec: Record<string, unknown>): Array<{ path: string; message: string }> {
  try {
    model(spec);
  } catch (e) {
    assert.ok(e instanceof SpecError);
    return e.issues.map(({ path, message }) => ({ path, message }));
  }
  assert.fail('expected a SpecError');
}

const t = (name: string) => findInstanceType(name)!;

describe('kubelet arithmetic (the EKS AMI formulas)', () => {
  test('m5.large: 3 ENIs × 10 IPv4 → 29 pods; with prefix delegation capped at 110', () => {
    assert.equal(eniMaxPods(t('m5.large')), 29);
    assert.equal(prefixMaxPods(t('m5.large')), 110);
    assert.equal(eniMaxPods(t('m5.large'), true), 20); // custom networking loses the primary ENI
  });
  test('big instances cap at 250 with prefixes; Xen types cannot use them', () => {
    assert.equal(prefixMaxPods(t('m5.8xlarge')), 250); // 32 vCPU
    assert.equal(t('t2.medium').hypervisor, 'xen');
    assert.equal(prefixMaxPods(t('t2.medium')), eniMaxPods(t('t2.medium')));
    assert.equal(eniMaxPods(t('t2.medium')), 17);
  });
  test('CPU reservation: 6% + 1% + 0.5% × 2 + 0.25% per extra core', () => {
    assert.equal(kubeReservedCpuMillicores(1), 60);
    assert.equal(kubeReservedCpuMillicores(2), 70);
    assert.equal(kubeReservedCpuMillicores(4), 80);
    assert.equal(kubeReservedCpuMillicores(8), 90);
    assert.equal(kubeReservedCpuMillicores(96), 310); // 80 + 92 × 2.5
  });
  test('memory reservation: 255Mi + 11Mi per pod', () => {
    assert.equal(kubeReservedMemoryMi(29), 574);
    assert.equal(kubeReservedMemoryMi(110), 1465);
  });
});

describe('resolve: defaults of a name-and-region spec', () => {
  const m = model({});
  test('network defaults', () => {
    assert.deepEqual(m.network.zones, ['us-east-1a', 'us-east-1b', 'us-east-1c']);
    assert.equal(m.network.topology, 'private');
    assert.equal(m.network.nat, 'perAz');
    assert.equal(m.network.access, 'ssm');
    assert.deepEqual(m.network.vpcEndpoints, ['s3']);
    assert.equal(m.network.vpc.cidr, '10.0.0.0/16');
    assert.equal(m.network.serviceCidr, '172.20.0.0/16');
    assert.equal(m.network.pods.externalSnat, true);
    assert.deepEqual(
      m.network.subnets.map((s) => `${s.zone} ${s.tier} ${s.cidr}`),
      [
        'us-east-1a private 10.0.0.0/19',
        'us-east-1b private 10.0.32.0/19',
        'us-east-1c private 10.0.64.0/19',
        'us-east-1a public 10.0.96.0/22',
        'us-east-1b public 10.0.100.0/22',
        'us-east-1c public 10.0.104.0/22',
      ],
    );
  });
  test('control plane defaults', () => {
    assert.equal(m.controlPlane.managed, true);
    assert.deepEqual(m.controlPlane.logging, ['api', 'audit', 'authenticator']);
    assert.equal(m.controlPlane.logRetentionDays, 90);
    assert.equal(m.controlPlane.secretsEncryption, true);
    assert.deepEqual(m.controlPlane.endpoint, { public: true, private: true, publicCidrs: ['0.0.0.0/0'] });
    assert.equal(m.kubernetesVersion, '1.36'); // newest EKS release on the planning date
    assert.equal(model({}, {}, '2026-03-01').kubernetesVersion, '1.35');
  });
  test('an on-demand system group is added, untainted when it is alone', () => {
    assert.equal(m.nodeGroups.length, 1);
    const g = m.nodeGroups[0]!;
    assert.equal(g.declared, false);
    assert.equal(g.role, 'system');
    assert.equal(g.capacity, 'onDemand');
    assert.deepEqual(g.instances.map((i) => i.name), ['m6i.large']);
    assert.deepEqual([g.minSize, g.desiredSize, g.maxSize], [2, 2, 4]);
    assert.deepEqual(g.volume, { type: 'gp3', sizeGiB: 50, encrypted: true });
    assert.deepEqual(g.imds, { tokensRequired: true, hopLimit: 1 });
    assert.deepEqual(g.taints, []);
    assert.equal(g.labels['node.kuberator.dev/role'], 'system');
  });
  test('kubelet reservations and eviction computed from the instance type', () => {
    const k = m.nodeGroups[0]!.kubelet; // m6i.large: 2 vCPU, 8 GiB, 3 ENIs × 10
    assert.equal(k.maxPods, 29);
    assert.deepEqual(k.kubeReserved, { cpu: '70m', memory: '574Mi', 'ephemeral-storage': '1Gi' });
    assert.deepEqual(k.systemReserved, { cpu: '100m', memory: '100Mi', 'ephemeral-storage': '1Gi' });
    assert.equal(k.evictionHard['memory.available'], '500Mi');
    assert.equal(k.evictionHard['nodefs.available'], '10%');
    assert.equal(k.evictionSoft['memory.available'], '1Gi');
    assert.equal(k.evictionSoftGracePeriod['memory.available'], '1m30s');
  });
  test('add-ons: autoscaler and metrics-server on, dashboard and spot handler off', () => {
    assert.deepEqual(m.addons.clusterAutoscaler, { expander: 'least-waste' });
    assert.deepEqual(m.addons.metricsServer, {});
    assert.equal(m.addons.dashboard, false);
    assert.equal(m.addons.spotHandler, false);
  });
  test('every default is recorded with its lessons', () => {
    const byPath = new Map(m.defaults.map((d) => [d.path, d]));
    assert.deepEqual(byPath.get('spec.network.availabilityZones')?.lessons, ['L19']);
    assert.deepEqual(byPath.get('spec.network.nat')?.value, 'perAz');
    assert.ok(byPath.get('spec.nodeGroups')?.lessons.includes('L09'));
    assert.ok(byPath.get('spec.controlPlane.logging')?.lessons.includes('L16'));
    for (const d of m.defaults) assert.ok(d.reason.length > 10, `${d.path} has a reason`);
  });
});

describe('resolve: stated values win, and derived defaults follow them', () => {
  test('system groups are tainted when app groups exist; stateful groups are per zone', () => {
    const m = model({ nodeGroups: [{ name: 'sys', role: 'system', instanceTypes: ['m6i.large'] }, { name: 'db', role: 'stateful', instanceTypes: ['r6i.xlarge'] }] });
    assert.deepEqual(m.nodeGroups[0]!.taints, [{ key: 'CriticalAddonsOnly', value: 'true', effect: 'NoSchedule' }]);
    assert.equal(m.nodeGroups[1]!.perAz, true);
    assert.equal(m.nodeGroups[1]!.maxSize, 3);
  });
  test('mixed capacity is self-managed with an on-demand base', () => {
    const g = model({ nodeGroups: [{ name: 'a', instanceTypes: ['m6i.xlarge', 'm6a.xlarge'], capacity: 'mixed' }] }).nodeGroups[1]!;
    assert.equal(g.managed, false);
    assert.deepEqual(g.spot, { onDemandBase: 1, onDemandPercentageAboveBase: 25, allocationStrategy: 'price-capacity-optimized' });
  });
  test('a stated kubelet map replaces the computed one whole; group maps override the cluster’s', () => {
    const m = model({
      kubelet: { kubeReserved: {}, evictionHard: { 'memory.available': '300Mi' } },
      nodeGroups: [{ name: 'a', instanceTypes: ['m5.large'], kubelet: { evictionHard: { 'memory.available': '1Gi' } } }],
    });
    const g = m.nodeGroups[1]!;
    assert.deepEqual(g.kubelet.kubeReserved, {});
    assert.deepEqual(g.kubelet.evictionHard, { 'memory.available': '1Gi' });
    assert.equal(g.kubeletSources.evictionHard, 'spec.nodeGroups[0].kubelet.evictionHard');
    assert.equal(g.kubeletSources.kubeReserved, 'spec.kubelet.kubeReserved');
    assert.equal(m.nodeGroups[0]!.kubeletSources.evictionHard, 'spec.kubelet.evictionHard');
  });
  test('mixed types: smallest pod limit, largest CPU reservation', () => {
    const g = model({ nodeGroups: [{ name: 'a', instanceTypes: ['m5.large', 'm5.xlarge'] }] }).nodeGroups[1]!;
    assert.equal(g.kubelet.maxPods, 29);
    assert.equal(g.kubelet.kubeReserved.cpu, '80m');
  });
  test('prefix delegation raises max pods and the memory reservation', () => {
    const g = model({ network: { pods: { prefixDelegation: true } }, nodeGroups: [{ name: 'a', instanceTypes: ['m5.large'] }] }).nodeGroups[1]!;
    assert.equal(g.kubelet.maxPods, 110);
    assert.equal(g.kubelet.kubeReserved.memory, '1465Mi');
  });
  test('big nodes get a larger hard eviction threshold', () => {
    const g = model({ nodeGroups: [{ name: 'a', instanceTypes: ['r6i.2xlarge'] }] }).nodeGroups[1]!;
    assert.equal(g.kubelet.evictionHard['memory.available'], '1Gi');
  });
  test('public topology defaults to no NAT and no external SNAT; the service range avoids the VPC', () => {
    const m = model({ network: { topology: 'public', vpc: { cidr: '192.168.0.0/16' } } });
    assert.equal(m.network.nat, 'none');
    assert.equal(m.network.pods.externalSnat, false);
    assert.equal(m.network.serviceCidr, '10.100.0.0/16');
  });
  test('an existing VPC takes its zones from its subnets', () => {
    const m = model({
      network: {
        vpc: { id: 'vpc-0abc', cidr: '10.1.0.0/16', subnets: { private: { 'us-east-1b': { id: 'subnet-b', cidr: '10.1.0.0/19' }, 'us-east-1a': { id: 'subnet-a', cidr: '10.1.32.0/19' } } } },
      },
    });
    assert.deepEqual(m.network.zones, ['us-east-1a', 'us-east-1b']);
    assert.equal(m.network.vpc.mode, 'existing');
    assert.deepEqual(m.network.subnets.map((s) => s.id), ['subnet-b', 'subnet-a']);
  });
  test('a self-managed control plane is sized by the node count', () => {
    const m = model({ controlPlane: { managed: false }, nodeGroups: [{ name: 'a', instanceTypes: ['m5.large'], maxSize: 50 }] });
    assert.equal(m.controlPlane.selfManaged?.count, 3);
    assert.equal(m.controlPlane.selfManaged?.instanceType.name, 'm6i.xlarge');
  });
});

describe('validate: input errors that need facts or several fields', () => {
  test('unknown instance type and region, with suggestions', () => {
    const got = semanticIssues({ region: 'us-east-9', nodeGroups: [{ name: 'a', instanceTypes: ['m5.lrge'] }] });
    assert.deepEqual(got.map((i) => i.path), ['spec.region', 'spec.nodeGroups[0].instanceTypes[0]']);
    assert.match(got[0]!.message, /did you mean 'us-east-1'/);
    assert.match(got[1]!.message, /did you mean 'm5.large'/);
  });
  test('sizes, names and references', () => {
    const got = semanticIssues({
      nodeGroups: [
        { name: 'a', instanceTypes: ['m5.large'], minSize: 3, maxSize: 2 },
        { name: 'a', instanceTypes: ['m5.large'], minSize: 1, maxSize: 4, desiredSize: 9 },
      ],
      scaling: { scheduled: [{ name: 's', nodeGroup: 'b', schedule: '0 25 * * *', minSize: 1 }] },
    });
    assert.deepEqual(
      got.map((i) => i.path),
      ['spec.nodeGroups[0].maxSize', 'spec.nodeGroups[1].name', 'spec.nodeGroups[1].desiredSize', 'spec.scaling.scheduled[0].nodeGroup', 'spec.scaling.scheduled[0].schedule'],
    );
    assert.equal(got[0]!.message, 'must be ≥ minSize (3), got 2');
    assert.match(got[4]!.message, /hour 25 is outside 0–23/);
  });
  test('CIDRs: host bits, size limits, subnets outside the VPC', () => {
    const got = semanticIssues({
      network: { vpc: { id: 'vpc-1', cidr: '10.0.0.0/16', subnets: { private: { 'us-east-1a': { id: 'subnet-1', cidr: '10.1.0.0/20' } } } }, serviceCidr: '172.20.1.0/16' },
    });
    assert.deepEqual(got.map((i) => i.path), ['spec.network.serviceCidr', 'spec.network.vpc.subnets.private["us-east-1a"].cidr']);
    const small = semanticIssues({ network: { vpc: { cidr: '10.0.0.0/12' } } });
    assert.match(small[0]!.message, /between \/16 and \/28/);
  });
  test('settings that do not apply to the chosen mode', () => {
    const got = semanticIssues({
      controlPlane: { count: 3 },
      network: { bastion: { allowedCidrs: ['10.0.0.0/8'] } },
      nodeGroups: [{ name: 'a', instanceTypes: ['m5.large'], capacity: 'mixed', managed: true, spot: { allocationStrategy: 'lowest-price' } }, { name: 'b', instanceTypes: ['m5.large'], spot: {} }],
    });
    assert.deepEqual(got.map((i) => i.path), ['spec.network.bastion', 'spec.controlPlane.count', 'spec.nodeGroups[0].managed', 'spec.nodeGroups[1].spot']);
  });
  test('volumes: io2 needs IOPS, gp3 IOPS range, throughput only on gp3', () => {
    const got = semanticIssues({
      nodeGroups: [
        { name: 'a', instanceTypes: ['m5.large'], volume: { type: 'io2' } },
        { name: 'b', instanceTypes: ['m5.large'], volume: { type: 'gp3', iops: 2000 } },
        { name: 'c', instanceTypes: ['m5.large'], volume: { type: 'gp2', throughputMiBps: 200 } },
      ],
    });
    assert.deepEqual(got.map((i) => i.path), ['spec.nodeGroups[0].volume.iops', 'spec.nodeGroups[1].volume.iops', 'spec.nodeGroups[2].volume.throughputMiBps']);
  });
  test('an endpoint that is neither public nor private', () => {
    const got = semanticIssues({ controlPlane: { endpoint: { public: false, private: false } } });
    assert.deepEqual(got.map((i) => i.path), ['spec.controlPlane.endpoint']);
  });
  test('one group cannot mix architectures (one AMI per launch template)', () => {
    const got = semanticIssues({ nodeGroups: [{ name: 'a', instanceTypes: ['m6i.large', 'm7g.large'] }] });
    assert.deepEqual(got.map((i) => i.path), ['spec.nodeGroups[0].instanceTypes']);
    assert.match(got[0]!.message, /mixes amd64 and arm64/);
  });
  test('scheduled scaling cannot target an EKS managed group', () => {
    const got = semanticIssues({
      nodeGroups: [{ name: 'a', instanceTypes: ['m6i.large'], managed: true }],
      scaling: { scheduled: [{ name: 's', nodeGroup: 'a', schedule: '0 7 * * 5', minSize: 3 }] },
    });
    assert.deepEqual(got.map((i) => i.path), ['spec.nodeGroups[0].managed']);
  });
  test('an unknown Kubernetes version', () => {
    const got = semanticIssues({ kubernetesVersion: '1.99' });
    assert.equal(got[0]!.path, 'spec.kubernetesVersion');
  });
  test('a node group’s minor: known to EKS, behind a stated cluster minor, never ahead of it', () => {
    const group = (kubernetesVersion: string) => ({ name: 'apps', instanceTypes: ['m6i.large'], kubernetesVersion });
    const ahead = semanticIssues({ kubernetesVersion: '1.34', nodeGroups: [group('1.35')] });
    assert.deepEqual(ahead, [{ path: 'spec.nodeGroups[0].kubernetesVersion', message: 'must not be newer than spec.kubernetesVersion (1.34), got 1.35; kubelets may trail the control plane, never lead it' }]);
    const unstated = semanticIssues({ nodeGroups: [group('1.34')] });
    assert.deepEqual(unstated.map((i) => i.path), ['spec.nodeGroups[0].kubernetesVersion']);
    assert.match(unstated[0]!.message, /state the cluster's minor too/);
    const unknown = semanticIssues({ kubernetesVersion: '1.34', nodeGroups: [group('1.9')] });
    assert.match(unknown[0]!.message, /EKS has no Kubernetes 1\.9/);
  });
});

describe('resolve: version pins', () => {
  test('without pins, add-ons follow the table for the minor and groups follow the cluster, with nothing recorded', () => {
    const m = model({ kubernetesVersion: '1.35', nodeGroups: [{ name: 'apps', instanceTypes: ['m6i.large'] }] });
    assert.deepEqual(m.addonVersions.coredns, { version: addonVersions('1.35')!.coredns, pinned: false });
    assert.deepEqual(Object.keys(m.addonVersions).sort(), ['aws-ebs-csi-driver', 'coredns', 'kube-proxy', 'vpc-cni']);
    for (const g of m.nodeGroups) assert.deepEqual([g.kubernetesVersion, g.kubernetesVersionPinned], ['1.35', false]);
    assert.ok(!m.defaults.some((d) => /kubernetesVersion$|addons\.versions/.test(d.path) && d.path !== 'spec.kubernetesVersion'));
    assert.ok(!('versions' in (toSpec(m).spec as { addons: object }).addons));
  });
  test('pins win, and are written back by toSpec', () => {
    const m = model({ kubernetesVersion: '1.35', nodeGroups: [{ name: 'apps', instanceTypes: ['m6i.large'], kubernetesVersion: '1.33' }], addons: { versions: { 'kube-proxy': 'v1.34.6-eksbuild.13' } } });
    assert.deepEqual(m.addonVersions['kube-proxy'], { version: 'v1.34.6-eksbuild.13', pinned: true });
    assert.equal(m.addonVersions['vpc-cni']!.pinned, false);
    const apps = m.nodeGroups.find((g) => g.name === 'apps')!;
    assert.deepEqual([apps.kubernetesVersion, apps.kubernetesVersionPinned], ['1.33', true]);
    assert.equal(m.nodeGroups.find((g) => g.name === 'system')!.kubernetesVersion, '1.35');
    const spec = toSpec(m).spec as { addons: { versions?: object }; nodeGroups: Array<{ name: string; kubernetesVersion?: string }> };
    assert.deepEqual(spec.addons.versions, { 'kube-proxy': 'v1.34.6-eksbuild.13' });
    assert.deepEqual(spec.nodeGroups.map((g) => g.kubernetesVersion), [undefined, '1.33']);
  });
});
