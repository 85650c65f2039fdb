// The resolved cluster: the spec with every default made explicit. Rules, capacity, cost and the
// renderers read only this type; it is produced only by resolve() (the brand enforces that).
import type { CostAssumptions } from '../cost/assumptions.js';
import type { CoreAddon, EksVersion, InstanceType } from '../facts/index.js';
import type { EvictionSignal, LogType, VpcEndpoint } from '../spec/schema.js';
import type { SourceMap } from '../spec/parse.js';

export type NodeRole = 'system' | 'app' | 'stateful';
export type Capacity = 'onDemand' | 'spot' | 'mixed';
export type VolumeType = 'gp3' | 'gp2' | 'io1' | 'io2';

/** A value the resolver filled in, with the lesson behind it. */
export interface AppliedDefault {
  path: string;
  value: unknown;
  lessons: string[];
  reason: string;
}

export interface ResolvedSubnet {
  zone: string;
  tier: 'private' | 'public' | 'pods';
  cidr: string;
  id?: string;
  /** Spec path the subnet comes from (the VPC cidr for generated subnets). */
  path: string;
}

export interface ResolvedNetwork {
  vpc: { mode: 'new' | 'existing'; id?: string; cidr: string; dnsHostnames: boolean; dnsSupport: boolean };
  zones: string[];
  topology: 'private' | 'public';
  nat: 'perAz' | 'single' | 'none';
  access: 'ssm' | 'bastion' | 'none';
  bastion?: { instanceType: string; allowedCidrs: string[] };
  vpcEndpoints: VpcEndpoint[];
  serviceCidr: string;
  peeredCidrs: string[];
  pods: {
    prefixDelegation: boolean;
    /** The setting as written (`auto` unless the spec says otherwise). */
    externalSnatSetting: 'auto' | boolean;
    /** The value the VPC CNI gets. */
    externalSnat: boolean;
    customNetworkingCidr?: string;
  };
  subnets: ResolvedSubnet[];
}

export interface ResolvedControlPlane {
  managed: boolean;
  endpoint: { public: boolean; private: boolean; publicCidrs: string[] };
  logging: LogType[];
  logRetentionDays: number;
  secretsEncryption: boolean;
  /** Self-managed control plane only. */
  selfManaged?: { count: number; instanceType: InstanceType; etcdVolume: { type: VolumeType; sizeGiB: number } };
}

export type ReservedMap = Partial<Record<'cpu' | 'memory' | 'ephemeral-storage', string>>;

export interface ResolvedKubelet {
  kubeReserved: ReservedMap;
  systemReserved: ReservedMap;
  evictionHard: Partial<Record<EvictionSignal, string>>;
  evictionSoft: Partial<Record<EvictionSignal, string>>;
  evictionSoftGracePeriod: Partial<Record<EvictionSignal, string>>;
  maxPods: number;
}

