// IAM policy documents: no wildcard actions, `*` resources only for reads (or a reasoned
// exception), every mutation scoped the way each workload allows, trust policies naming the
// right services, and stable JSON. CloudFormation values are evaluated against a fake account so
// the tests check the ARNs the documents will really grant, with IAM's wildcard matching.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  clusterAutoscalerPolicy,
  ec2TrustPolicy,
  eksClusterTrustPolicy,
  externalDnsPolicy,
  flowLogsDeliveryPolicy,
  flowLogsTrustPolicy,
  fluentBitCloudWatchPolicy,
  loadBalancerControllerPolicy,
  MANAGED_POLICIES,
  type PolicyDocument,
  type PolicyStatement,
  podIdentityTrustPolicy,
} from '../src/render/cloudformation/policies.js';

const CLUSTER = 'prod-eu';
const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const GROUP = '/kuberator/prod-eu/containers';
const GROUP_ARN = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${GROUP}`;

/** What Ref, Fn::GetAtt and the pseudo parameters resolve to in the fake stack. */
const ENV: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::Region': REGION,
  'AWS::AccountId': ACCOUNT,
  HostedZoneId: 'Z0HOSTEDZONE',
  // Fn::GetAtt <LogGroup>.Arn ends in `:*`.
  'ContainerLogGroup.Arn': `${GROUP_ARN}:*`,
  'FlowLogGroup.Arn': `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/kuberator/prod-eu/flow-logs:*`,
};

const PERMISSIONS: Record<string, () => PolicyDocument> = {
  clusterAutoscaler: () => clusterAutoscalerPolicy(CLUSTER),
  externalDns: () => externalDnsPolicy({ Ref: 'HostedZoneId' }),
  externalDnsLiteralZone: () => externalDnsPolicy('Z0LITERAL'),
  loadBalancerController: () => loadBalancerControllerPolicy(CLUSTER),
  fluentBit: () => fluentBitCloudWatchPolicy({ 'Fn::GetAtt': ['ContainerLogGroup', 'Arn'] }),
  fluentBitLiteralArn: () => fluentBitCloudWatchPolicy(GROUP_ARN),
  flowLogsDelivery: () => flowLogsDeliveryPolicy({ 'Fn::GetAtt': ['FlowLogGroup', 'Arn'] }),
};

const TRUSTS: Record<string, { make: () => PolicyDocument; service: string; actions: string[] }> = {
  podIdentity: { make: podIdentityTrustPolicy, service: 'pods.eks.amazonaws.com', actions: ['sts:AssumeRole', 'sts:TagSession'] },
  ec2: { make: ec2TrustPolicy, service: 'ec2.amazonaws.com', actions: ['sts:AssumeRole'] },
  eksCluster: { make: eksClusterTrustPolicy, service: 'eks.amazonaws.com', actions: ['sts:AssumeRole', 'sts:TagSession'] },
  flowLogs: { make: flowLogsTrustPolicy, service: 'vpc-flow-logs.amazonaws.com', actions: ['sts:AssumeRole'] },
};

const ALL: Record<string, () => PolicyDocument> = {
  ...PERMISSIONS,
  ...Object.fromEntries(Object.entries(TRUSTS).map(([k, t]) => [`${k}Trust`, t.make])),
};

/**
 * Non-read actions allowed on `Resource: '*'`, each with the reason it cannot be scoped. Every
 * entry must still be granted somewhere (so the list cannot outlive the policy it excuses).
 */
const STAR_EXCEPTIONS: Record<string, string> = {
  'shield:CreateProtection': 'Shield protections are addressed through the protected resource; there is no protection ARN to scope to before it exists',
  'shield:DeleteProtection': 'Shield protection ids are assigned by Shield, not known when the stack is written',
};

// ---------------------------------------------------------------------------------------------
// Helpers: evaluating CloudFormation values and matching ARNs the way IAM does

function evaluate(value: unknown, env: Record<string, string> = ENV): string {
  if (typeof value === 'string') return value;
  if (value === null || typeof value !== 'object') throw new Error(`not a CloudFormation value: ${JSON.stringify(value)}`);
  const entries = Object.entries(value);
  assert.equal(entries.length, 1, `an intrinsic has exactly one key: ${JSON.stringify(value)}`);
  const [fn, arg] = entries[0]!;
  if (fn === 'Ref') return lookup(String(arg), env);
  if (fn === 'Fn::GetAtt') return lookup((arg as string[]).join('.'), env);
  if (fn === 'Fn::Join') {
    const [sep, parts] = arg as [string, unknown[]];
    return parts.map((p) => evaluate(p, env)).join(sep);
  }
  if (fn === 'Fn::Sub') {
    const [template, local] = typeof arg === 'string' ? [arg, {}] : (arg as [string, Record<string, unknown>]);
    return template.replace(/\$\{([^}]+)\}/g, (_, name: string) => (name in local ? evaluate(local[name], env) : lookup(name, env)));
  }
  throw new Error(`intrinsic not supported by the test evaluator: ${fn}`);
}

function lookup(name: string, env: Record<string, string>): string {
  const v = env[name];
  if (v === undefined) throw new Error(`unknown reference ${name}`);
  return v;
}

/** A whole document with every intrinsic replaced by its value, as IAM finally stores it. */
function resolveAll(value: unknown, env: Record<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveAll(v, env));
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && /^(Ref|Fn::)/.test(keys[0]!)) return evaluate(value, env);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveAll(v, env)]));
}

/** IAM resource matching: `*` is any run of characters (colons and slashes included), `?` one. */
function arnMatches(pattern: string, arn: string): boolean {
  const re = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/]/g, '\\$&')))
    .join('');
  return new RegExp(`^${re}$`).test(arn);
}

function resources(s: PolicyStatement): '*' | string[] {
  if (s.Resource === '*') return '*';
  assert.ok(Array.isArray(s.Resource), `${s.Sid}: Resource is '*' or a list`);
  return s.Resource.map((r) => evaluate(r));
}

function granted(s: PolicyStatement, arn: string): boolean {
  const r = resources(s);
  return r === '*' || r.some((p) => arnMatches(p, arn));
}

function statementsWith(doc: PolicyDocument, action: string): PolicyStatement[] {
  return doc.Statement.filter((s) => s.Action.includes(action));
}

function allActions(doc: PolicyDocument): string[] {
  return [...new Set(doc.Statement.flatMap((s) => s.Action))].sort();
}

const isRead = (action: string) => /^[a-z0-9-]+:(Describe|List|Get)[A-Za-z0-9]*$/.test(action);

// ---------------------------------------------------------------------------------------------

describe('every policy document', () => {
  for (const [name, make] of Object.entries(ALL)) {
    test(`${name}: version, Sids, effect, sorted actions with no wildcard`, () => {
      const doc = make();
      assert.equal(doc.Version, '2012-10-17');
      assert.ok(doc.Statement.length > 0);
      const sids = doc.Statement.map((s) => s.Sid);
      assert.deepEqual([...new Set(sids)], sids, `${name}: Sids are unique`);
      for (const s of doc.Statement) {
        assert.match(s.Sid, /^[A-Za-z0-9]+$/, `${name}: Sid ${s.Sid} is alphanumeric`);
        assert.equal(s.Effect, 'Allow');
        assert.ok(s.Action.length > 0, `${s.Sid}: grants something`);
        for (const a of s.Action) assert.match(a, /^[a-z0-9-]+:[A-Za-z0-9]+$/, `${s.Sid}: ${a} is one exact action (no '*')`);
        assert.deepEqual(s.Action, [...new Set(s.Action)].sort(), `${s.Sid}: actions sorted and unique`);
      }
    });

    test(`${name}: serialisable and deterministic`, () => {
      const first = make();
      const text = JSON.stringify(first);
      assert.deepEqual(JSON.parse(text), first, 'survives a JSON round trip unchanged (no undefined, no functions)');
      assert.equal(JSON.stringify(make()), text, 'same input, same output');
      // A caller changing one result must not change the next one (no shared nested objects).
      for (const s of first.Statement) {
        s.Action.push('zz:Mutated');
        for (const c of Object.values(s.Condition ?? {})) (c as Record<string, unknown>)['zz:Mutated'] = 'x';
        if (Array.isArray(s.Resource)) for (const r of s.Resource) if (typeof r === 'object') (r as Record<string, unknown>)['zz'] = 1;
      }
      assert.equal(JSON.stringify(make()), text, 'output does not share state with earlier results');
    });
  }
});

describe('permission policies', () => {
  for (const [name, make] of Object.entries(PERMISSIONS)) {
    test(`${name}: Resource '*' only for reads or a listed exception; no Principal`, () => {
      for (const s of make().Statement) {
        assert.equal(s.Principal, undefined, `${s.Sid}: a permissions policy names no principal`);
        const r = resources(s);
        if (r !== '*') {
          assert.ok(r.length > 0, `${s.Sid}: names at least one resource`);
          assert.ok(!r.includes('*'), `${s.Sid}: no bare '*' hidden in a resource list`);
          continue;
        }
        for (const a of s.Action) assert.ok(isRead(a) || a in STAR_EXCEPTIONS, `${s.Sid}: ${a} is not read-only but is granted on '*'`);
      }
    });

    test(`${name}: ARNs take the partition from the stack`, () => {
      const text = JSON.stringify(make());
      const hardcoded = text.match(/"arn:aws(-[a-z]+)?:/g) ?? [];
      // The literal-ARN variant passes a literal in; nothing the module builds may hardcode one.
      assert.equal(hardcoded.length, name === 'fluentBitLiteralArn' ? 2 : 0, text);
    });
  }

  test('each star exception is still granted on * somewhere', () => {
    const onStar = new Set(Object.values(PERMISSIONS).flatMap((m) => m().Statement.filter((s) => s.Resource === '*').flatMap((s) => s.Action)));
    for (const a of Object.keys(STAR_EXCEPTIONS)) assert.ok(onStar.has(a), `${a} is listed as an exception but never granted on '*'`);
  });
});

describe('cluster-autoscaler', () => {
  const doc = clusterAutoscalerPolicy(CLUSTER);
  const asg = `arn:aws:autoscaling:${REGION}:${ACCOUNT}:autoScalingGroup:0a1b2c3d-1111-2222-3333-444455556666:autoScalingGroupName/prod-eu-app-a`;

  test('reads everything it needs to simulate scale-up', () => {
    const want = [
      'autoscaling:DescribeAutoScalingGroups',
      'autoscaling:DescribeAutoScalingInstances',
      'autoscaling:DescribeLaunchConfigurations',
      'autoscaling:DescribeScalingActivities',
      'autoscaling:DescribeTags',
      'ec2:DescribeImages',
      'ec2:DescribeInstanceTypes',
      'ec2:DescribeLaunchTemplateVersions',
      'ec2:GetInstanceTypesFromInstanceRequirements',
      'eks:DescribeNodegroup',
    ];
    for (const a of want) assert.ok(allActions(doc).includes(a), `missing ${a}`);
  });

  test('mutations carry the cluster tag condition, with this cluster’s name', () => {
    const mutating = allActions(doc).filter((a) => !isRead(a));
    assert.deepEqual(mutating, ['autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup']);
    for (const a of mutating) {
      for (const s of statementsWith(doc, a)) {
        assert.deepEqual(s.Condition, { StringEquals: { 'aws:ResourceTag/k8s.io/cluster-autoscaler/prod-eu': 'owned' } }, `${s.Sid}: ${a}`);
        assert.ok(granted(s, asg), `${s.Sid}: covers this account's Auto Scaling groups`);
        assert.ok(!granted(s, asg.replace(ACCOUNT, '999999999999')), `${s.Sid}: not another account's`);
      }
    }
  });

  test('another cluster name gives another tag key', () => {
    const other = JSON.stringify(clusterAutoscalerPolicy('staging'));
    assert.ok(other.includes('k8s.io/cluster-autoscaler/staging'));
    assert.ok(!other.includes('prod-eu'));
  });

  test('node group reads are limited to this cluster', () => {
    const [s] = statementsWith(doc, 'eks:DescribeNodegroup');
    assert.ok(granted(s!, `arn:aws:eks:${REGION}:${ACCOUNT}:nodegroup/prod-eu/system/1ec5a8f0-aaaa-bbbb-cccc-0123456789ab`));
    assert.ok(!granted(s!, `arn:aws:eks:${REGION}:${ACCOUNT}:nodegroup/staging/system/1ec5a8f0-aaaa-bbbb-cccc-0123456789ab`));
  });

  test('a name that cannot be a literal EKS cluster name is refused', () => {
    assert.throws(() => clusterAutoscalerPolicy('${Token[TOKEN.12]}'), /not a literal EKS cluster name/);
    assert.throws(() => loadBalancerControllerPolicy('has space'), /not a literal EKS cluster name/);
    assert.throws(() => clusterAutoscalerPolicy(''), /not a literal EKS cluster name/);
  });
});

