// One stack per node group, or per group and zone for per-AZ groups, so each can be replaced
// alone (L10, L22): a launch template (AMI from the public SSM parameter, nodeadm user data with
// the kubelet protection, IMDSv2 with hop limit 1, an encrypted root volume), then an EKS managed
// node group or a self-managed Auto Scaling group with a mixed-instances policy, autoscaler
// discovery tags and the scheduled actions of spec.scaling (L08, L18). The node role carries only
// what a node needs: add-on permissions live in Pod Identity roles.
import type { ResolvedNodeGroup } from '../../model/types.js';
import type { Stack } from './cdk.js';
import { networkRefs } from './network.js';
import { EXPORTS, type NodeGroupUnit, pascal } from './names.js';
import { ec2TrustPolicy, MANAGED_POLICIES } from './policies.js';
import { type BuildContext, managedPolicy, importValue, resourceTags } from './stack.js';
import { amiParameter, bottlerocketUserData, nodeadmUserData, nodeLabels } from './userdata.js';

const ROOT_DEVICE = { al2023: '/dev/xvda', bottlerocket: '/dev/xvdb' } as const;

export function buildNodeGroupStack(ctx: BuildContext, stack: Stack, unit: NodeGroupUnit): void {
  const { cdk, model: m, names } = ctx;
  const { core, ec2, eks, iam, autoscaling } = cdk;
  const g = unit.group;
  const net = networkRefs(ctx, stack);
  const tier = m.network.topology;
  const subnets = unit.zone ? [net.subnetId(tier, unit.zone)] : net.subnetIds(tier);
  const clusterName = importValue(ctx, EXPORTS.clusterName);
  const tags = (name: string, extra: Record<string, string> = {}) => resourceTags(m, name, extra);
  const unitName = names.asgName(unit);

  const ami = new core.CfnParameter(stack, 'AmiId', {
    type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>',
    default: amiParameter(g, g.kubernetesVersion),
    description: 'EKS-optimised AMI; the default follows the public SSM parameter for this version',
  });

  const role = new iam.CfnRole(stack, 'NodeRole', {
    description: `Nodes of ${unitName}: join the cluster, pull images, Session Manager`,
    assumeRolePolicyDocument: ec2TrustPolicy(),
    managedPolicyArns: [managedPolicy(ctx, MANAGED_POLICIES.eksWorkerNode), managedPolicy(ctx, MANAGED_POLICIES.ecrRead), managedPolicy(ctx, MANAGED_POLICIES.ssmCore)],
    tags: tags(unitName),
  });

  const labels = nodeLabels(g, unit.zone);
  const selfManaged = !g.managed;
  // With an AMI in the launch template EKS does not add its own bootstrap, so the kubelet registers
  // labels and taints itself in both kinds of group; a managed group also declares them to EKS.
  const bootstrap = { labels, taints: g.taints, kubeletSetsLabels: true };
  const body = g.amiFamily === 'bottlerocket' ? bottlerocketUserData(m, g, bootstrap) : nodeadmUserData(m, g, bootstrap);
  const userData = core.Fn.base64(core.Fn.sub(body, { ClusterEndpoint: importValue(ctx, EXPORTS.clusterEndpoint), ClusterCa: importValue(ctx, EXPORTS.clusterCa) }));

  const v = g.volume;
  let profileArn: string | undefined;
  if (selfManaged) profileArn = new iam.CfnInstanceProfile(stack, 'NodeInstanceProfile', { roles: [role.ref] }).attrArn;
  const lt = new ec2.CfnLaunchTemplate(stack, 'LaunchTemplate', {
    launchTemplateData: {
      imageId: ami.valueAsString,
      userData,
      blockDeviceMappings: [
        {
          deviceName: ROOT_DEVICE[g.amiFamily],
          ebs: {
            volumeSize: v.sizeGiB,
            volumeType: v.type,
            ...(v.iops !== undefined ? { iops: v.iops } : {}),
            ...(v.throughputMiBps !== undefined ? { throughput: v.throughputMiBps } : {}),
            encrypted: v.encrypted,
            deleteOnTermination: true,
          },
        },
      ],
      // IMDSv2 only; hop limit 1 keeps pod-network pods away from the node's credentials (L21).
      metadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: g.imds.hopLimit, httpEndpoint: 'enabled' },
      // Burstable groups get per-minute metrics, so the CPU credit alarm sees trouble early (L06).
      ...(g.instances.some((t) => t.burstable) ? { monitoring: { enabled: true } } : {}),
      ...(selfManaged ? { iamInstanceProfile: { arn: profileArn }, securityGroupIds: [importValue(ctx, EXPORTS.clusterSecurityGroup)] } : {}),
      tagSpecifications: [
        { resourceType: 'instance', tags: tags(unitName) },
        { resourceType: 'volume', tags: tags(unitName) },
      ],
    },
    tagSpecifications: [{ resourceType: 'launch-template', tags: tags(unitName) }],
  });
  const ltSpec = { launchTemplateId: lt.ref, version: lt.attrLatestVersionNumber };

  if (!selfManaged) {
    // No `version`: with an AMI in the launch template EKS refuses one, and the AMI parameter
    // above already carries the group's minor.
    new eks.CfnNodegroup(stack, 'NodeGroup', {
      clusterName,
      nodegroupName: names.managedNodeGroupName(unit),
      nodeRole: role.attrArn,
      subnets,
      scalingConfig: { minSize: g.minSize, maxSize: g.maxSize, desiredSize: g.desiredSize },
      capacityType: g.capacity === 'spot' ? 'SPOT' : 'ON_DEMAND',
      instanceTypes: g.instances.map((t) => t.name),
      launchTemplate: ltSpec,
      labels,
      taints: g.taints.map((t) => ({ key: t.key, ...(t.value !== undefined ? { value: t.value } : {}), effect: TAINT_EFFECT[t.effect] })),
      updateConfig: { maxUnavailablePercentage: 33 },
      tags: Object.fromEntries(tags(unitName).map((t) => [t.key, t.value])),
    });
    return;
  }

  // Self-managed nodes need an access entry to join; managed groups get one from EKS.
  new eks.CfnAccessEntry(stack, 'NodeAccessEntry', { clusterName, principalArn: role.attrArn, type: 'EC2_LINUX' });
  // A per-AZ unit is one zone by design (L10); its logical id says so.
  const asg = new autoscaling.CfnAutoScalingGroup(stack, unit.zone ? 'ZonalAutoScalingGroup' : 'AutoScalingGroup', {
    autoScalingGroupName: unitName,
    availabilityZones: unit.zone ? [unit.zone] : g.zones,
    minSize: String(g.minSize),
    maxSize: String(g.maxSize),
    desiredCapacity: String(g.desiredSize),
    vpcZoneIdentifier: subnets,
    capacityRebalance: g.capacity !== 'onDemand',
    mixedInstancesPolicy: {
      launchTemplate: { launchTemplateSpecification: ltSpec, overrides: g.instances.map((t) => ({ instanceType: t.name })) },
      instancesDistribution: instancesDistribution(g),
    },
    tags: autoscalerTags(ctx, g, labels, unit.zone).map(({ key, value }) => ({ key, value, propagateAtLaunch: key === 'Name' || !key.startsWith('k8s.io/cluster-autoscaler/') })),
  });

  for (const a of m.scaling.scheduled.filter((x) => x.nodeGroup === g.name)) {
    new autoscaling.CfnScheduledAction(stack, `Scheduled${pascal(a.name)}`, {
      autoScalingGroupName: asg.ref,
      recurrence: a.schedule,
      timeZone: 'Etc/UTC',
      ...(a.minSize !== undefined ? { minSize: a.minSize } : {}),
      ...(a.maxSize !== undefined ? { maxSize: a.maxSize } : {}),
      ...(a.desiredSize !== undefined ? { desiredCapacity: a.desiredSize } : {}),
    });
  }
}

