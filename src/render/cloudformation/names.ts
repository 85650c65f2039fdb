// Every name the templates use, built in one place: stack names, file names, export names and
// logical ids. Deterministic: the same model always gives the same names.
import type { ResolvedCluster } from '../../model/types.js';
import type { NodeGroupUnit } from '../../model/units.js';

/** `eu-west-1a` → `EuWest1a`, for logical ids. */
export function pascal(s: string): string {
  return s
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
}

export { nodeGroupUnits, type NodeGroupUnit } from '../../model/units.js';

export class Names {
  constructor(private readonly m: ResolvedCluster) {}

  get cluster(): string {
    return this.m.name;
  }

  /** Stack kinds double as file names: network, cluster, nodegroup-apps, addons, bastion, alarms. */
  stackName(kind: string): string {
    return `${this.m.name}-${kind}`;
  }

  nodeGroupKind(unit: NodeGroupUnit): string {
    return `nodegroup-${unit.key}`;
  }

  /** Export names are global per account and region, so they carry the cluster name. */
  exportName(key: string): string {
    return `${this.m.name}-${key}`;
  }

  /** The self-managed Auto Scaling group name: fixed, so alarms and the autoscaler can name it. */
  asgName(unit: NodeGroupUnit): string {
    return `${this.m.name}-${unit.key}`;
  }

  /** The EKS managed node group name. */
  managedNodeGroupName(unit: NodeGroupUnit): string {
    return unit.key;
  }

  controlPlaneLogGroup(): string {
    return `/aws/eks/${this.m.name}/cluster`;
  }

  containerLogGroup(): string {
    return `/aws/eks/${this.m.name}/containers`;
  }

  flowLogGroup(): string {
    return `/aws/vpc/${this.m.name}/flow-logs`;
  }
}

/** Export keys shared by the stacks that write and read them. */
export const EXPORTS = {
  vpcId: 'VpcId',
  vpcCidr: 'VpcCidr',
  privateSubnetIds: 'PrivateSubnetIds',
  publicSubnetIds: 'PublicSubnetIds',
  subnet: (tier: string, zone: string) => `${pascal(tier)}Subnet${pascal(zone)}`,
  natGateway: (zone: string) => `NatGateway${pascal(zone)}`,
  clusterName: 'ClusterName',
  clusterEndpoint: 'ClusterEndpoint',
  clusterCa: 'ClusterCertificateAuthority',
  clusterSecurityGroup: 'ClusterSecurityGroupId',
  clusterArn: 'ClusterArn',
  containerLogGroupArn: 'ContainerLogGroupArn',
  alarmTopic: 'AlarmTopicArn',
} as const;