describe('external-dns', () => {
  const zoneArn = 'arn:aws:route53:::hostedzone/Z0HOSTEDZONE';

  test('changes records only in the given hosted zone', () => {
    const doc = externalDnsPolicy({ Ref: 'HostedZoneId' });
    const changes = statementsWith(doc, 'route53:ChangeResourceRecordSets');
    assert.equal(changes.length, 1);
    assert.deepEqual(resources(changes[0]!), [zoneArn]);
    assert.ok(!granted(changes[0]!, 'arn:aws:route53:::hostedzone/Z0OTHERZONE'));
    assert.ok(JSON.stringify(changes[0]!.Resource).includes('{"Ref":"HostedZoneId"}'), 'the reference is passed through, not copied as text');
  });

  test('a literal zone id, with or without the /hostedzone/ prefix', () => {
    for (const id of ['Z0LITERAL', '/hostedzone/Z0LITERAL']) {
      const [s] = statementsWith(externalDnsPolicy(id), 'route53:ChangeResourceRecordSets');
      assert.deepEqual(resources(s!), ['arn:aws:route53:::hostedzone/Z0LITERAL'], id);
    }
  });

  test('no other mutation; only ListHostedZones is account-wide', () => {
    const doc = externalDnsPolicy({ Ref: 'HostedZoneId' });
    assert.deepEqual(allActions(doc).filter((a) => !isRead(a)), ['route53:ChangeResourceRecordSets']);
    assert.deepEqual(doc.Statement.filter((s) => s.Resource === '*').flatMap((s) => s.Action), ['route53:ListHostedZones']);
    for (const a of ['route53:ListResourceRecordSets', 'route53:ListTagsForResource']) {
      assert.ok(statementsWith(doc, a).every((s) => granted(s, zoneArn)), `${a} covers the zone`);
    }
  });
});

