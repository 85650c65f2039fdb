// kuberator render: golden templates, the CloudFormation resource specification, the AWS Control
// Tower rules (cfn-guard), structural properties, CloudFormation limits, and the CLI around it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { createRequire } from 'node:module';
import { stringify } from 'yaml';
import { plan } from '../src/plan.js';
import { renderFiles } from '../src/render/index.js';
import { applyExemptions, runCfnGuard } from './helpers/cfn-guard.js';
import { checkTemplateAgainstSpec } from './helpers/cfn-spec.js';
import { largeSpec } from './helpers/large-spec.js';
import { readRepoFile, ROOT, runCli, TODAY } from './helpers/run-cli.js';

const { Template, Match } = createRequire(import.meta.url)('aws-cdk-lib/assertions') as typeof import('aws-cdk-lib/assertions');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

type Json = Record<string, unknown>;
const render = (text: string, file: string) => renderFiles(plan(text, file, { today: TODAY }));
const templates = (files: Record<string, string>) =>
  Object.fromEntries(Object.entries(files).filter(([p]) => p.endsWith('.template.json')).map(([p, c]) => [p.split('/').pop()!.replace('.template.json', ''), JSON.parse(c) as Json]));

const EXAMPLES = ['production', 'minimal', 'existing-vpc', 'field-mistakes'];
const CLEAN = ['examples/production.yaml', 'examples/minimal.yaml', 'examples/existing-vpc.yaml', 'test/fixtures/render/bastion-burstable.yaml'];
const rendered = new Map<string, Record<string, string>>();
const renderRepo = (rel: string) => {
  if (!rendered.has(rel)) rendered.set(rel, render(readRepoFile(rel), rel));
  return rendered.get(rel)!;
};

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]));
}

function writeTemp(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'kbr-render-'));
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), content);
  }
  return dir;
}

describe('render: golden files of every example', () => {
  for (const name of EXAMPLES) {
    test(name, () => {
      const files = renderRepo(`examples/${name}.yaml`);
      const goldenDir = join(ROOT, 'test/golden', name);
      const golden = (rel: string) => join(goldenDir, rel);
      if (UPDATE) {
        rmSync(join(goldenDir, 'cloudformation'), { recursive: true, force: true });
        rmSync(join(goldenDir, 'kubernetes'), { recursive: true, force: true });
        for (const [rel, content] of Object.entries(files)) {
          mkdirSync(join(golden(rel), '..'), { recursive: true });
          writeFileSync(`${golden(rel)}.tmp`, content);
          renameSync(`${golden(rel)}.tmp`, golden(rel));
        }
        return;
      }
      const expected = ['cloudformation', 'kubernetes'].flatMap((d) => (existsSync(join(goldenDir, d)) ? listFiles(join(goldenDir, d)).map((f) => `${d}/${f}`) : [])).sort();
      assert.deepEqual(Object.keys(files).sort(), expected, 'the set of rendered files changed (UPDATE_GOLDEN=1 refreshes it)');
      for (const [rel, content] of Object.entries(files)) assert.equal(content, readFileSync(golden(rel), 'utf8'), `${name}/${rel} differs from its golden file`);
    });
  }
});

describe('render: every template against the CloudFormation resource specification', () => {
  const cases: Array<[string, () => Record<string, string>]> = [
    ...EXAMPLES.map((n) => [`examples/${n}.yaml`, () => renderRepo(`examples/${n}.yaml`)] as [string, () => Record<string, string>]),
    ['test/fixtures/render/bastion-burstable.yaml', () => renderRepo('test/fixtures/render/bastion-burstable.yaml')],
    ['100 node groups over 6 zones', () => render(stringify(largeSpec()), 'large.yaml')],
  ];
  for (const [name, files] of cases) {
    test(name, () => {
      const problems = Object.entries(templates(files())).flatMap(([kind, t]) => checkTemplateAgainstSpec(t, `${kind}.template.json`));
      assert.deepEqual(problems, []);
    });
  }
});

