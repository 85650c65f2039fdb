// IAM policy documents for the roles the stacks create: trust policies, and one least-privilege
// permissions policy per workload that calls AWS from the cluster. Pure functions returning plain
// JSON; ARNs that depend on the partition, account or region are CloudFormation intrinsics, so the
// same document deploys in any partition. Every statement has a Sid and sorted actions; `*` as a
// resource appears only where the action cannot be scoped, and each such statement says why.

/** A literal string or a CloudFormation intrinsic (`{ Ref }`, `{ 'Fn::Sub' }`, `{ 'Fn::GetAtt' }`…). */
export type CfnValue = string | { readonly [intrinsic: string]: unknown };

/** `{ 'Fn::Sub': template }`, optionally with a variable map. */
export type CfnSub = { 'Fn::Sub': string | [string, Record<string, CfnValue>] };

export type Condition = Record<string, Record<string, CfnValue | string[]>>;

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow' | 'Deny';
  Principal?: { Service: CfnValue } | { AWS: CfnValue };
  Action: string[];
  Resource?: '*' | CfnValue[];
  Condition?: Condition;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

// ---------------------------------------------------------------------------------------------
// Building blocks

function document(...statements: PolicyStatement[]): PolicyDocument {
  return { Version: '2012-10-17', Statement: statements };
}

/** An Allow statement; actions are copied, de-duplicated and sorted so output is stable. */
function allow(Sid: string, actions: readonly string[], resource: '*' | CfnValue[], condition?: Condition): PolicyStatement {
  const s: PolicyStatement = { Sid, Effect: 'Allow', Action: [...new Set(actions)].sort(), Resource: resource };
  if (condition) s.Condition = condition;
  return s;
}

/** A trust statement letting one AWS service principal assume the role. */
function trust(Sid: string, service: string, actions: readonly string[], condition?: Condition): PolicyDocument {
  const s: PolicyStatement = { Sid, Effect: 'Allow', Principal: { Service: service }, Action: [...actions].sort() };
  if (condition) s.Condition = condition;
  return document(s);
}

/** An ARN in the stack's partition: `arn:${AWS::Partition}:<rest>` (rest may use other pseudo parameters). */
function arn(rest: string): CfnSub {
  return { 'Fn::Sub': 'arn:${AWS::Partition}:' + rest };
}

/** An ARN of a resource in the stack's own region and account: `arn:…:<service>:<region>:<account>:<resource>`. */
function regional(service: string, resource: string): CfnSub {
  return arn(service + ':${AWS::Region}:${AWS::AccountId}:' + resource);
}

/** `value` followed by a literal suffix; concatenation for strings (CDK tokens included), Fn::Join otherwise. */
function withSuffix(value: CfnValue, suffix: string): CfnValue {
  return typeof value === 'string' ? `${value}${suffix}` : { 'Fn::Join': ['', [value, suffix]] };
}

const EKS_NAME = /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/;

/** The cluster name appears in condition keys, which cannot be intrinsics: it must be a literal EKS name. */
function checkClusterName(clusterName: string): void {
  if (!EKS_NAME.test(clusterName)) throw new Error(`IAM policy: "${clusterName}" is not a literal EKS cluster name`);
}

// ---------------------------------------------------------------------------------------------
// Trust policies

/** Roles handed to pods through EKS Pod Identity; the agent tags the session with the pod's identity. */
export function podIdentityTrustPolicy(): PolicyDocument {
  return trust('EksPodIdentityAssumesRole', 'pods.eks.amazonaws.com', ['sts:AssumeRole', 'sts:TagSession']);
}

/** Instance roles (nodes, bastion). */
export function ec2TrustPolicy(): PolicyDocument {
  return trust('Ec2AssumesRole', 'ec2.amazonaws.com', ['sts:AssumeRole']);
}

/** The cluster role EKS uses to manage the control plane. */
export function eksClusterTrustPolicy(): PolicyDocument {
  return trust('EksAssumesRole', 'eks.amazonaws.com', ['sts:AssumeRole', 'sts:TagSession']);
}

/** The flow-log delivery role, assumable by the flow-logs service only on behalf of this account. */
export function flowLogsTrustPolicy(): PolicyDocument {
  return trust('VpcFlowLogsAssumesRole', 'vpc-flow-logs.amazonaws.com', ['sts:AssumeRole'], {
    StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
  });
}

// ---------------------------------------------------------------------------------------------
// CloudWatch Logs writers