describe('AWS Load Balancer Controller', () => {
  const doc = loadBalancerControllerPolicy(CLUSTER);
  const RESOURCE_TAG = 'aws:ResourceTag/elbv2.k8s.aws/cluster';
  const REQUEST_TAG = 'aws:RequestTag/elbv2.k8s.aws/cluster';
  const nullCondition = (s: PolicyStatement, key: string) => (s.Condition?.Null as Record<string, unknown> | undefined)?.[key];

  test('grants what the controller calls for ALBs, NLBs, target groups and security groups', () => {
    const want = [
      'ec2:AuthorizeSecurityGroupIngress',
      'ec2:CreateSecurityGroup',
      'ec2:CreateTags',
      'ec2:DeleteSecurityGroup',
      'ec2:DescribeInstances',
      'ec2:DescribeNetworkInterfaces',
      'ec2:DescribeSecurityGroups',
      'ec2:DescribeSubnets',
      'ec2:DescribeVpcs',
      'ec2:RevokeSecurityGroupIngress',
      'elasticloadbalancing:AddListenerCertificates',
      'elasticloadbalancing:AddTags',
      'elasticloadbalancing:CreateListener',
      'elasticloadbalancing:CreateLoadBalancer',
      'elasticloadbalancing:CreateRule',
      'elasticloadbalancing:CreateTargetGroup',
      'elasticloadbalancing:DeleteListener',
      'elasticloadbalancing:DeleteLoadBalancer',
      'elasticloadbalancing:DeleteRule',
      'elasticloadbalancing:DeleteTargetGroup',
      'elasticloadbalancing:DeregisterTargets',
      'elasticloadbalancing:DescribeListeners',
      'elasticloadbalancing:DescribeLoadBalancers',
      'elasticloadbalancing:DescribeTags',
      'elasticloadbalancing:DescribeTargetGroups',
      'elasticloadbalancing:DescribeTargetHealth',
      'elasticloadbalancing:ModifyListener',
      'elasticloadbalancing:ModifyLoadBalancerAttributes',
      'elasticloadbalancing:ModifyRule',
      'elasticloadbalancing:ModifyTargetGroup',
      'elasticloadbalancing:ModifyTargetGroupAttributes',
      'elasticloadbalancing:RegisterTargets',
      'elasticloadbalancing:RemoveTags',
      'elasticloadbalancing:SetSecurityGroups',
      'elasticloadbalancing:SetWebAcl',
      'acm:DescribeCertificate',
      'acm:ListCertificates',
      'cognito-idp:DescribeUserPoolClient',
      'iam:CreateServiceLinkedRole',
      'shield:GetSubscriptionState',
      'wafv2:AssociateWebACL',
      'wafv2:GetWebACLForResource',
      'waf-regional:GetWebACLForResource',
    ];
    const have = allActions(doc);
    for (const a of want) assert.ok(have.includes(a), `missing ${a}`);
  });

  test('every Delete*/Modify*/Set* and certificate change needs the controller’s resource tag', () => {
    const scoped = allActions(doc).filter((a) => /^(ec2|elasticloadbalancing):(Delete|Modify|Set|AddListenerCertificates|RemoveListenerCertificates)/.test(a));
    assert.ok(scoped.length >= 15, `found ${scoped.length}`);
    for (const a of scoped) {
      for (const s of statementsWith(doc, a)) assert.equal(nullCondition(s, RESOURCE_TAG), 'false', `${s.Sid}: ${a}`);
    }
  });

  // Tagging (ec2:CreateTags) has its own rules, checked below.
  test('creating actions need the tag in the request (a VPC, which cannot carry it, aside)', () => {
    for (const a of allActions(doc).filter((x) => /^(ec2|elasticloadbalancing):Create(?!Tags$)/.test(x))) {
      for (const s of statementsWith(doc, a)) {
        if (nullCondition(s, REQUEST_TAG) === 'false') continue;
        assert.equal(a, 'ec2:CreateSecurityGroup', `${s.Sid}: ${a} without the request tag`);
        for (const r of resources(s)) assert.match(r, new RegExp(`^arn:aws:ec2:${REGION}:${ACCOUNT}:vpc/`), `${s.Sid}: only the VPC side of the call`);
      }
    }
    const sg = statementsWith(doc, 'ec2:CreateSecurityGroup').filter((s) => granted(s, `arn:aws:ec2:${REGION}:${ACCOUNT}:security-group/sg-0123`));
    assert.ok(sg.length > 0 && sg.every((s) => nullCondition(s, REQUEST_TAG) === 'false'), 'the security group itself must be created tagged');
  });

  test('tagging on create is limited to create calls', () => {
    const elbOnCreate = doc.Statement.find((s) => s.Condition?.StringEquals?.['elasticloadbalancing:CreateAction'] !== undefined);
    assert.ok(elbOnCreate);
    assert.deepEqual(elbOnCreate.Action, ['elasticloadbalancing:AddTags']);
    const creates = allActions(doc).filter((a) => a.startsWith('elasticloadbalancing:Create')).map((a) => a.split(':')[1]);
    assert.deepEqual(elbOnCreate.Condition!.StringEquals!['elasticloadbalancing:CreateAction'], creates);
    const ec2OnCreate = doc.Statement.find((s) => s.Condition?.StringEquals?.['ec2:CreateAction'] !== undefined);
    assert.ok(ec2OnCreate);
    assert.deepEqual(ec2OnCreate.Action, ['ec2:CreateTags']);
    assert.equal(ec2OnCreate.Condition!.StringEquals!['ec2:CreateAction'], 'CreateSecurityGroup');
  });

  test('other tag changes keep the ownership tag: resource tagged, request not touching it', () => {
    for (const a of ['ec2:CreateTags', 'ec2:DeleteTags', 'elasticloadbalancing:AddTags', 'elasticloadbalancing:RemoveTags']) {
      for (const s of statementsWith(doc, a).filter((x) => x.Condition?.StringEquals === undefined)) {
        assert.equal(nullCondition(s, RESOURCE_TAG), 'false', `${s.Sid}: ${a}`);
        assert.equal(nullCondition(s, REQUEST_TAG), 'true', `${s.Sid}: ${a}`);
      }
    }
  });

  test('security group ingress changes only on its own groups or this cluster’s node groups', () => {
    for (const a of ['ec2:AuthorizeSecurityGroupIngress', 'ec2:RevokeSecurityGroupIngress']) {
      const keys = statementsWith(doc, a).map((s) => Object.entries(s.Condition?.Null ?? {}));
      assert.deepEqual(keys.sort(), [[[`aws:ResourceTag/kubernetes.io/cluster/${CLUSTER}`, 'false']], [[RESOURCE_TAG, 'false']]].sort(), a);
    }
  });

  test('the service-linked role only for Elastic Load Balancing', () => {
    const [s, ...rest] = statementsWith(doc, 'iam:CreateServiceLinkedRole');
    assert.equal(rest.length, 0);
    assert.deepEqual(s!.Condition, { StringEquals: { 'iam:AWSServiceName': 'elasticloadbalancing.amazonaws.com' } });
    assert.deepEqual(s!.Action, ['iam:CreateServiceLinkedRole']);
  });

  test('scoped statements stay in this account and region', () => {
    for (const s of doc.Statement) {
      const r = resources(s);
      if (r === '*') continue;
      for (const arn of r) {
        const [, , service, region, account] = arn.split(':');
        assert.ok(account === ACCOUNT, `${s.Sid}: ${arn} is in this account`);
        if (service !== 'iam') assert.equal(region, REGION, `${s.Sid}: ${arn} is in this region`);
      }
    }
  });

  test('fits IAM’s 10,240-character limit on a role’s inline policies, worst case', () => {
    // The longest partition and region names, and a 100-character cluster name.
    const env = { ...ENV, 'AWS::Partition': 'aws-iso-b', 'AWS::Region': 'ap-southeast-4' };
    const size = JSON.stringify(resolveAll(loadBalancerControllerPolicy('c'.repeat(100)), env)).length;
    assert.ok(size < 10_240 - 500, `${size} characters leaves under 500 spare`);
  });

  test('targets: any target group here, none elsewhere', () => {
    const [s] = statementsWith(doc, 'elasticloadbalancing:RegisterTargets');
    assert.ok(granted(s!, `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/k8s-default-web-0123456789/0123456789abcdef`));
    assert.ok(!granted(s!, `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:targetgroup/k8s-default-web-0123456789/0123456789abcdef`));
    assert.ok(!granted(s!, `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:loadbalancer/app/k8s-web/0123456789abcdef`));
  });
});

