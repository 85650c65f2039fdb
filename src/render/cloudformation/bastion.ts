// The bastion stack, when access is `bastion` (L03, L21, L22): one instance in an Auto Scaling
// group of one (it comes back when it dies), in a public subnet, SSH only from the allowed ranges,
// IMDSv2, an encrypted volume, and Session Manager as a second way in.
import type { Stack } from './cdk.js';
import { networkRefs } from './network.js';
import { ec2TrustPolicy, MANAGED_POLICIES } from './policies.js';
import { type BuildContext, managedPolicy, resourceTags } from './stack.js';

export function buildBastionStack(ctx: BuildContext, stack: Stack): void {
  const { cdk, model: m } = ctx;
  const { core, ec2, iam, autoscaling } = cdk;
  const b = m.network.bastion!;
  const net = networkRefs(ctx, stack);
  const tags = resourceTags(m, `${m.name}-bastion`);
  const arm = b.instanceType.startsWith('t4g') || /^[a-z]+\d+g/.test(b.instanceType);
  const ami = new core.CfnParameter(stack, 'AmiId', {
    type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>',
    default: `/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${arm ? 'arm64' : 'x86_64'}`,
    description: 'Amazon Linux 2023 AMI for the bastion',
  });
  const sg = new ec2.CfnSecurityGroup(stack, 'BastionSecurityGroup', {
    vpcId: net.vpcId,
    groupDescription: `SSH to ${m.name}'s bastion from the allowed ranges only`,
    securityGroupIngress: b.allowedCidrs.map((cidr) => ({ ipProtocol: 'tcp', fromPort: 22, toPort: 22, cidrIp: cidr, description: 'SSH from an allowed range' })),
    tags,
  });
  const role = new iam.CfnRole(stack, 'BastionRole', {
    description: `${m.name} bastion: Session Manager only`,
    assumeRolePolicyDocument: ec2TrustPolicy(),
    managedPolicyArns: [managedPolicy(ctx, MANAGED_POLICIES.ssmCore)],
    tags,
  });
  const profile = new iam.CfnInstanceProfile(stack, 'BastionInstanceProfile', { roles: [role.ref] });
  const lt = new ec2.CfnLaunchTemplate(stack, 'BastionLaunchTemplate', {
    launchTemplateData: {
      imageId: ami.valueAsString,
      instanceType: b.instanceType,
      iamInstanceProfile: { arn: profile.attrArn },
      networkInterfaces: [{ deviceIndex: 0, associatePublicIpAddress: true, groups: [sg.attrGroupId], deleteOnTermination: true }],
      metadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 1, httpEndpoint: 'enabled' },
      monitoring: { enabled: true },
      blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { volumeSize: 8, volumeType: 'gp3', encrypted: true, deleteOnTermination: true } }],
      tagSpecifications: [
        { resourceType: 'instance', tags },
        { resourceType: 'volume', tags },
      ],
    },
  });
  new autoscaling.CfnAutoScalingGroup(stack, 'BastionGroup', {
    minSize: '1',
    maxSize: '1',
    desiredCapacity: '1',
    availabilityZones: m.network.zones,
    vpcZoneIdentifier: net.subnetIds('public'),
    launchTemplate: { launchTemplateId: lt.ref, version: lt.attrLatestVersionNumber },
    tags: tags.map((t) => ({ ...t, propagateAtLaunch: false })),
  });
}
