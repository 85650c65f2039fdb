// The cluster stack (L16, L21, L25): the EKS control plane with its role and security group,
// endpoint access, all requested log types with a retention, a KMS key with rotation for Secrets,
// access entries (API mode, no aws-auth ConfigMap) for admins and teams, and the managed add-ons
// nodes need before they can join: vpc-cni (with its own Pod Identity role), kube-proxy and the
// Pod Identity agent.
import type { Stack } from './cdk.js';
import { networkRefs } from './network.js';
import { eksClusterTrustPolicy, kmsKeyPolicy, MANAGED_POLICIES, podIdentityTrustPolicy } from './policies.js';
import { EXPORTS, pascal } from './names.js';
import { type BuildContext, exportOutput, logsKmsKey, managedPolicy, resourceTags } from './stack.js';

/** EKS access policies live in the `aws` account of each partition. */
const accessPolicy = (ctx: BuildContext, name: string) => ctx.cdk.core.Fn.sub(`arn:\${AWS::Partition}:eks::aws:cluster-access-policy/${name}`);

export function buildClusterStack(ctx: BuildContext, stack: Stack): void {
  const { cdk, model: m, names } = ctx;
  const { core, ec2, eks, iam, kms, logs } = cdk;
  const tags = (name: string) => resourceTags(m, name);
  const net = networkRefs(ctx, stack);
  const version = new core.CfnParameter(stack, 'KubernetesVersion', {
    type: 'String',
    default: m.kubernetesVersion,
    allowedPattern: '^1\\.[0-9]+$',
    description: 'Kubernetes minor version of the control plane',
  });

  const role = new iam.CfnRole(stack, 'ClusterRole', {
    description: `Lets EKS manage ${m.name}'s control plane`,
    assumeRolePolicyDocument: eksClusterTrustPolicy(),
    managedPolicyArns: [managedPolicy(ctx, MANAGED_POLICIES.eksCluster)],
    tags: tags(`${m.name}-cluster`),
  });
  const sg = new ec2.CfnSecurityGroup(stack, 'ControlPlaneSecurityGroup', {
    vpcId: net.vpcId,
    groupDescription: `Extra security group of ${m.name}'s control-plane network interfaces`,
    tags: tags(`${m.name}-control-plane`),
  });

  const logsKey = logsKmsKey(ctx, stack, `CloudWatch Logs encryption of ${m.name}'s control-plane and container logs`);
  const logGroup = new logs.CfnLogGroup(stack, 'ControlPlaneLogGroup', {
    logGroupName: names.controlPlaneLogGroup(),
    retentionInDays: m.controlPlane.logRetentionDays,
    kmsKeyId: logsKey,
    tags: tags(`${m.name}-control-plane-logs`),
  });

  let keyArn: string | undefined;
  if (m.controlPlane.secretsEncryption) {
    const key = new kms.CfnKey(stack, 'SecretsKey', {
      description: `Envelope encryption of ${m.name}'s Kubernetes Secrets`,
      enableKeyRotation: true,
      keyPolicy: kmsKeyPolicy({ forLogs: false }),
      tags: tags(`${m.name}-secrets`),
    });
    new kms.CfnAlias(stack, 'SecretsKeyAlias', { aliasName: `alias/${m.name}-secrets`, targetKeyId: key.ref });
    keyArn = key.attrArn;
  }

  const cp = m.controlPlane;
  const nodeTier = m.network.topology;
  const cluster = new eks.CfnCluster(stack, 'Cluster', {
    name: m.name,
    version: version.valueAsString,
    roleArn: role.attrArn,
    resourcesVpcConfig: {
      subnetIds: net.subnetIds(nodeTier),
      securityGroupIds: [sg.attrGroupId],
      endpointPublicAccess: cp.endpoint.public,
      endpointPrivateAccess: cp.endpoint.private,
      ...(cp.endpoint.public ? { publicAccessCidrs: cp.endpoint.publicCidrs } : {}),
    },
    kubernetesNetworkConfig: { serviceIpv4Cidr: m.network.serviceCidr, ipFamily: 'ipv4' },
    logging: { clusterLogging: { enabledTypes: cp.logging.map((type) => ({ type })) } },
    ...(keyArn ? { encryptionConfig: [{ provider: { keyArn }, resources: ['secrets'] }] } : {}),
    // Access entries only: cluster access is mapped from IAM roles, never from the aws-auth ConfigMap.
    accessConfig: { authenticationMode: 'API', bootstrapClusterCreatorAdminPermissions: m.access.admins.length === 0 },
    // Standard support only: extended support is billed at six times the rate (L39).
    upgradePolicy: { supportType: 'STANDARD' },
    tags: tags(m.name),
  });
  // The log group exists first, so EKS writes into the one with our retention.
  cluster.addResourceDependency(logGroup);

  m.access.admins.forEach((arn, i) => {
    new eks.CfnAccessEntry(stack, `AdminAccess${i + 1}`, {
      clusterName: cluster.ref,
      principalArn: arn,
      type: 'STANDARD',
      accessPolicies: [{ policyArn: accessPolicy(ctx, 'AmazonEKSClusterAdminPolicy'), accessScope: { type: 'cluster' } }],
    });
  });
  for (const team of m.access.teams) {
    new eks.CfnAccessEntry(stack, `Team${pascal(team.name)}Access`, {
      clusterName: cluster.ref,
      principalArn: team.roleArn,
      type: 'STANDARD',
      kubernetesGroups: [`team-${team.name}`],
      accessPolicies: [{ policyArn: accessPolicy(ctx, 'AmazonEKSEditPolicy'), accessScope: { type: 'namespace', namespaces: team.namespaces } }],
    });
  }

  // Add-ons that must run before nodes join. vpc-cni gets its permissions through Pod Identity,
  // not the node role (L21).
  const versions = m.addonVersions;
  const podIdentity = new eks.CfnAddon(stack, 'PodIdentityAgentAddon', { clusterName: cluster.ref, addonName: 'eks-pod-identity-agent', resolveConflicts: 'OVERWRITE' });
  const cniRole = new iam.CfnRole(stack, 'VpcCniRole', {
    description: `VPC CNI (aws-node) of ${m.name}: manages pod network interfaces`,
    assumeRolePolicyDocument: podIdentityTrustPolicy(),
    managedPolicyArns: [managedPolicy(ctx, MANAGED_POLICIES.cni)],
    tags: tags(`${m.name}-vpc-cni`),
  });
  const cni = new eks.CfnAddon(stack, 'VpcCniAddon', {
    clusterName: cluster.ref,
    addonName: 'vpc-cni',
    ...(versions['vpc-cni'] ? { addonVersion: versions['vpc-cni'].version } : {}),
    resolveConflicts: 'OVERWRITE',
    configurationValues: JSON.stringify({ env: vpcCniEnv(ctx) }),
    podIdentityAssociations: [{ serviceAccount: 'aws-node', roleArn: cniRole.attrArn }],
  });
  cni.addResourceDependency(podIdentity);
  new eks.CfnAddon(stack, 'KubeProxyAddon', {
    clusterName: cluster.ref,
    addonName: 'kube-proxy',
    ...(versions['kube-proxy'] ? { addonVersion: versions['kube-proxy'].version } : {}),
    resolveConflicts: 'OVERWRITE',
  });

  if (m.addons.logging && m.addons.logging.fluentBit.output === 'cloudwatch') {
    const containers = new logs.CfnLogGroup(stack, 'ContainerLogGroup', {
      logGroupName: names.containerLogGroup(),
      retentionInDays: cp.logRetentionDays,
      kmsKeyId: logsKey,
      tags: tags(`${m.name}-container-logs`),
    });
    exportOutput(ctx, stack, EXPORTS.containerLogGroupArn, containers.attrArn, 'Log group fluent-bit writes container logs to');
  }

  exportOutput(ctx, stack, EXPORTS.clusterName, cluster.ref, 'EKS cluster name');
  exportOutput(ctx, stack, EXPORTS.clusterArn, cluster.attrArn, 'EKS cluster ARN');
  exportOutput(ctx, stack, EXPORTS.clusterEndpoint, cluster.attrEndpoint, 'Kubernetes API endpoint');
  exportOutput(ctx, stack, EXPORTS.clusterCa, cluster.attrCertificateAuthorityData, 'Cluster certificate authority, base64');
  exportOutput(ctx, stack, EXPORTS.clusterSecurityGroup, cluster.attrClusterSecurityGroupId, 'Security group EKS created for the cluster (nodes and control plane)');
}

/** AWS_VPC_K8S_CNI_* settings from the resolved network (L12, L14). */
export function vpcCniEnv(ctx: BuildContext): Record<string, string> {
  const p = ctx.model.network.pods;
  return {
    AWS_VPC_K8S_CNI_EXTERNALSNAT: String(p.externalSnat),
    ENABLE_PREFIX_DELEGATION: String(p.prefixDelegation),
    ...(p.prefixDelegation ? { WARM_PREFIX_TARGET: '1' } : { WARM_ENI_TARGET: '1' }),
    ...(p.customNetworkingCidr ? { AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: 'true', ENI_CONFIG_LABEL_DEF: 'topology.kubernetes.io/zone' } : {}),
  };
}