export interface ResolvedNodeGroup {
  /** Spec path (`spec.nodeGroups[2]`), or `spec.nodeGroups` for a group kuberator added. */
  path: string;
  /** False for a group kuberator added because the spec declared none of its role. */
  declared: boolean;
  name: string;
  role: NodeRole;
  instances: InstanceType[];
  capacity: Capacity;
  spot?: {
    onDemandBase: number;
    onDemandPercentageAboveBase: number;
    allocationStrategy: 'lowest-price' | 'capacity-optimized' | 'price-capacity-optimized';
    maxPrice?: number;
  };
  minSize: number;
  maxSize: number;
  desiredSize: number;
  perAz: boolean;
  managed: boolean;
  volume: { type: VolumeType; sizeGiB: number; iops?: number; throughputMiBps?: number; encrypted: boolean };
  labels: Record<string, string>;
  taints: Array<{ key: string; value?: string; effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute' }>;
  kubelet: ResolvedKubelet;
  /** Where each kubelet field was stated (spec.kubelet.x or the group's); absent when computed. */
  kubeletSources: Partial<Record<keyof ResolvedKubelet, string>>;
  amiFamily: 'al2023' | 'bottlerocket';
  /** The group's Kubernetes minor: its own, when the spec holds it back, else the cluster's. */
  kubernetesVersion: string;
  /** Whether the spec gives the group a minor of its own (not recorded as a default when it does not). */
  kubernetesVersionPinned: boolean;
  /** Zones the group spans; a per-AZ group becomes one Auto Scaling group per zone. */
  zones: string[];
  imds: { tokensRequired: true; hopLimit: number };
}

export type AddonName =
  | 'metricsServer'
  | 'clusterAutoscaler'
  | 'dashboard'
  | 'monitoring'
  | 'logging'
  | 'dns'
  | 'ingress'
  | 'externalDns'
  | 'spotHandler'
  | 'discoveryBridge'
  | 'descheduler'
  | 'loadBalancerController'
  | 'ebsCsi'
  | 'externalSecrets'
  | 'gitops';

export interface ResolvedAddons {
  metricsServer: false | Record<string, never>;
  clusterAutoscaler: false | { expander: 'random' | 'most-pods' | 'least-waste' | 'price' | 'priority' };
  dashboard: false | { exposed: boolean };
  monitoring: false | { prometheus: boolean; grafana: boolean; adapter: boolean; alertReceivers: Array<{ name: string; type: string; url?: string; channel?: string }> };
  logging: false | { fluentBit: { output: 'cloudwatch' | 'elasticsearch'; endpoint?: string } };
  dns: false | { autoscale: boolean; nodeLocalCache: boolean };
  ingress: false | { controller: 'nginx' | 'traefik' | 'kong'; loadBalancer: 'alb' | 'nlb'; certificateArn?: string; hosts: string[] };
  externalDns: false | { hostedZone?: string };
  spotHandler: false | Record<string, never>;
  discoveryBridge: false | { zookeeper: string; path: string };
  descheduler: false | Record<string, never>;
  loadBalancerController: false | Record<string, never>;
  ebsCsi: false | { defaultStorageClass: 'gp3' | 'io2' };
  externalSecrets: false | { vault?: { server: string; path: string } };
  gitops: false | { flux?: { repository: string; branch: string; path: string } };
}

/** The version of one EKS managed add-on, and whether the spec pins it. */
export interface ResolvedAddonVersion {
  version: string;
  /** True: from spec.addons.versions; false: the data table's version for the cluster's minor. */
  pinned: boolean;
}

export interface ResolvedCluster {
  readonly __brand: 'ResolvedCluster';
  name: string;
  environment: string;
  /** Production rules apply (environment prod/production/prd). */
  production: boolean;
  tags: Record<string, string>;
  region: string;
  kubernetesVersion: string;
  version: EksVersion;
  account: { id?: string; shared: boolean };
  network: ResolvedNetwork;
  controlPlane: ResolvedControlPlane;
  nodeGroups: ResolvedNodeGroup[];
  scaling: { scheduled: Array<{ path: string; name: string; nodeGroup: string; schedule: string; minSize?: number; maxSize?: number; desiredSize?: number }> };
  addons: ResolvedAddons;
  /** Managed add-on versions; an add-on is absent when it is not pinned and the table has no row for the minor. */
  addonVersions: Partial<Record<CoreAddon, ResolvedAddonVersion>>;
  access: { admins: string[]; teams: Array<{ name: string; namespaces: string[]; roleArn: string }> };
  workloads: { expectedPods?: number; manifests: string[] };
  ignore: Array<{ path: string; rule: string; reason: string }>;
  /** Usage assumptions of the cost estimate. */
  cost: CostAssumptions;
  /** Every value the resolver filled in. */
  defaults: AppliedDefault[];
  /** Positions of spec paths in the source file, for findings. */
  source: SourceMap;
}
