// Proves the two template checkers used on rendered output can both pass and fail:
// the CloudFormation spec check (test/helpers/cfn-spec.ts) and cfn-guard with the Control Tower
// rules plus the exemptions file (test/helpers/cfn-guard.ts).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { applyExemptions, controlTowerRules, formatViolations, type GuardViolation, loadExemptions, runCfnGuard } from './helpers/cfn-guard.js';
import { checkTemplateAgainstSpec, specDatabase } from './helpers/cfn-spec.js';
import { ROOT } from './helpers/run-cli.js';

const NAME = 'test.template.json';

/** A small valid template; every call returns a fresh copy to mutate. */
function validTemplate(): Record<string, any> {
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Parameters: { ClusterName: { Type: 'String', Default: 'demo' } },
    Conditions: { UseCustomAmi: { 'Fn::Equals': [{ Ref: 'ClusterName' }, 'custom'] } },
    Resources: {
      Vpc: {
        Type: 'AWS::EC2::VPC',
        Properties: {
          CidrBlock: '10.0.0.0/16',
          EnableDnsHostnames: true,
          EnableDnsSupport: true,
          Tags: [{ Key: 'Name', Value: { 'Fn::Sub': '${ClusterName}-vpc' } }],
        },
      },
      SubnetA: {
        Type: 'AWS::EC2::Subnet',
        Properties: {
          VpcId: { Ref: 'Vpc' },
          CidrBlock: { 'Fn::Select': [0, { 'Fn::Cidr': [{ 'Fn::GetAtt': ['Vpc', 'CidrBlock'] }, 4, 12] }] },
          AvailabilityZone: { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] },
          Tags: { 'Fn::If': ['UseCustomAmi', [{ Key: 'custom', Value: 'yes' }], { Ref: 'AWS::NoValue' }] },
        },
      },
      NodeLaunchTemplate: {
        Type: 'AWS::EC2::LaunchTemplate',
        DependsOn: ['Vpc'],
        Properties: {
          LaunchTemplateData: {
            ImageId: { 'Fn::If': ['UseCustomAmi', 'ami-0123456789abcdef0', { Ref: 'AWS::NoValue' }] },
            MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 1, HttpEndpoint: 'enabled' },
            BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { Encrypted: true, VolumeSize: 20, VolumeType: 'gp3' } }],
            TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: 'node' }] }],
          },
        },
      },
      VpcFlowLog: {
        Type: 'AWS::EC2::FlowLog',
        Properties: { ResourceId: { Ref: 'Vpc' }, ResourceType: 'VPC', TrafficType: 'ALL', LogDestinationType: 's3', LogDestination: 'arn:aws:s3:::logs' },
      },
    },
    Outputs: { VpcId: { Value: { Ref: 'Vpc' } } },
  };
}