const TAINT_EFFECT = { NoSchedule: 'NO_SCHEDULE', PreferNoSchedule: 'PREFER_NO_SCHEDULE', NoExecute: 'NO_EXECUTE' } as const;

function instancesDistribution(g: ResolvedNodeGroup): Record<string, unknown> {
  if (g.capacity === 'onDemand' || !g.spot) return { onDemandBaseCapacity: 0, onDemandPercentageAboveBaseCapacity: 100 };
  return {
    onDemandBaseCapacity: g.spot.onDemandBase,
    onDemandPercentageAboveBaseCapacity: g.spot.onDemandPercentageAboveBase,
    spotAllocationStrategy: g.spot.allocationStrategy,
    ...(g.spot.maxPrice !== undefined ? { spotMaxPrice: String(g.spot.maxPrice) } : {}),
  };
}

/**
 * Auto Scaling group tags: the cluster's, the autoscaler's auto-discovery pair, and node-template
 * labels and taints so it can scale the group up from zero knowing what the nodes will carry (L18).
 */
export function autoscalerTags(ctx: BuildContext, g: ResolvedNodeGroup, labels: Record<string, string>, zone?: string): Array<{ key: string; value: string }> {
  const m = ctx.model;
  const extra: Record<string, string> = {
    [`kubernetes.io/cluster/${m.name}`]: 'owned',
    'k8s.io/cluster-autoscaler/enabled': 'true',
    [`k8s.io/cluster-autoscaler/${m.name}`]: 'owned',
  };
  // The well-known zone label lets the autoscaler place pods whose volumes live in one zone (L10).
  const templateLabels = zone ? { ...labels, 'topology.kubernetes.io/zone': zone } : labels;
  for (const [k, v] of Object.entries(templateLabels)) extra[`k8s.io/cluster-autoscaler/node-template/label/${k}`] = v;
  for (const t of g.taints) extra[`k8s.io/cluster-autoscaler/node-template/taint/${t.key}`] = `${t.value ?? ''}:${t.effect}`;
  return resourceTags(m, `${m.name}-${g.name}`, extra);
}
