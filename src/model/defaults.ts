// Every default kuberator applies, in one table: the spec path it fills, the value (or how it is
// computed), the lesson behind it and why. resolve() takes its values from here and records each
// use; `plan --show-defaults` and docs/spec.md are generated from this table.

export interface DefaultDoc {
  /** Spec path; `[*]` stands for every node group. */
  path: string;
  /** The value, or a sentence saying how it is computed. */
  value: unknown;
  lessons: string[];
  reason: string;
}

const def = (path: string, value: unknown, lessons: string[], reason: string): DefaultDoc => ({ path, value, lessons, reason });

export const DEFAULTS = {
  environment: def('metadata.environment', 'prod', [], 'judged by production standards unless the spec says otherwise'),
  kubernetesVersion: def('spec.kubernetesVersion', 'the newest version EKS has released by the planning date', ['L25', 'L39'], 'new clusters start with the longest support window'),
  accountShared: def('spec.account.shared', false, ['L17'], 'production clusters belong in accounts of their own'),
  vpcCidr: def('spec.network.vpc.cidr', '10.0.0.0/16', ['L12'], 'room for /19 pod subnets in up to four zones'),
  zones: def('spec.network.availabilityZones', 3, ['L19'], 'a cluster in three zones survives the loss of one'),
  topology: def('spec.network.topology', 'private', ['L02', 'L21'], 'nodes without public addresses; hard to change later'),
  natPrivate: def('spec.network.nat', 'perAz', ['L02', 'L19'], 'a zone outage does not cut the other zones off, and no traffic crosses zones to reach NAT'),
  natPublic: def('spec.network.nat', 'none', ['L02'], 'public nodes reach the internet through the internet gateway'),
  access: def('spec.network.access', 'ssm', ['L03'], 'Session Manager reaches private nodes with no open port and no bastion to patch'),
  bastionInstanceType: def('spec.network.bastion.instanceType', 't4g.nano', ['L03'], 'a bastion only relays sessions'),
  vpcEndpoints: def('spec.network.vpcEndpoints', ['s3'], ['L02'], 'the S3 gateway endpoint costs nothing and keeps image layers off the NAT gateway'),
  serviceCidr: def('spec.network.serviceCidr', '172.20.0.0/16, or 10.100.0.0/16 when the VPC is outside 10.0.0.0/8', ['L13'], 'the range EKS itself picks, clear of the VPC'),
  peeredCidrs: def('spec.network.peeredCidrs', [], ['L13'], 'no peered ranges unless listed'),
  prefixDelegation: def('spec.network.pods.prefixDelegation', false, ['L12'], 'one IP per pod keeps pod IPs visible in VPC flow logs; turn it on for dense nodes'),
  externalSnat: def('spec.network.pods.externalSnat', 'auto', ['L14'], 'derived from the egress path: true behind NAT (private nodes), false for public nodes'),
  managed: def('spec.controlPlane.managed', true, ['L04', 'L22'], 'EKS runs a highly available control plane across three zones'),
  endpointPublic: def('spec.controlPlane.endpoint.public', true, ['L21'], 'operators can reach the API without a VPN; restrict publicCidrs'),
  endpointPrivate: def('spec.controlPlane.endpoint.private', true, ['L21'], 'nodes talk to the API inside the VPC'),
  endpointPublicCidrs: def('spec.controlPlane.endpoint.publicCidrs', ['0.0.0.0/0'], ['L21'], 'the EKS default; a rule asks you to narrow it'),
  logging: def('spec.controlPlane.logging', ['api', 'audit', 'authenticator'], ['L16'], 'who did what to the cluster, and with which identity'),
  logRetentionDays: def('spec.controlPlane.logRetentionDays', 90, ['L16'], 'three months of audit trail without unbounded storage cost'),
  secretsEncryption: def('spec.controlPlane.secretsEncryption', true, ['L21'], 'Secrets are envelope-encrypted with a KMS key of the cluster'),
  cpCount: def('spec.controlPlane.count', 3, ['L04'], 'an odd count that survives one failure without split brain'),
  cpInstanceType: def('spec.controlPlane.instanceType', 'sized by the largest node count: m6i.large up to 10 nodes, xlarge to 100, 2xlarge to 250, 4xlarge to 500, 8xlarge above', ['L05'], 'starved control planes give random outages'),
  etcdVolume: def('spec.controlPlane.etcdVolume', { type: 'gp3', sizeGiB: 20 }, ['L07', 'L22'], 'etcd needs steady IO, not burst credits'),
  systemGroup: def('spec.nodeGroups', 'a "system" group of 2–4 m6i.large on-demand nodes when no group has role system', ['L09'], 'add-ons need nodes that neither vanish with spot nor compete with apps'),
  role: def('spec.nodeGroups[*].role', 'app', ['L09'], 'groups run applications unless marked system or stateful'),
  instanceTypes: def('spec.nodeGroups[*].instanceTypes', ['m6i.large'], ['L01', 'L06'], 'a general-purpose, non-burstable type; a rule still asks you to choose'),
  capacity: def('spec.nodeGroups[*].capacity', 'onDemand', ['L08'], 'spot is a choice to make per group, with diversification'),
  spotBase: def('spec.nodeGroups[*].spot.onDemandBase', '1 for mixed groups, 0 for spot groups', ['L08'], 'a mixed group keeps a floor that spot reclaims cannot take'),
  spotPercentage: def('spec.nodeGroups[*].spot.onDemandPercentageAboveBase', '25 for mixed groups, 0 for spot groups', ['L08'], 'a quarter of growth on demand hedges a spot shortage'),
  spotStrategy: def('spec.nodeGroups[*].spot.allocationStrategy', 'price-capacity-optimized', ['L08'], 'fewest interruptions at a low price'),
  minSize: def('spec.nodeGroups[*].minSize', '2 for system groups, 1 otherwise', ['L09', 'L19'], 'add-ons keep two replicas on two nodes'),
  maxSize: def('spec.nodeGroups[*].maxSize', 'the larger of minSize and 4 (system), 10 (app) or 3 (stateful, per zone)', ['L18'], 'room for the autoscaler to act'),
  desiredSize: def('spec.nodeGroups[*].desiredSize', 'minSize', ['L18'], 'the autoscaler grows it from there'),
  perAz: def('spec.nodeGroups[*].perAz', 'true for stateful groups, false otherwise', ['L10'], 'EBS volumes live in one zone; their nodes must be scaled per zone'),
  managedGroup: def(
    'spec.nodeGroups[*].managed',
    'true, but false for mixed capacity and for groups with scheduled scaling',
    ['L22', 'L18'],
    'EKS managed groups drain on update; mixed instances and scheduled actions need a self-managed Auto Scaling group',
  ),
  volumeType: def('spec.nodeGroups[*].volume.type', 'gp3', ['L07'], 'baseline 3,000 IOPS with no burst balance to run out'),
  volumeSize: def('spec.nodeGroups[*].volume.sizeGiB', 50, ['L11'], 'room for images and logs before nodefs eviction'),
  volumeEncrypted: def('spec.nodeGroups[*].volume.encrypted', true, ['L21'], 'encrypted at rest'),
  amiFamily: def('spec.nodeGroups[*].amiFamily', 'al2023', ['L25'], 'the EKS-optimised Amazon Linux 2023 AMI, bootstrapped by nodeadm'),
  // Documented, not recorded: a recorded value would be written back as a pin (see resolve.ts).
  nodeKubernetesVersion: def('spec.nodeGroups[*].kubernetesVersion', 'spec.kubernetesVersion', ['L39', 'L40'], 'nodes follow the control plane; a group is held back only while an upgrade rolls it'),
  roleLabel: def('spec.nodeGroups[*].labels', '`node.kuberator.dev/role: <role>` added', ['L09', 'L34'], 'workloads and add-ons select nodes by role'),
  systemTaint: def('spec.nodeGroups[*].taints', 'system groups get CriticalAddonsOnly=true:NoSchedule when other groups exist', ['L09'], 'applications stay off the nodes that keep the cluster running'),
  kubeReserved: def(
    'spec.nodeGroups[*].kubelet.kubeReserved',
    'cpu: 6% of the first core, 1% of the second, 0.5% of the next two, 0.25% above; memory: 255Mi + 11Mi × maxPods; ephemeral-storage: 1Gi',
    ['L11'],
    'the formula of the EKS AMI, made explicit so it is visible and rendered',
  ),
  systemReserved: def('spec.nodeGroups[*].kubelet.systemReserved', { cpu: '100m', memory: '100Mi', 'ephemeral-storage': '1Gi' }, ['L11'], 'sshd, journald and the SSM agent keep working under pressure'),
  evictionHard: def(
    'spec.nodeGroups[*].kubelet.evictionHard',
    { 'memory.available': '500Mi (1Gi from 64 GiB nodes)', 'nodefs.available': '10%', 'nodefs.inodesFree': '5%', 'imagefs.available': '15%' },
    ['L11'],
    "the kubelet's 100Mi default lets a node run out of memory before it evicts",
  ),
  evictionSoft: def('spec.nodeGroups[*].kubelet.evictionSoft', { 'memory.available': '1Gi (1536Mi from 64 GiB nodes)', 'nodefs.available': '15%' }, ['L11'], 'pods get a graceful eviction before the hard threshold'),
  evictionSoftGracePeriod: def('spec.nodeGroups[*].kubelet.evictionSoftGracePeriod', { 'memory.available': '1m30s', 'nodefs.available': '2m' }, ['L11'], 'a short spike does not evict'),
  maxPods: def('spec.nodeGroups[*].kubelet.maxPods', 'the smallest ENI limit among the types: ENIs × (IPv4 per ENI − 1) + 2 (with prefix delegation ×16, capped at 110 or 250)', ['L12'], 'never schedule a pod that cannot get an IP'),
  metricsServer: def('spec.addons.metricsServer', {}, ['L24'], 'HPA and kubectl top need it'),
  clusterAutoscaler: def('spec.addons.clusterAutoscaler', { expander: 'least-waste' }, ['L18'], 'nodes follow demand'),
  dashboard: def('spec.addons.dashboard', false, ['L24'], 'optional; never exposed when on'),
  monitoring: def('spec.addons.monitoring', { prometheus: true, grafana: true, adapter: false, alertReceivers: [] }, ['L24', 'L28'], 'the lesson alerts need Prometheus'),
  loggingAddon: def('spec.addons.logging', { fluentBit: { output: 'cloudwatch' } }, ['L24'], 'container logs survive their nodes'),
  dns: def('spec.addons.dns', { autoscale: true, nodeLocalCache: false }, ['L15'], 'CoreDNS grows with the cluster'),
  ingress: def('spec.addons.ingress', false, ['L20'], 'enable it with a certificate to get one load balancer for every Service'),
  ingressDefaults: def('spec.addons.ingress.controller', 'nginx behind an ALB', ['L20', 'L26'], 'one load balancer in front of one ingress layer'),
  externalDns: def('spec.addons.externalDns', false, ['L20'], 'needs a hosted zone'),
  spotHandler: def('spec.addons.spotHandler', 'on when any group uses spot or mixed capacity', ['L41'], 'spot nodes are drained on the two-minute notice'),
  discoveryBridge: def('spec.addons.discoveryBridge', false, ['L42'], 'needs the ZooKeeper ensemble that holds the service directory (its document defaults to /service-directory/services)'),
  descheduler: def('spec.addons.descheduler', false, ['L24'], 'evicting pods to rebalance nodes is a choice each team makes'),
  loadBalancerController: def('spec.addons.loadBalancerController', {}, ['L20', 'L26'], 'ALBs and NLBs for ingress and Services'),
  ebsCsi: def('spec.addons.ebsCsi', { defaultStorageClass: 'gp3' }, ['L07', 'L10'], 'encrypted gp3 volumes bound in the pod’s zone'),
  externalSecrets: def('spec.addons.externalSecrets', false, ['L24'], 'needs a secret store'),
  gitops: def('spec.addons.gitops', false, ['L27'], 'needs a repository'),
  // Documented, not recorded, like the node groups' minor.
  addonVersions: def(
    'spec.addons.versions',
    "the versions of kuberator's add-on table (data/addon-versions.json) for the cluster's minor",
    ['L25', 'L39'],
    "kube-proxy, CoreDNS and the VPC CNI must suit the cluster's minor, so add-ons without a pin move with it",
  ),
  costNat: def('spec.cost.natGbPerMonth', 500, ['L02'], 'an assumption of the cost estimate; put your own traffic here'),
  costLcus: def('spec.cost.loadBalancerLcus', 2, ['L20'], 'an assumption of the cost estimate'),
  costEndpoints: def('spec.cost.interfaceEndpointGbPerMonth', 100, ['L02'], 'an assumption of the cost estimate'),
  costCpLogs: def('spec.cost.controlPlaneLogGbPerMonth', 20, ['L16'], 'an assumption of the cost estimate'),
  costContainerLogs: def('spec.cost.containerLogGbPerMonth', 100, ['L24'], 'an assumption of the cost estimate'),
  costInterAz: def('spec.cost.interAzGbPerMonth', 500, ['L02', 'L19'], 'an assumption of the cost estimate'),
  costEgress: def('spec.cost.internetEgressGbPerMonth', 200, [], 'an assumption of the cost estimate'),
  costSpot: def('spec.cost.spotDiscountPercent', 60, ['L08'], 'spot has run 60–70% below on-demand for general-purpose families; 60 stays on the safe side'),
} as const satisfies Record<string, DefaultDoc>;

export type DefaultKey = keyof typeof DEFAULTS;

/** Control-plane size by the largest node count the cluster can reach (L05). */
export const CONTROL_PLANE_SIZES: ReadonlyArray<{ maxNodes: number; instanceType: string }> = [
  { maxNodes: 10, instanceType: 'm6i.large' },
  { maxNodes: 100, instanceType: 'm6i.xlarge' },
  { maxNodes: 250, instanceType: 'm6i.2xlarge' },
  { maxNodes: 500, instanceType: 'm6i.4xlarge' },
  { maxNodes: Infinity, instanceType: 'm6i.8xlarge' },
];

export const ROLE_LABEL = 'node.kuberator.dev/role';
export const DEFAULT_INSTANCE_TYPE = 'm6i.large';
export const MAX_SIZE_BY_ROLE = { system: 4, app: 10, stateful: 3 } as const;
