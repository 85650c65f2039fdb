// The network stack of a new VPC (L02, L12, L13): VPC, subnets per zone sized by the capacity
// model, internet and NAT gateways per the nat mode, route tables, VPC endpoints, flow logs and
// the subnet tags load balancers look for. An existing VPC gets no network stack: its ids come
// in as parameters (see networkRefs).
import type { ResolvedSubnet } from '../../model/types.js';
import type { Cdk, Stack } from './cdk.js';
import { flowLogsDeliveryPolicy, flowLogsTrustPolicy } from './policies.js';
import { EXPORTS, pascal } from './names.js';
import { type BuildContext, exportOutput, importValue, logsKmsKey, resourceTags } from './stack.js';

const INTERFACE_ENDPOINTS: Record<string, string> = {
  'ecr.api': 'EcrApi',
  'ecr.dkr': 'EcrDkr',
  sts: 'Sts',
  logs: 'Logs',
  ec2: 'Ec2',
  elasticloadbalancing: 'ElasticLoadBalancing',
};

export function buildNetworkStack(ctx: BuildContext, stack: Stack): void {
  const { cdk, model: m, names } = ctx;
  const { ec2, iam, logs, core } = cdk;
  const n = m.network;
  const tags = (name: string, extra: Record<string, string> = {}) => resourceTags(m, name, extra);

  const vpc = new ec2.CfnVPC(stack, 'Vpc', { cidrBlock: n.vpc.cidr, enableDnsHostnames: true, enableDnsSupport: true, tags: tags(`${m.name}-vpc`) });
  const igw = new ec2.CfnInternetGateway(stack, 'InternetGateway', { tags: tags(`${m.name}-igw`) });
  const attach = new ec2.CfnVPCGatewayAttachment(stack, 'InternetGatewayAttachment', { vpcId: vpc.ref, internetGatewayId: igw.ref });

  const publicRt = new ec2.CfnRouteTable(stack, 'PublicRouteTable', { vpcId: vpc.ref, tags: tags(`${m.name}-public`) });
  const publicRoute = new ec2.CfnRoute(stack, 'PublicDefaultRoute', { routeTableId: publicRt.ref, destinationCidrBlock: '0.0.0.0/0', gatewayId: igw.ref });
  publicRoute.addResourceDependency(attach);

  const subnets = new Map<string, InstanceType<Cdk['ec2']['CfnSubnet']>>();
  const subnet = (s: ResolvedSubnet, role: Record<string, string>) => {
    const id = `${pascal(s.tier)}Subnet${pascal(s.zone)}`;
    const sub = new ec2.CfnSubnet(stack, id, {
      vpcId: vpc.ref,
      availabilityZone: s.zone,
      cidrBlock: s.cidr,
      // Only public nodes get public addresses; in private topology the public tier holds load balancers and NAT.
      mapPublicIpOnLaunch: s.tier === 'public' && n.topology === 'public',
      tags: tags(`${m.name}-${s.tier}-${s.zone}`, { [`kubernetes.io/cluster/${m.name}`]: 'shared', ...role }),
    });
    subnets.set(`${s.tier}/${s.zone}`, sub);
    return sub;
  };

  for (const s of n.subnets.filter((x) => x.tier === 'public')) {
    const sub = subnet(s, { 'kubernetes.io/role/elb': '1' });
    new ec2.CfnSubnetRouteTableAssociation(stack, `PublicSubnet${pascal(s.zone)}RouteTableAssociation`, { subnetId: sub.ref, routeTableId: publicRt.ref });
  }

  // NAT gateways live in public subnets: one per zone, or one in the first zone.
  const natZones = n.nat === 'perAz' ? n.zones : n.nat === 'single' ? [n.zones[0]!] : [];
  const nats = new Map<string, string>();
  for (const zone of natZones) {
    const eip = new ec2.CfnEIP(stack, `NatEip${pascal(zone)}`, { domain: 'vpc', tags: tags(`${m.name}-nat-${zone}`) });
    eip.addResourceDependency(attach);
    const nat = new ec2.CfnNatGateway(stack, `NatGateway${pascal(zone)}`, { allocationId: eip.attrAllocationId, subnetId: subnets.get(`public/${zone}`)!.ref, tags: tags(`${m.name}-nat-${zone}`) });
    nats.set(zone, nat.ref);
    exportOutput(ctx, stack, EXPORTS.natGateway(zone), nat.ref, `NAT gateway in ${zone}`);
  }

  // Private subnets (and custom-networking pod subnets) route through their zone's NAT gateway.
  const privateRts = new Map<string, string>();
  for (const zone of n.zones) {
    const rt = new ec2.CfnRouteTable(stack, `PrivateRouteTable${pascal(zone)}`, { vpcId: vpc.ref, tags: tags(`${m.name}-private-${zone}`) });
    privateRts.set(zone, rt.ref);
    const nat = nats.get(zone) ?? nats.get(natZones[0] ?? '');
    if (nat) new ec2.CfnRoute(stack, `PrivateDefaultRoute${pascal(zone)}`, { routeTableId: rt.ref, destinationCidrBlock: '0.0.0.0/0', natGatewayId: nat });
  }
  for (const s of n.subnets.filter((x) => x.tier === 'private')) {
    const sub = subnet(s, { 'kubernetes.io/role/internal-elb': '1' });
    new ec2.CfnSubnetRouteTableAssociation(stack, `PrivateSubnet${pascal(s.zone)}RouteTableAssociation`, { subnetId: sub.ref, routeTableId: privateRts.get(s.zone)! });
  }
  const podSubnets = n.subnets.filter((x) => x.tier === 'pods');
  if (podSubnets.length) {
    const block = new ec2.CfnVPCCidrBlock(stack, 'PodCidrBlock', { vpcId: vpc.ref, cidrBlock: n.pods.customNetworkingCidr! });
    for (const s of podSubnets) {
      const sub = subnet(s, {});
      sub.addResourceDependency(block);
      new ec2.CfnSubnetRouteTableAssociation(stack, `PodsSubnet${pascal(s.zone)}RouteTableAssociation`, { subnetId: sub.ref, routeTableId: privateRts.get(s.zone)! });
    }
  }

  // VPC endpoints (L02): S3 as a free gateway endpoint on every route table; the rest as interface
  // endpoints in the private subnets, reachable on 443 from inside the VPC only.
  const endpoints = n.vpcEndpoints;
  if (endpoints.includes('s3')) {
    new ec2.CfnVPCEndpoint(stack, 'S3Endpoint', {
      vpcId: vpc.ref,
      serviceName: core.Fn.sub('com.amazonaws.${AWS::Region}.s3'),
      vpcEndpointType: 'Gateway',
      routeTableIds: [publicRt.ref, ...n.zones.map((z) => privateRts.get(z)!)],
    });
  }
  const iface = endpoints.filter((e) => e !== 's3');
  if (iface.length) {
    const sg = new ec2.CfnSecurityGroup(stack, 'EndpointSecurityGroup', {
      vpcId: vpc.ref,
      groupDescription: `HTTPS from inside ${m.name}'s VPC to its interface endpoints`,
      securityGroupIngress: [{ ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidrIp: n.vpc.cidr, description: 'HTTPS from the VPC' }],
      securityGroupEgress: [{ ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidrIp: n.vpc.cidr, description: 'Replies stay inside the VPC' }],
      tags: tags(`${m.name}-endpoints`),
    });
    const privateIds = n.zones.map((z) => subnets.get(`private/${z}`)?.ref ?? subnets.get(`public/${z}`)!.ref);
    for (const e of iface) {
      new ec2.CfnVPCEndpoint(stack, `${INTERFACE_ENDPOINTS[e]}Endpoint`, {
        vpcId: vpc.ref,
        serviceName: core.Fn.sub(`com.amazonaws.\${AWS::Region}.${e}`),
        vpcEndpointType: 'Interface',
        privateDnsEnabled: true,
        subnetIds: privateIds,
        securityGroupIds: [sg.attrGroupId],
      });
    }
  }

  // Flow logs of all traffic to CloudWatch Logs, delivered by a role that can write only there.
  const flowGroup = new logs.CfnLogGroup(stack, 'FlowLogGroup', {
    logGroupName: names.flowLogGroup(),
    retentionInDays: m.controlPlane.logRetentionDays,
    kmsKeyId: logsKmsKey(ctx, stack, `CloudWatch Logs encryption of ${m.name}'s VPC flow logs`),
    tags: tags(`${m.name}-flow-logs`),
  });
  const flowRole = new iam.CfnRole(stack, 'FlowLogRole', {
    description: `Delivers ${m.name}'s VPC flow logs to CloudWatch Logs`,
    assumeRolePolicyDocument: flowLogsTrustPolicy(),
    policies: [{ policyName: 'deliver-flow-logs', policyDocument: flowLogsDeliveryPolicy(flowGroup.attrArn) }],
    tags: tags(`${m.name}-flow-logs`),
  });
  new ec2.CfnFlowLog(stack, 'FlowLog', {
    resourceId: vpc.ref,
    resourceType: 'VPC',
    trafficType: 'ALL',
    logDestinationType: 'cloud-watch-logs',
    logGroupName: flowGroup.ref,
    deliverLogsPermissionArn: flowRole.attrArn,
    tags: tags(`${m.name}-flow-logs`),
  });

  exportOutput(ctx, stack, EXPORTS.vpcId, vpc.ref, 'VPC id');
  exportOutput(ctx, stack, EXPORTS.vpcCidr, n.vpc.cidr, 'VPC range');
  for (const tier of ['private', 'public', 'pods'] as const) {
    const ids = n.zones.map((z) => subnets.get(`${tier}/${z}`)?.ref).filter((x): x is string => x !== undefined);
    if (!ids.length) continue;
    if (tier !== 'pods') exportOutput(ctx, stack, tier === 'private' ? EXPORTS.privateSubnetIds : EXPORTS.publicSubnetIds, core.Fn.join(',', ids), `${tier} subnet ids, one per zone`);
    for (const z of n.zones) {
      const s = subnets.get(`${tier}/${z}`);
      if (s) exportOutput(ctx, stack, EXPORTS.subnet(tier, z), s.ref, `${tier} subnet in ${z}`);
    }
  }
}