const LOG_WRITE = ['logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'];

/**
 * The log group and its streams. Accepts the group ARN with or without the trailing `:*` that
 * `Fn::GetAtt <group>.Arn` returns: `<arn>:*` then covers the streams either way.
 */
function logGroupAndStreams(logGroupArn: CfnValue): CfnValue[] {
  return [logGroupArn, withSuffix(logGroupArn, ':*')];
}

/** fluent-bit's CloudWatch output: streams in one log group that the stack creates (so no CreateLogGroup). */
export function fluentBitCloudWatchPolicy(logGroupArn: CfnValue): PolicyDocument {
  return document(
    allow('WriteContainerLogStreams', LOG_WRITE, logGroupAndStreams(logGroupArn)),
    // DescribeLogGroups is a list call over the account's groups: it has no per-group resource.
    allow('ListLogGroups', ['logs:DescribeLogGroups'], '*'),
  );
}

/** What VPC Flow Logs needs to deliver into the stack's log group, and nothing else. */
export function flowLogsDeliveryPolicy(logGroupArn: CfnValue): PolicyDocument {
  return document(allow('DeliverFlowLogs', LOG_WRITE, logGroupAndStreams(logGroupArn)));
}

// ---------------------------------------------------------------------------------------------
// cluster-autoscaler

/**
 * cluster-autoscaler: reads groups, instance types and launch templates anywhere, but resizes and
 * terminates only in Auto Scaling groups tagged `k8s.io/cluster-autoscaler/<cluster>: owned`.
 */