describe('CloudWatch Logs writers', () => {
  const stream = `${GROUP_ARN}:log-stream:kube.var.log.containers.web-0_default_web-abc.log`;
  const otherStreams = [
    `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/kuberator/prod-eu/containers-other:log-stream:x`,
    `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/eks/prod-eu/cluster:log-stream:kube-apiserver-1`,
  ];
  const write = ['logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'];

  for (const [name, make] of [
    ['fluent-bit, GetAtt ARN', PERMISSIONS.fluentBit!],
    ['fluent-bit, literal ARN', PERMISSIONS.fluentBitLiteralArn!],
  ] as const) {
    test(`${name}: writes streams in its group and no other`, () => {
      const doc = make();
      assert.deepEqual(allActions(doc), ['logs:CreateLogStream', 'logs:DescribeLogGroups', 'logs:DescribeLogStreams', 'logs:PutLogEvents']);
      for (const a of write) {
        const ss = statementsWith(doc, a);
        assert.ok(ss.every((s) => s.Resource !== '*'), `${a} is scoped`);
        assert.ok(ss.some((s) => granted(s, stream)), `${a} on its streams`);
        for (const o of otherStreams) assert.ok(!ss.some((s) => granted(s, o)), `${a} not on ${o}`);
      }
      assert.deepEqual(doc.Statement.filter((s) => s.Resource === '*').flatMap((s) => s.Action), ['logs:DescribeLogGroups']);
    });
  }

  test('a literal ARN without the :* suffix covers the group itself too', () => {
    const doc = fluentBitCloudWatchPolicy(GROUP_ARN);
    assert.ok(statementsWith(doc, 'logs:DescribeLogStreams').some((s) => granted(s, GROUP_ARN)));
  });

  test('flow-log delivery: write actions on its group only, nothing account-wide', () => {
    const doc = PERMISSIONS.flowLogsDelivery!();
    assert.deepEqual(allActions(doc), write);
    const flowStream = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/kuberator/prod-eu/flow-logs:log-stream:eni-0123-all`;
    for (const s of doc.Statement) {
      assert.notEqual(s.Resource, '*');
      assert.ok(granted(s, flowStream));
      for (const o of [stream, ...otherStreams]) assert.ok(!granted(s, o), o);
    }
  });
});

describe('trust policies', () => {
  for (const [name, t] of Object.entries(TRUSTS)) {
    test(`${name}: ${t.service} may ${t.actions.join(' and ')}`, () => {
      const doc = t.make();
      assert.equal(doc.Statement.length, 1);
      const s = doc.Statement[0]!;
      assert.deepEqual(s.Principal, { Service: t.service });
      assert.deepEqual(s.Action, t.actions);
      assert.equal(s.Resource, undefined, 'a trust policy names no resource');
    });
  }

  test('flow logs: only on behalf of this account', () => {
    assert.deepEqual(flowLogsTrustPolicy().Statement[0]!.Condition, { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } });
  });

  test('the others carry no condition', () => {
    for (const make of [podIdentityTrustPolicy, ec2TrustPolicy, eksClusterTrustPolicy]) assert.equal(make().Statement[0]!.Condition, undefined);
  });
});

describe('AWS managed policies', () => {
  const want: Record<keyof typeof MANAGED_POLICIES, string> = {
    eksCluster: 'AmazonEKSClusterPolicy',
    eksWorkerNode: 'AmazonEKSWorkerNodePolicy',
    ecrRead: 'AmazonEC2ContainerRegistryPullOnly',
    ssmCore: 'AmazonSSMManagedInstanceCore',
    cni: 'AmazonEKS_CNI_Policy',
    ebsCsi: 'service-role/AmazonEBSCSIDriverPolicy',
  };

  test('partition-independent ARNs of the expected policies', () => {
    assert.deepEqual(Object.keys(MANAGED_POLICIES).sort(), Object.keys(want).sort());
    for (const [key, path] of Object.entries(want)) {
      const value = MANAGED_POLICIES[key as keyof typeof MANAGED_POLICIES];
      assert.deepEqual(value, { 'Fn::Sub': `arn:\${AWS::Partition}:iam::aws:policy/${path}` }, key);
      assert.equal(evaluate(value), `arn:aws:iam::aws:policy/${path}`);
    }
  });

  test('the table cannot be changed by a caller', () => {
    assert.ok(Object.isFrozen(MANAGED_POLICIES));
    for (const v of Object.values(MANAGED_POLICIES)) assert.ok(Object.isFrozen(v));
  });
});

describe('externalDnsDomainPolicy', () => {
  test('changes only records at or under the domain, in any zone', async () => {
    const { externalDnsDomainPolicy, isHostedZoneId } = await import('../src/render/cloudformation/policies.js');
    const doc = externalDnsDomainPolicy('Shop.Example.com.');
    const change = doc.Statement.find((s) => ([] as string[]).concat(s.Action as string | string[]).includes('route53:ChangeResourceRecordSets'))!;
    assert.deepEqual(change.Condition, { 'ForAllValues:StringLike': { 'route53:ChangeResourceRecordSetsNormalizedRecordNames': ['shop.example.com', '*.shop.example.com'] } });
    assert.ok(doc.Statement.every((s) => !([] as string[]).concat(s.Action as string | string[]).some((a) => a.endsWith('*'))));
    assert.equal(isHostedZoneId('Z0123456789ABCDEFGHIJ'), true);
    assert.equal(isHostedZoneId('/hostedzone/Z0123456789ABC'), true);
    assert.equal(isHostedZoneId('shop.example.com'), false);
  });
});