describe('checkTemplateAgainstSpec', () => {
  test('a valid template has no problems (and the spec database loads)', (t) => {
    assert.deepEqual(checkTemplateAgainstSpec(validTemplate(), NAME), []);
    t.diagnostic(`spec database load: ${specDatabase().loadMillis.toFixed(0)} ms`);
  });

  const cases: Array<{ name: string; mutate: (t: Record<string, any>) => void; problem: string }> = [
    {
      name: 'misspelt top-level property',
      mutate: (t) => {
        const p = t['Resources'].VpcFlowLog.Properties;
        p.LogDestinationTyp = p.LogDestinationType;
        delete p.LogDestinationType;
      },
      problem: `${NAME}: Resources.VpcFlowLog.Properties.LogDestinationTyp: unknown property of AWS::EC2::FlowLog (did you mean LogDestinationType?)`,
    },
    {
      name: 'misspelt nested property',
      mutate: (t) => {
        t['Resources'].NodeLaunchTemplate.Properties.LaunchTemplateData.MetadataOptions = { HttpToken: 'required' };
      },
      problem: `${NAME}: Resources.NodeLaunchTemplate.Properties.LaunchTemplateData.MetadataOptions.HttpToken: unknown property of AWS::EC2::LaunchTemplate.MetadataOptions (did you mean HttpTokens?)`,
    },
    {
      name: 'misspelt property inside a list of objects',
      mutate: (t) => {
        t['Resources'].NodeLaunchTemplate.Properties.LaunchTemplateData.BlockDeviceMappings[0].Ebs = { Encryptd: true };
      },
      problem: `${NAME}: Resources.NodeLaunchTemplate.Properties.LaunchTemplateData.BlockDeviceMappings[0].Ebs.Encryptd: unknown property of AWS::EC2::LaunchTemplate.Ebs (did you mean Encrypted?)`,
    },
    {
      name: 'misspelt property inside an Fn::If branch',
      mutate: (t) => {
        t['Resources'].NodeLaunchTemplate.Properties.LaunchTemplateData.MetadataOptions = {
          'Fn::If': ['UseCustomAmi', { HttpTokens: 'required' }, { HttpTokns: 'required' }],
        };
      },
      problem: `${NAME}: Resources.NodeLaunchTemplate.Properties.LaunchTemplateData.MetadataOptions.Fn::If[2].HttpTokns: unknown property of AWS::EC2::LaunchTemplate.MetadataOptions (did you mean HttpTokens?)`,
    },
    {
      name: 'an object where a list belongs',
      mutate: (t) => {
        t['Resources'].Vpc.Properties.Tags = { Key: 'Name', Value: 'vpc' };
      },
      problem: `${NAME}: Resources.Vpc.Properties.Tags: expected a list, got an object`,
    },
    {
      name: 'unknown resource type',
      mutate: (t) => {
        t['Resources'].Vpc.Type = 'AWS::EC2::VPCC';
      },
      problem: `${NAME}: Resources.Vpc.Type: unknown resource type AWS::EC2::VPCC (did you mean AWS::EC2::VPC?)`,
    },
    {
      name: 'unknown resource attribute',
      mutate: (t) => {
        t['Resources'].NodeLaunchTemplate.DependOn = t['Resources'].NodeLaunchTemplate.DependsOn;
        delete t['Resources'].NodeLaunchTemplate.DependsOn;
      },
      problem: `${NAME}: Resources.NodeLaunchTemplate.DependOn: unknown resource attribute (did you mean DependsOn?)`,
    },
    {
      name: 'Custom:: resource',
      mutate: (t) => {
        t['Resources'].Tagger = { Type: 'Custom::Tagger', Properties: { ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:x' } };
      },
      problem: `${NAME}: Resources.Tagger.Type: custom resource Custom::Tagger is not allowed (it needs a Lambda or SNS provider)`,
    },
    {
      name: 'AWS::Lambda:: resource',
      mutate: (t) => {
        t['Resources'].Fn = { Type: 'AWS::Lambda::Function', Properties: { Runtime: 'nodejs20.x' } };
      },
      problem: `${NAME}: Resources.Fn.Type: AWS::Lambda::Function is not allowed (templates must not contain Lambda resources)`,
    },
    {
      name: 'BootstrapVersion parameter',
      mutate: (t) => {
        t['Parameters'].BootstrapVersion = { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/cdk-bootstrap/hnb659fds/version' };
      },
      problem: `${NAME}: Parameters.BootstrapVersion: asset or bootstrap parameter; the template must deploy without CDK bootstrapping`,
    },
    {
      name: 'asset parameter',
      mutate: (t) => {
        t['Parameters'].AssetParameters1234S3Bucket = { Type: 'String' };
      },
      problem: `${NAME}: Parameters.AssetParameters1234S3Bucket: asset or bootstrap parameter; the template must deploy without CDK bootstrapping`,
    },
    {
      name: 'CheckBootstrapVersion rule',
      mutate: (t) => {
        t['Rules'] = { CheckBootstrapVersion: { Assertions: [{ Assert: { 'Fn::Not': [{ 'Fn::Contains': [['1'], { Ref: 'ClusterName' }] }] } }] } };
      },
      problem: `${NAME}: Rules.CheckBootstrapVersion: bootstrap version rule; the template must deploy without CDK bootstrapping`,
    },
  ];
  for (const c of cases) {
    test(`${c.name}: exactly one problem`, () => {
      const t = validTemplate();
      c.mutate(t);
      assert.deepEqual(checkTemplateAgainstSpec(t, NAME), [c.problem]);
    });
  }

  test('problems in several resources are all reported', () => {
    const t = validTemplate();
    t['Resources'].Vpc.Properties.CidrBlok = '10.0.0.0/16';
    t['Resources'].SubnetA.Properties.VpcID = { Ref: 'Vpc' };
    assert.equal(checkTemplateAgainstSpec(t, NAME).length, 2);
  });
});

describe('cfn-guard with the Control Tower rules', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kuberator-guard-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const write = (sub: string, file: string, template: object): string => {
    const d = join(dir, sub);
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, file), JSON.stringify(template, null, 2));
    return d;
  };

  const encryptedVolume = { Type: 'AWS::EC2::Volume', Properties: { AvailabilityZone: 'us-east-1a', Size: 20, Encrypted: true } };
  const compliantLaunchTemplate = {
    Type: 'AWS::EC2::LaunchTemplate',
    Properties: {
      LaunchTemplateData: {
        MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 1 },
        Monitoring: { Enabled: true },
        BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { Encrypted: true, VolumeSize: 20, VolumeType: 'gp3' } }],
      },
    },
  };

  test('the package ships the Control Tower rules, one per file, with unique ids', (t) => {
    const rules = controlTowerRules();
    assert.ok(rules.length > 100, `only ${rules.length} rules found`);
    for (const r of rules) assert.match(r.id, /^CT\.[A-Z0-9-]+\.PR\.\d+$/, r.file);
    assert.equal(new Set(rules.map((r) => r.id)).size, rules.length);
    assert.equal(new Set(rules.map((r) => r.guardRule)).size, rules.length);
    t.diagnostic(`${rules.length} Control Tower rules`);
  });

  test('non-compliant resources: violations name the rule and the resource', (t) => {
    const d = write('bad', 'nodes.template.json', {
      Resources: {
        DataVolume: { Type: 'AWS::EC2::Volume', Properties: { AvailabilityZone: 'us-east-1a', Size: 20 } },
        NodeLaunchTemplate: {
          Type: 'AWS::EC2::LaunchTemplate',
          Properties: { LaunchTemplateData: { ...compliantLaunchTemplate.Properties.LaunchTemplateData, MetadataOptions: { HttpPutResponseHopLimit: 2 } } },
        },
      },
    });
    write('bad', 'ok.template.json', { Resources: { Volume: encryptedVolume } });
    const start = performance.now();
    const { violations, raw } = runCfnGuard(d);
    t.diagnostic(`cfn-guard on 2 templates: ${(performance.now() - start).toFixed(0)} ms`);
    assert.ok(raw.length > 0);
    const summary = violations.map((v) => `${v.template} ${v.rule} ${v.resource}`);
    assert.deepEqual(
      summary,
      ['nodes.template.json CT.EC2.PR.1 NodeLaunchTemplate', 'nodes.template.json CT.EC2.PR.2 NodeLaunchTemplate', 'nodes.template.json CT.EC2.PR.7 DataVolume'],
      formatViolations(violations),
    );
    const volume = violations.find((v) => v.rule === 'CT.EC2.PR.7')!;
    assert.equal(volume.guardRule, 'ec2_encrypted_volumes_check');
    assert.match(volume.message, /^\[CT\.EC2\.PR\.7\]: Require an Amazon EBS volume resource to be encrypted.*\[FIX\]/);
    assert.deepEqual(volume.paths, ['/Resources/DataVolume/Properties']);

    // The same run through exemptions: one excuses the hop-limit violation, one matches nothing.
    const result = applyExemptions(violations, [
      { rule: 'CT.EC2.PR.2', resource: 'NodeLaunch*', template: 'nodes.*', reason: 'Pods reach IMDSv2 through one extra hop.' },
      { rule: 'CT.EKS.PR.1', resource: 'Cluster', reason: 'Stale: there is no cluster here.' },
    ]);
    assert.deepEqual(
      result.violations.map((v) => v.rule),
      ['CT.EC2.PR.1', 'CT.EC2.PR.7'],
    );
    assert.deepEqual(
      result.stale.map((e) => e.rule),
      ['CT.EKS.PR.1'],
    );
  });

  test('compliant resources: no violations', () => {
    const d = write('good', 'nodes.template.json', { Resources: { DataVolume: encryptedVolume, NodeLaunchTemplate: compliantLaunchTemplate } });
    const { violations } = runCfnGuard(d);
    assert.deepEqual(violations, [], formatViolations(violations));
  });

  test('exemptions drop matching violations and report stale ones', () => {
    const violation = (rule: string, guardRule: string, resource: string, template = 'cluster.template.json'): GuardViolation => ({
      template,
      rule,
      resource,
      guardRule,
      message: `[${rule}]: ...`,
      paths: [`/Resources/${resource}/Properties`],
    });
    const violations = [
      violation('CT.EC2.PR.2', 'ec2_launch_template_token_hop_limit_check', 'NodeGroupALaunchTemplate'),
      violation('CT.EC2.PR.2', 'ec2_launch_template_token_hop_limit_check', 'NodeGroupBLaunchTemplate', 'other.template.json'),
      violation('CT.EC2.PR.7', 'ec2_encrypted_volumes_check', 'DataVolume'),
    ];
    const file = join(dir, 'exemptions.yaml');
    writeFileSync(
      file,
      [
        'exemptions:',
        '  - rule: CT.EC2.PR.2',
        '    resource: NodeGroup*',
        '    template: cluster*.template.json',
        '    reason: Pods need a hop limit of 2 to reach IMDSv2.',
        '  - rule: ec2_encrypted_volumes_check',
        '    resource: DataVolume',
        '    reason: Exempted by guard rule name.',
        '  - rule: CT.S3.PR.1',
        '    resource: LogsBucket',
        '    reason: Stale, matches nothing.',
        '',
      ].join('\n'),
    );
    const result = applyExemptions(violations, file);
    assert.deepEqual(
      result.violations.map((v) => `${v.template} ${v.rule} ${v.resource}`),
      ['other.template.json CT.EC2.PR.2 NodeGroupBLaunchTemplate'],
    );
    assert.deepEqual(
      result.stale.map((e) => `${e.rule} ${e.resource}`),
      ['CT.S3.PR.1 LogsBucket'],
    );
  });

  test('exemptions without a reason are rejected', () => {
    const file = join(dir, 'no-reason.yaml');
    writeFileSync(file, 'exemptions:\n  - rule: CT.EC2.PR.2\n    resource: NodeGroup*\n    reason: "  "\n');
    assert.throws(() => loadExemptions(file), /exemptions\[0\]: 'reason' is required/);
  });

  test('the repository exemptions file is valid', () => {
    const exemptions = loadExemptions(join(ROOT, 'test/cfn-guard-exemptions.yaml'));
    for (const e of exemptions) assert.ok(e.reason.trim().length > 0);
  });
});