export function clusterAutoscalerPolicy(clusterName: string): PolicyDocument {
  checkClusterName(clusterName);
  return document(
    // Auto Scaling Describe* calls support no resource-level permissions.
    allow(
      'ReadAutoScalingGroups',
      [
        'autoscaling:DescribeAutoScalingGroups',
        'autoscaling:DescribeAutoScalingInstances',
        'autoscaling:DescribeLaunchConfigurations',
        'autoscaling:DescribeScalingActivities',
        'autoscaling:DescribeTags',
      ],
      '*',
    ),
    // EC2 Describe*/Get* calls support no resource-level permissions.
    allow(
      'ReadInstanceTypesAndTemplates',
      ['ec2:DescribeImages', 'ec2:DescribeInstanceTypes', 'ec2:DescribeLaunchTemplateVersions', 'ec2:GetInstanceTypesFromInstanceRequirements'],
      '*',
    ),
    allow('ReadOwnManagedNodeGroups', ['eks:DescribeNodegroup'], [regional('eks', `nodegroup/${clusterName}/*/*`)]),
    allow(
      'ResizeOwnAutoScalingGroups',
      ['autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup'],
      [regional('autoscaling', 'autoScalingGroup:*:autoScalingGroupName/*')],
      { StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${clusterName}`]: 'owned' } },
    ),
  );
}

// ---------------------------------------------------------------------------------------------
// external-dns

/** A hosted zone id as given: a literal id (an optional `/hostedzone/` prefix is dropped) or an intrinsic. */
function hostedZoneArn(hostedZoneId: CfnValue): CfnSub {
  const id = typeof hostedZoneId === 'string' ? hostedZoneId.replace(/^\/?hostedzone\//, '') : hostedZoneId;
  return { 'Fn::Sub': ['arn:${AWS::Partition}:route53:::hostedzone/${HostedZoneId}', { HostedZoneId: id }] };
}

/**
 * external-dns: records in one hosted zone. Run it with `--zone-id-filter=<that zone>`: a zone it
 * may not read or change would make every sync fail.
 */
export function externalDnsPolicy(hostedZoneIdRef: CfnValue): PolicyDocument {
  return document(
    allow(
      'ManageRecordsInZone',
      ['route53:ChangeResourceRecordSets', 'route53:ListResourceRecordSets', 'route53:ListTagsForResource', 'route53:ListTagsForResources'],
      [hostedZoneArn(hostedZoneIdRef)],
    ),
    // ListHostedZones lists the account's zones: it has no per-zone resource.
    allow('ListHostedZones', ['route53:ListHostedZones'], '*'),
  );
}

/**
 * external-dns when the spec names a domain rather than a zone id: record changes in any zone, but
 * only for names at or under the domain (IAM checks the normalised record names). Run it with
 * `--domain-filter=<domain>` and a TXT prefix ending in a dot, so registry records stay under it.
 */
export function externalDnsDomainPolicy(domain: string): PolicyDocument {
  const d = domain.toLowerCase().replace(/\.$/, '');
  const zones = [arn('route53:::hostedzone/*')];
  return document(
    allow('ChangeRecordsUnderDomain', ['route53:ChangeResourceRecordSets'], zones, {
      'ForAllValues:StringLike': { 'route53:ChangeResourceRecordSetsNormalizedRecordNames': [d, `*.${d}`] },
    }),
    allow('ReadRecords', ['route53:ListResourceRecordSets', 'route53:ListTagsForResource', 'route53:ListTagsForResources'], zones),
    // ListHostedZones lists the account's zones: it has no per-zone resource.
    allow('ListHostedZones', ['route53:ListHostedZones'], '*'),
  );
}

/** A Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ, as opposed to a domain name. */
export function isHostedZoneId(s: string): boolean {
  return /^(\/?hostedzone\/)?Z[0-9A-Z]{4,}$/.test(s);
}

// ---------------------------------------------------------------------------------------------
// AWS Load Balancer Controller

/** The tag the controller puts on everything it creates, valued with its cluster name. */
const LBC_TAG = 'elbv2.k8s.aws/cluster';
/** The request creates something carrying the controller's tag. */
const lbcRequestTagged = () => ({ [`aws:RequestTag/${LBC_TAG}`]: 'false' });
/** The resource acted on carries the controller's tag. */
const lbcResourceTagged = () => ({ [`aws:ResourceTag/${LBC_TAG}`]: 'false' });
/** Re-tagging an owned resource, without adding or changing the ownership tag itself. */
const lbcRetag = (): Condition => ({ Null: { [`aws:RequestTag/${LBC_TAG}`]: 'true', ...lbcResourceTagged() } });

const ELB_CREATE_ACTIONS = ['CreateListener', 'CreateLoadBalancer', 'CreateRule', 'CreateTargetGroup'];

const elb = (resource: string) => regional('elasticloadbalancing', resource);
const appLoadBalancers = () => elb('loadbalancer/app/*/*');
/** Load balancers, listeners, rules and target groups (ALB and NLB) in this account and region. */
const elbResources = (): CfnValue[] => [
  appLoadBalancers(),
  elb('loadbalancer/net/*/*'),
  elb('listener/app/*/*/*'),
  elb('listener/net/*/*/*'),
  elb('listener-rule/app/*/*/*/*'),
  elb('listener-rule/net/*/*/*/*'),
  elb('targetgroup/*/*'),
];
const securityGroups = () => [regional('ec2', 'security-group/*')];

/** Reads the controller needs to discover subnets, targets, certificates and its own resources. */
function lbcReadStatements(): PolicyStatement[] {
  return [
    // EC2 Describe*/Get* calls support no resource-level permissions.
    allow(
      'DescribeNetwork',
      [
        'ec2:DescribeAccountAttributes',
        'ec2:DescribeAddresses',
        'ec2:DescribeAvailabilityZones',
        'ec2:DescribeCoipPools',
        'ec2:DescribeInstances',
        'ec2:DescribeInternetGateways',
        'ec2:DescribeIpamPools',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeRouteTables',
        'ec2:DescribeSecurityGroups',
        'ec2:DescribeSubnets',
        'ec2:DescribeTags',
        'ec2:DescribeVpcPeeringConnections',
        'ec2:DescribeVpcs',
        'ec2:GetCoipPoolUsage',
        'ec2:GetSecurityGroupsForVpc',
      ],
      '*',
    ),
    // Elastic Load Balancing Describe* calls support no resource-level permissions.
    allow(
      'DescribeLoadBalancing',
      [
        'elasticloadbalancing:DescribeCapacityReservation',
        'elasticloadbalancing:DescribeListenerAttributes',
        'elasticloadbalancing:DescribeListenerCertificates',
        'elasticloadbalancing:DescribeListeners',
        'elasticloadbalancing:DescribeLoadBalancerAttributes',
        'elasticloadbalancing:DescribeLoadBalancers',
        'elasticloadbalancing:DescribeRules',
        'elasticloadbalancing:DescribeSSLPolicies',
        'elasticloadbalancing:DescribeTags',
        'elasticloadbalancing:DescribeTargetGroupAttributes',
        'elasticloadbalancing:DescribeTargetGroups',
        'elasticloadbalancing:DescribeTargetHealth',
        'elasticloadbalancing:DescribeTrustStores',
      ],
      '*',
    ),
    // Certificate discovery by host name lists every certificate: list calls have no resource.
    allow('ListCertificates', ['acm:ListCertificates', 'iam:ListServerCertificates'], '*'),
    allow('ReadCertificates', ['acm:DescribeCertificate', 'iam:GetServerCertificate'], [
      regional('acm', 'certificate/*'),
      arn('iam::${AWS::AccountId}:server-certificate/*'),
    ]),
    allow('ReadCognitoUserPoolClients', ['cognito-idp:DescribeUserPoolClient'], [regional('cognito-idp', 'userpool/*')]),
  ];
}

/** WAF and Shield, used only when an Ingress asks for them, limited to this account's ALBs and web ACLs. */
function lbcProtectionStatements(): PolicyStatement[] {
  const web = (service: string) => [
    `${service}:AssociateWebACL`,
    `${service}:DisassociateWebACL`,
    `${service}:GetWebACL`,
    `${service}:GetWebACLForResource`,
  ];
  return [
    allow('AttachWafV2WebAcls', web('wafv2'), [regional('wafv2', 'regional/webacl/*/*'), appLoadBalancers()]),
    allow('AttachWafClassicWebAcls', web('waf-regional'), [regional('waf-regional', 'webacl/*'), appLoadBalancers()]),
    // Shield names protections by the protected resource's ARN (or an id it assigns), and
    // GetSubscriptionState is account-wide: none of these has a resource pattern to scope to.
    allow('ManageShieldProtection', ['shield:CreateProtection', 'shield:DeleteProtection', 'shield:DescribeProtection', 'shield:GetSubscriptionState'], '*'),
  ];
}

/**
 * Security groups: the controller creates tagged groups for its load balancers and edits only
 * those, plus ingress on the cluster's node groups (tagged `kubernetes.io/cluster/<cluster>`) so
 * load balancers can reach their targets.
 */
function lbcSecurityGroupStatements(clusterName: string): PolicyStatement[] {
  return [
    // Creating a group is also authorised against the VPC, which carries no request tags.
    allow('CreateSecurityGroupInVpc', ['ec2:CreateSecurityGroup'], [regional('ec2', 'vpc/*')]),
    allow('CreateTaggedSecurityGroup', ['ec2:CreateSecurityGroup'], securityGroups(), { Null: lbcRequestTagged() }),
    allow('TagSecurityGroupOnCreate', ['ec2:CreateTags'], securityGroups(), {
      StringEquals: { 'ec2:CreateAction': 'CreateSecurityGroup' },
      Null: lbcRequestTagged(),
    }),
    allow('RetagOwnSecurityGroups', ['ec2:CreateTags', 'ec2:DeleteTags'], securityGroups(), lbcRetag()),
    allow(
      'ManageOwnSecurityGroups',
      ['ec2:AuthorizeSecurityGroupIngress', 'ec2:DeleteSecurityGroup', 'ec2:RevokeSecurityGroupIngress'],
      securityGroups(),
      { Null: lbcResourceTagged() },
    ),
    allow('OpenNodeSecurityGroupsToLoadBalancers', ['ec2:AuthorizeSecurityGroupIngress', 'ec2:RevokeSecurityGroupIngress'], securityGroups(), {
      Null: { [`aws:ResourceTag/kubernetes.io/cluster/${clusterName}`]: 'false' },
    }),
  ];
}

/** Load balancers, listeners, rules and target groups: created tagged, changed only while tagged. */
function lbcLoadBalancerStatements(): PolicyStatement[] {
  const elbActions = (names: string[]) => names.map((n) => `elasticloadbalancing:${n}`);
  return [
    allow('CreateTaggedLoadBalancers', elbActions(ELB_CREATE_ACTIONS), elbResources(), { Null: lbcRequestTagged() }),
    allow('TagLoadBalancersOnCreate', elbActions(['AddTags']), elbResources(), {
      StringEquals: { 'elasticloadbalancing:CreateAction': [...ELB_CREATE_ACTIONS] },
      Null: lbcRequestTagged(),
    }),
    allow('RetagOwnLoadBalancers', elbActions(['AddTags', 'RemoveTags']), elbResources(), lbcRetag()),
    allow(
      'ManageOwnLoadBalancers',
      elbActions([
        'AddListenerCertificates',
        'DeleteListener',
        'DeleteLoadBalancer',
        'DeleteRule',
        'DeleteTargetGroup',
        'ModifyCapacityReservation',
        'ModifyIpPools',
        'ModifyListener',
        'ModifyListenerAttributes',
        'ModifyLoadBalancerAttributes',
        'ModifyRule',
        'ModifyTargetGroup',
        'ModifyTargetGroupAttributes',
        'RemoveListenerCertificates',
        'SetIpAddressType',
        'SetRulePriorities',
        'SetSecurityGroups',
        'SetSubnets',
        'SetWebAcl',
      ]),
      elbResources(),
      { Null: lbcResourceTagged() },
    ),
    // Targets: a TargetGroupBinding may name a target group made outside the cluster, so
    // registration is limited to target groups in this account and region, not to tagged ones.
    allow('RegisterTargets', elbActions(['DeregisterTargets', 'RegisterTargets']), [elb('targetgroup/*/*')]),
  ];
}

/**
 * AWS Load Balancer Controller for `clusterName` (its `--cluster-name`). Listeners and rules are
 * scoped by tag too, which needs the controller to tag them (its default; keep the
 * `ListenerRulesTagging` feature gate on). Node security groups must carry `kubernetes.io/cluster/<name>`.
 */
export function loadBalancerControllerPolicy(clusterName: string): PolicyDocument {
  checkClusterName(clusterName);
  return document(
    allow('CreateElbServiceLinkedRole', ['iam:CreateServiceLinkedRole'], [
      arn('iam::${AWS::AccountId}:role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing'),
    ], { StringEquals: { 'iam:AWSServiceName': 'elasticloadbalancing.amazonaws.com' } }),
    ...lbcReadStatements(),
    ...lbcProtectionStatements(),
    ...lbcSecurityGroupStatements(clusterName),
    ...lbcLoadBalancerStatements(),
  );
}

// ---------------------------------------------------------------------------------------------
// AWS managed policies

function managed(path: string): Readonly<CfnSub> {
  return Object.freeze({ 'Fn::Sub': `arn:\${AWS::Partition}:iam::aws:policy/${path}` });
}

/** AWS managed policies attached to the stacks' roles, as partition-independent ARNs. */
export const MANAGED_POLICIES = Object.freeze({
  /** Cluster role: EKS manages the control plane's network interfaces and security groups. */
  eksCluster: managed('AmazonEKSClusterPolicy'),
  /** Node role: nodes describe the cluster and their instances to join it. */
  eksWorkerNode: managed('AmazonEKSWorkerNodePolicy'),
  /** Node role: kubelet pulls images from ECR (pull only, no repository listing). */
  ecrRead: managed('AmazonEC2ContainerRegistryPullOnly'),
  /** Node and bastion roles: Session Manager access instead of SSH. */
  ssmCore: managed('AmazonSSMManagedInstanceCore'),
  /** VPC CNI (aws-node) Pod Identity role: attaches network interfaces and addresses for pods. */
  cni: managed('AmazonEKS_CNI_Policy'),
  /** EBS CSI controller Pod Identity role: creates, attaches and snapshots volumes. */
  ebsCsi: managed('service-role/AmazonEBSCSIDriverPolicy'),
});

// ---------------------------------------------------------------------------------------------
// KMS key policies

/**
 * A customer key's policy: the account administers it through IAM, grants can be created only for
 * AWS resources or by AWS services, and, for a logs key, CloudWatch Logs may use it for this
 * account's log groups in this region only.
 */
export function kmsKeyPolicy(opts: { forLogs: boolean }): PolicyDocument {
  const statements: PolicyStatement[] = [
    {
      Sid: 'AccountAdministersKey',
      Effect: 'Allow',
      Principal: { AWS: arn('iam::${AWS::AccountId}:root') },
      // The key policy delegates to IAM: access is then granted by IAM policies, as for any resource.
      Action: ['kms:*'],
      Resource: '*',
    },
    {
      Sid: 'GrantsOnlyForAwsServices',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: ['kms:CreateGrant'],
      Resource: '*',
      Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
    },
  ];
  if (opts.forLogs) {
    statements.push({
      Sid: 'CloudWatchLogsEncryptsThisAccountsLogGroups',
      Effect: 'Allow',
      Principal: { Service: { 'Fn::Sub': 'logs.${AWS::Region}.amazonaws.com' } },
      Action: ['kms:Decrypt', 'kms:Describe*', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
      Resource: '*',
      Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': arn('logs:${AWS::Region}:${AWS::AccountId}:log-group:*') } },
    });
  }
  return document(...statements);
}