describe('render: AWS Control Tower proactive rules (cfn-guard)', () => {
  const exemptionsFile = join(ROOT, 'test/cfn-guard-exemptions.yaml');
  test('no violations in any clean spec beyond the listed exemptions, and no stale exemption', () => {
    const all = CLEAN.flatMap((rel) => {
      const dir = writeTemp(renderRepo(rel));
      try {
        return runCfnGuard(join(dir, 'cloudformation')).violations.map((v) => Object.assign(v, { source: rel }));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
    const { violations, stale } = applyExemptions(all, exemptionsFile);
    assert.deepEqual(violations.map((v) => `${(v as { source?: string }).source} ${v.template} ${v.resource} ${v.rule}: ${v.message.split('\n')[0]}`), []);
    assert.deepEqual(stale, [], 'exemptions that match nothing must be removed');
  });
  test('the field-mistakes spec breaks the rules plan warned about', () => {
    const dir = writeTemp(renderRepo('examples/field-mistakes.yaml'));
    try {
      const { violations } = applyExemptions(runCfnGuard(join(dir, 'cloudformation')).violations, exemptionsFile);
      const rules = new Set(violations.map((v) => v.rule));
      // Unencrypted node volumes (plan: security/volume-unencrypted) and log groups without audit are not the only ones.
      assert.ok([...rules].some((r) => r.startsWith('CT.EC2.')), `expected an EC2 violation, got ${[...rules].join(', ')}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('render: structure of the templates', () => {
  const prod = templates(renderRepo('examples/production.yaml'));
  const tpl = (t: Json | undefined) => Template.fromJSON(t!);

  test('stacks, in deploy order', () => {
    const readme = renderRepo('examples/production.yaml')['cloudformation/README.md']!;
    const order = [...readme.matchAll(/^\| \d+ \| `shop-prod-([a-z0-9-]+)`/gm)].map((m) => m[1]);
    assert.deepEqual(order, ['network', 'cluster', 'nodegroup-system', 'nodegroup-apps', 'nodegroup-data-eu-west-1a', 'nodegroup-data-eu-west-1b', 'nodegroup-data-eu-west-1c', 'addons', 'alarms']);
  });
  test('network: a NAT gateway per zone, endpoints, flow logs, load balancer subnet tags', () => {
    const t = tpl(prod.network);
    t.resourceCountIs('AWS::EC2::NatGateway', 3);
    t.resourceCountIs('AWS::EC2::Subnet', 6);
    t.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.40.0.0/16', EnableDnsHostnames: true, EnableDnsSupport: true });
    t.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway' });
    t.resourceCountIs('AWS::EC2::VPCEndpoint', 5);
    t.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'ALL', LogDestinationType: 'cloud-watch-logs' });
    t.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: Match.anyValue(), RetentionInDays: 90 });
    t.hasResourceProperties('AWS::EC2::Subnet', { CidrBlock: '10.40.0.0/19', MapPublicIpOnLaunch: false, Tags: Match.arrayWith([{ Key: 'kubernetes.io/role/internal-elb', Value: '1' }]) });
    t.hasResourceProperties('AWS::EC2::Subnet', { CidrBlock: '10.40.96.0/22', Tags: Match.arrayWith([{ Key: 'kubernetes.io/role/elb', Value: '1' }]) });
  });
  test('network: single NAT serves every zone; none means no default route', () => {
    const single = tpl(templates(renderRepo('test/fixtures/render/bastion-burstable.yaml')).network);
    single.resourceCountIs('AWS::EC2::NatGateway', 1);
    single.resourceCountIs('AWS::EC2::Route', 4);
    const none = templates(render(readRepoFile('examples/minimal.yaml').replace('region: us-east-1', 'region: us-east-1\n  network: { nat: none, vpcEndpoints: [s3, ecr.api, ecr.dkr, sts, ec2] }'), 'none.yaml'));
    tpl(none.network).resourceCountIs('AWS::EC2::NatGateway', 0);
    tpl(none.network).resourceCountIs('AWS::EC2::Route', 1);
  });
  test('cluster: logs, encryption, API access mode, access entries, CNI settings', () => {
    const t = tpl(prod.cluster);
    t.hasResourceProperties('AWS::EKS::Cluster', {
      Name: 'shop-prod',
      Logging: { ClusterLogging: { EnabledTypes: [{ Type: 'api' }, { Type: 'audit' }, { Type: 'authenticator' }, { Type: 'controllerManager' }, { Type: 'scheduler' }] } },
      EncryptionConfig: [{ Provider: { KeyArn: Match.anyValue() }, Resources: ['secrets'] }],
      AccessConfig: { AuthenticationMode: 'API', BootstrapClusterCreatorAdminPermissions: false },
      ResourcesVpcConfig: Match.objectLike({ EndpointPublicAccess: true, EndpointPrivateAccess: true, PublicAccessCidrs: ['203.0.113.0/24'] }),
      UpgradePolicy: { SupportType: 'STANDARD' },
    });
    t.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    t.resourceCountIs('AWS::EKS::AccessEntry', 3);
    const cni = t.findResources('AWS::EKS::Addon', { Properties: { AddonName: 'vpc-cni' } });
    const env = JSON.parse(Object.values(cni)[0]!.Properties.ConfigurationValues as string).env as Record<string, string>;
    assert.equal(env.AWS_VPC_K8S_CNI_EXTERNALSNAT, 'true');
    assert.equal(Object.values(cni)[0]!.Properties.AddonVersion, 'v1.20.1-eksbuild.3');
  });
  test('node groups: IMDSv2 hop 1, encrypted root, managed vs self-managed, mixed policy, schedules, autoscaler tags', () => {
    for (const kind of Object.keys(prod).filter((k) => k.startsWith('nodegroup-'))) {
      tpl(prod[kind]).hasResourceProperties('AWS::EC2::LaunchTemplate', {
        LaunchTemplateData: Match.objectLike({ MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 1, HttpEndpoint: 'enabled' }, BlockDeviceMappings: [Match.objectLike({ Ebs: Match.objectLike({ Encrypted: true }) })] }),
      });
    }
    tpl(prod['nodegroup-system']).hasResourceProperties('AWS::EKS::Nodegroup', { CapacityType: 'ON_DEMAND', ScalingConfig: { MinSize: 3, MaxSize: 6, DesiredSize: 3 } });
    const apps = tpl(prod['nodegroup-apps']);
    apps.resourceCountIs('AWS::EKS::Nodegroup', 0);
    apps.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
      CapacityRebalance: true,
      MixedInstancesPolicy: Match.objectLike({ InstancesDistribution: { OnDemandBaseCapacity: 2, OnDemandPercentageAboveBaseCapacity: 20, SpotAllocationStrategy: 'price-capacity-optimized' } }),
      Tags: Match.arrayWith([Match.objectLike({ Key: 'k8s.io/cluster-autoscaler/node-template/label/node.kuberator.dev/role', Value: 'app' }), Match.objectLike({ Key: 'k8s.io/cluster-autoscaler/shop-prod', Value: 'owned' })]),
    });
    apps.resourceCountIs('AWS::AutoScaling::ScheduledAction', 2);
    apps.hasResourceProperties('AWS::AutoScaling::ScheduledAction', { Recurrence: '0 7 * * 5', MinSize: 12, MaxSize: 40, TimeZone: 'Etc/UTC' });
    apps.hasResourceProperties('AWS::EKS::AccessEntry', { Type: 'EC2_LINUX' });
    tpl(prod['nodegroup-data-eu-west-1b']).hasResourceProperties('AWS::EKS::Nodegroup', { Subnets: [{ 'Fn::ImportValue': 'shop-prod-PrivateSubnetEuWest1b' }], Labels: Match.objectLike({ 'node.kuberator.dev/zone': 'eu-west-1b' }) });
  });
  test('node bootstrap carries the resolved kubelet protection', () => {
    const lt = Object.values(tpl(prod['nodegroup-apps']).findResources('AWS::EC2::LaunchTemplate'))[0]!;
    const sub = ((lt.Properties.LaunchTemplateData as Json).UserData as { 'Fn::Base64': { 'Fn::Sub': [string, Json] } })['Fn::Base64']['Fn::Sub'][0];
    assert.match(sub, /Content-Type: application\/node\.eks\.aws/);
    assert.match(sub, /maxPods: 58/);
    assert.match(sub, /memory\.available: 500Mi/);
    assert.match(sub, /kubeReserved:\n {8}cpu: 80m\n {8}memory: 893Mi/);
    assert.match(sub, /--node-labels=node\.kuberator\.dev\/role=app,node\.kuberator\.dev\/lifecycle=mixed/);
  });
  test('add-ons: Pod Identity roles only for what is enabled, least privilege', () => {
    const t = tpl(prod.addons);
    const sas = Object.values(t.findResources('AWS::EKS::PodIdentityAssociation')).map((r) => `${r.Properties.Namespace as string}/${r.Properties.ServiceAccount as string}`).sort();
    assert.deepEqual(sas, ['kube-system/aws-load-balancer-controller', 'kube-system/cluster-autoscaler', 'kube-system/external-dns', 'logging/fluent-bit']);
    const minimal = tpl(templates(renderRepo('examples/minimal.yaml')).addons);
    minimal.resourceCountIs('AWS::EKS::PodIdentityAssociation', 3);
    t.hasResourceProperties('AWS::EKS::Addon', { AddonName: 'coredns', ConfigurationValues: Match.serializedJson(Match.objectLike({ nodeSelector: { 'node.kuberator.dev/role': 'system' } })) });
  });
  test('version pins: pinned add-on versions and a held-back group’s AMI reach the templates', () => {
    const spec = [
      'apiVersion: kuberator.dev/v1alpha1',
      'kind: Cluster',
      'metadata: { name: pinned }',
      'spec:',
      '  region: us-east-1',
      '  kubernetesVersion: "1.35"',
      '  nodeGroups:',
      '    - { name: system, role: system, instanceTypes: [m6i.large] }',
      '    - { name: apps, instanceTypes: [m7g.large], kubernetesVersion: "1.34" }',
      '  addons:',
      '    versions: { kube-proxy: v1.34.6-eksbuild.13, coredns: v1.13.2-eksbuild.4, aws-ebs-csi-driver: v1.60.0-eksbuild.1 }',
      '',
    ].join('\n');
    const t = templates(render(spec, 'pinned.yaml'));
    const addonVersion = (tplName: string, name: string) =>
      Object.values(tpl(t[tplName]).findResources('AWS::EKS::Addon')).find((r) => r.Properties.AddonName === name)?.Properties.AddonVersion;
    assert.equal(addonVersion('cluster', 'kube-proxy'), 'v1.34.6-eksbuild.13');
    assert.equal(addonVersion('cluster', 'vpc-cni'), 'v1.20.1-eksbuild.3', 'an unpinned add-on follows the table for 1.35');
    assert.equal(addonVersion('addons', 'coredns'), 'v1.13.2-eksbuild.4');
    assert.equal(addonVersion('addons', 'aws-ebs-csi-driver'), 'v1.60.0-eksbuild.1');
    const ami = (kind: string) => (t[kind]!.Parameters as Record<string, { Default: string }>).AmiId!.Default;
    assert.equal(ami('nodegroup-apps'), '/aws/service/eks/optimized-ami/1.34/amazon-linux-2023/arm64/standard/recommended/image_id');
    assert.equal(ami('nodegroup-system'), '/aws/service/eks/optimized-ami/1.35/amazon-linux-2023/x86_64/standard/recommended/image_id');
  });
  test('alarms: CPU credits for burstable groups, NAT errors, gp2 burst balance; bastion locked down', () => {
    const f = templates(renderRepo('test/fixtures/render/bastion-burstable.yaml'));
    const alarms = tpl(f.alarms);
    alarms.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'CPUCreditBalance', Dimensions: [{ Name: 'InstanceType', Value: 't3.large' }] });
    alarms.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ErrorPortAllocation' });
    alarms.hasResourceProperties('AWS::CloudWatch::Alarm', { Metrics: [Match.objectLike({ Expression: Match.stringLikeRegexp('BurstBalance') })] });
    alarms.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: 'alias/aws/sns' });
    tpl(f.bastion).hasResourceProperties('AWS::EC2::SecurityGroup', { SecurityGroupIngress: [Match.objectLike({ CidrIp: '198.51.100.0/24', FromPort: 22 })] });
    tpl(f['nodegroup-batch']).hasResourceProperties('AWS::AutoScaling::ScheduledAction', { Recurrence: '0 1 * * *', MinSize: 2 });
    tpl(f['nodegroup-db-us-west-2b']).hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
      AvailabilityZones: ['us-west-2b'],
      Tags: Match.arrayWith([Match.objectLike({ Key: 'k8s.io/cluster-autoscaler/node-template/label/topology.kubernetes.io/zone', Value: 'us-west-2b' })]),
    });
    tpl(f.cluster).hasResourceProperties('AWS::EKS::Cluster', { ResourcesVpcConfig: Match.objectLike({ EndpointPublicAccess: false }) });
    tpl(f.addons).hasResourceProperties('AWS::IAM::Role', {
      Policies: [Match.objectLike({ PolicyDocument: Match.objectLike({ Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['route53:ChangeResourceRecordSets']) })]) }) })],
    });
  });
  test('an existing VPC flows in as parameters with defaults', () => {
    const t = templates(renderRepo('examples/existing-vpc.yaml'));
    assert.equal(t.network, undefined);
    const params = t.cluster!.Parameters as Record<string, { Type: string; Default: string }>;
    assert.deepEqual(params.VpcId, { Type: 'AWS::EC2::VPC::Id', Default: 'vpc-0a1b2c3d4e5f60718', Description: 'The existing VPC' });
    assert.equal(params.PrivateSubnetIds!.Default, 'subnet-0aa1aa1aa1aa1aa10,subnet-0bb2bb2bb2bb2bb20,subnet-0cc3cc3cc3cc3cc30');
  });
});

describe('render: CloudFormation limits and forbidden constructs', () => {
  test('100 node groups: every template under 1 MB and 500 resources; no custom resources, Lambda or assets', () => {
    const files = render(stringify(largeSpec()), 'large.yaml');
    const all = Object.entries(files).filter(([p]) => p.endsWith('.template.json'));
    assert.ok(all.length > 100);
    for (const [p, content] of all) {
      assert.ok(Buffer.byteLength(content) < 1_000_000, `${p} is ${Buffer.byteLength(content)} bytes`);
      const res = Object.values((JSON.parse(content) as { Resources: Record<string, { Type: string }> }).Resources);
      assert.ok(res.length < 500, `${p} has ${res.length} resources`);
      assert.ok(res.every((r) => !r.Type.startsWith('Custom::') && !r.Type.startsWith('AWS::Lambda::') && r.Type !== 'AWS::CloudFormation::CustomResource'));
      assert.doesNotMatch(content, /AssetParameters|BootstrapVersion|aws:cdk:|CDKMetadata/);
    }
  });
});

describe('kuberator render (CLI)', () => {
  const tmp = () => mkdtempSync(join(tmpdir(), 'kbr-cli-'));
  test('writes templates, parameters and a README; prints what it wrote', () => {
    const out = join(tmp(), 'out');
    const r = runCli(['render', 'examples/production.yaml', '--out', out, '--date', TODAY]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /wrote .*cloudformation\/cluster\.template\.json \([\d,]+ bytes\)/);
    assert.ok(existsSync(join(out, 'cloudformation/README.md')));
    assert.deepEqual(JSON.parse(readFileSync(join(out, 'cloudformation/cluster.parameters.json'), 'utf8')), [{ ParameterKey: 'KubernetesVersion', ParameterValue: '1.35' }]);
  });
  test('refuses a spec with error findings unless --force, writing nothing', () => {
    const out = join(tmp(), 'out');
    const r = runCli(['render', 'examples/field-mistakes.yaml', '--out', out, '--date', TODAY]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /render refused: \d+ error findings/);
    assert.equal(existsSync(out), false);
    assert.equal(runCli(['render', 'examples/field-mistakes.yaml', '--out', out, '--date', TODAY, '--force']).code, 0);
  });
  test('refuses a directory it did not write; replaces its own output whole', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'precious.txt'), 'keep me');
    const r = runCli(['render', 'examples/minimal.yaml', '--out', dir]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /not empty and was not written by kuberator/);
    assert.equal(readFileSync(join(dir, 'precious.txt'), 'utf8'), 'keep me');
    const out = join(tmp(), 'out');
    assert.equal(runCli(['render', 'examples/production.yaml', '--out', out]).code, 0);
    assert.ok(existsSync(join(out, 'cloudformation/nodegroup-apps.template.json')));
    assert.equal(runCli(['render', 'examples/minimal.yaml', '--out', out]).code, 0);
    assert.equal(existsSync(join(out, 'cloudformation/nodegroup-apps.template.json')), false, 'files of the previous render are gone');
    assert.deepEqual(readdirSync(join(out, '..')).filter((f) => f.includes('kuberator-tmp')), [], 'no temporary directory left behind');
  });
  test('a self-managed control plane is refused with a clear message', () => {
    const spec = readRepoFile('examples/minimal.yaml') + '  controlPlane:\n    managed: false\n';
    const r = runCli(['render', 'sm.yaml', '--out', join(tmp(), 'o')], { files: { 'sm.yaml': spec } });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /self-managed control plane .* not rendered yet/);
  });
  test('--out is required', () => {
    const r = runCli(['render', 'examples/minimal.yaml']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /render needs --out/);
  });
  test('plan never loads aws-cdk-lib; render does', () => {
    const probe = (cmd: string) =>
      spawnSync(process.execPath, ['--input-type=module', '-e', `
        import { createRequire } from 'node:module';
        const { main } = await import(${JSON.stringify(join(ROOT, 'dist/src/cli/main.js'))});
        const { processIo } = await import(${JSON.stringify(join(ROOT, 'dist/src/cli/io.js'))});
        const io = { ...processIo(), stdout() {}, stderr() {} };
        main(${cmd}, io);
        const req = createRequire(${JSON.stringify(join(ROOT, 'package.json'))});
        console.log(Object.keys(req.cache).some((k) => k.includes('/aws-cdk-lib/')));`], { cwd: ROOT, encoding: 'utf8' }).stdout.trim();
    assert.equal(probe(`['plan', 'examples/production.yaml', '--date', '${TODAY}']`), 'false');
    const out = join(tmp(), 'o');
    assert.equal(probe(`['render', 'examples/minimal.yaml', '--out', ${JSON.stringify(out)}]`), 'true');
  });
});