/** How other stacks reach the network: imports from the network stack, or parameters for an existing VPC. */
export interface NetworkRefs {
  vpcId: string;
  /** Subnet ids of a tier, one per zone (a list token). */
  subnetIds(tier: 'private' | 'public'): string[];
  subnetId(tier: 'private' | 'public' | 'pods', zone: string): string;
}

export function networkRefs(ctx: BuildContext, stack: Stack): NetworkRefs {
  const { cdk, model: m } = ctx;
  const { core } = cdk;
  if (m.network.vpc.mode === 'new') {
    const imp = (key: string) => importValue(ctx, key);
    return {
      vpcId: imp(EXPORTS.vpcId),
      subnetIds: (tier) => core.Fn.split(',', imp(tier === 'private' ? EXPORTS.privateSubnetIds : EXPORTS.publicSubnetIds), m.network.zones.length),
      subnetId: (tier, zone) => imp(EXPORTS.subnet(tier, zone)),
    };
  }
  // An existing VPC: parameters default to the ids in the spec, so a console launch needs no typing.
  const param = (id: string, type: string, def: string, description: string) =>
    stack.node.tryFindChild(id) ? (stack.node.findChild(id) as InstanceType<typeof core.CfnParameter>) : new core.CfnParameter(stack, id, { type, default: def, description });
  const vpcId = param('VpcId', 'AWS::EC2::VPC::Id', m.network.vpc.id!, 'The existing VPC');
  const byTier = (tier: string) => m.network.subnets.filter((s) => s.tier === tier);
  return {
    vpcId: vpcId.valueAsString,
    subnetIds: (tier) => param(`${pascal(tier)}SubnetIds`, 'List<AWS::EC2::Subnet::Id>', byTier(tier).map((s) => s.id).join(','), `Existing ${tier} subnets, one per zone`).valueAsList,
    subnetId: (tier, zone) => {
      const s = byTier(tier).find((x) => x.zone === zone);
      return param(`${pascal(tier)}Subnet${pascal(zone)}`, 'AWS::EC2::Subnet::Id', s?.id ?? '', `Existing ${tier} subnet in ${zone}`).valueAsString;
    },
  };
}

