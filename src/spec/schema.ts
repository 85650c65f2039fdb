// The cluster spec: the one definition of what a user may write. Types, the strict validator,
// the JSON Schema (`kuberator schema`) and the spec reference in the README all come from here.
// Defaults are not applied here: src/model/defaults.ts owns them, so the resolver can say which
// values were defaulted and why.
import { z } from 'zod';

export const API_VERSION = 'kuberator.dev/v1alpha1';

const d = (description: string) => ({ description });

/** A Kubernetes resource quantity such as `100m`, `1.5`, `512Mi`, `2Gi`. */
export const quantity = z
  .union([z.string().regex(/^[0-9]+(\.[0-9]+)?(m|k|Ki|M|Mi|G|Gi|T|Ti|P|Pi|E|Ei)?$/, 'expected a quantity such as 100m, 512Mi or 2Gi'), z.number().nonnegative()])
  .meta(d('A Kubernetes quantity: 100m, 0.5, 512Mi, 2Gi.'));

/** An eviction threshold: a quantity or a percentage. */
const threshold = z
  .string()
  .regex(/^([0-9]+(\.[0-9]+)?%|[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|k|M|G|T)?)$/, 'expected a quantity (500Mi) or a percentage (10%)')
  .meta(d('A quantity such as 500Mi or a percentage such as 10%.'));

const duration = z
  .string()
  .regex(/^([0-9]+h)?([0-9]+m)?([0-9]+s)?$/, 'expected a duration such as 90s, 1m30s or 2m')
  .refine((s) => s.length > 0, 'expected a duration such as 90s, 1m30s or 2m');

export const EVICTION_SIGNALS = ['memory.available', 'nodefs.available', 'nodefs.inodesFree', 'imagefs.available', 'imagefs.inodesFree', 'pid.available'] as const;
const signal = z.enum(EVICTION_SIGNALS);

const reserved = z
  .strictObject({ cpu: quantity.optional(), memory: quantity.optional(), 'ephemeral-storage': quantity.optional() })
  .meta(d('Resources held back from pods. A map written here replaces the computed one whole: `{}` removes the reservation.'));

export const kubeletSchema = z
  .strictObject({
    kubeReserved: reserved.optional().meta(d('Reserved for the kubelet and container runtime.')),
    systemReserved: reserved.optional().meta(d('Reserved for the operating system daemons.')),
    evictionHard: z.partialRecord(signal, threshold).optional().meta(d('Hard eviction thresholds by signal; replaces the defaults whole.')),
    evictionSoft: z.partialRecord(signal, threshold).optional().meta(d('Soft eviction thresholds by signal; replaces the defaults whole.')),
    evictionSoftGracePeriod: z.partialRecord(signal, duration).optional().meta(d('Grace period per soft eviction signal.')),
    maxPods: z.number().int().min(1).max(737).optional().meta(d('Pods per node; computed from the ENI limits (or prefix delegation) when absent.')),
  })
  .meta(d('Kubelet protection settings, rendered into the nodeadm NodeConfig.'));

const cidr = z
  .string()
  .regex(/^([0-9]{1,3}\.){3}[0-9]{1,3}\/[0-9]{1,2}$/, 'expected an IPv4 CIDR such as 10.0.0.0/16');

const subnetRef = z.strictObject({ id: z.string().optional(), cidr });
const zoneMap = z.record(z.string(), subnetRef);

const vpcSchema = z
  .strictObject({
    cidr: cidr.optional().meta(d('The VPC range. For a new VPC the subnets are carved from it.')),
    id: z.string().regex(/^vpc-[0-9a-f]+$/, 'expected a VPC id such as vpc-0abc123').optional().meta(d('An existing VPC to use instead of creating one.')),
    subnets: z
      .strictObject({ private: zoneMap.optional(), public: zoneMap.optional() })
      .optional()
      .meta(d('Existing VPC only: subnets by zone name, `{ <az>: { id, cidr } }`.')),
    dnsHostnames: z.boolean().optional().meta(d('Existing VPC only: whether DNS hostnames are on.')),
    dnsSupport: z.boolean().optional().meta(d('Existing VPC only: whether DNS resolution is on.')),
  })
  .meta(d('A new VPC (`cidr`) or an existing one (`id`, `cidr`, `subnets`, DNS flags).'));

export const VPC_ENDPOINTS = ['s3', 'ecr.api', 'ecr.dkr', 'sts', 'logs', 'ec2', 'elasticloadbalancing'] as const;

const networkSchema = z.strictObject({
  vpc: vpcSchema.optional(),
  peeredCidrs: z.array(cidr).optional().meta(d('Peered or on-premises ranges that must not overlap the cluster ranges.')),
  availabilityZones: z
    .union([z.number().int().min(1).max(6), z.array(z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-[0-9][a-z]$/, 'expected a zone name such as eu-west-1a')).min(1).max(6)])
    .optional()
    .meta(d('How many zones (a count) or which zones (a list of names).')),
  topology: z.enum(['private', 'public']).optional().meta(d("Which subnets the nodes live in.")),
  nat: z.enum(['perAz', 'single', 'none']).optional().meta(d('NAT gateways: one per zone, one for the VPC, or none.')),
  access: z.enum(['ssm', 'bastion', 'none']).optional().meta(d('How operators reach private nodes.')),
  bastion: z
    .strictObject({ instanceType: z.string().optional(), allowedCidrs: z.array(cidr).optional() })
    .optional()
    .meta(d('Bastion settings, used when `access: bastion`.')),
  vpcEndpoints: z.array(z.enum(VPC_ENDPOINTS)).optional().meta(d('VPC endpoints to create (s3 is a gateway endpoint, the others interface endpoints).')),
  serviceCidr: cidr.optional().meta(d('The Kubernetes service range.')),
  pods: z
    .strictObject({
      prefixDelegation: z.boolean().optional().meta(d('Give each ENI slot a /28 prefix (16 pod IPs) instead of one IP.')),
      externalSnat: z.union([z.literal('auto'), z.boolean()]).optional().meta(d('AWS_VPC_K8S_CNI_EXTERNALSNAT; `auto` derives it from the egress path.')),
      customNetworking: z.strictObject({ cidr }).optional().meta(d('Give pods their own (secondary) range, split across the zones.')),
    })
    .optional(),
});

export const LOG_TYPES = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'] as const;

const controlPlaneSchema = z.strictObject({
  managed: z.boolean().optional().meta(d('true: EKS runs the control plane; false: self-managed instances (kops style).')),
  endpoint: z
    .strictObject({
      public: z.boolean().optional().meta(d('API endpoint reachable from the internet (limited by publicCidrs).')),
      private: z.boolean().optional().meta(d('API endpoint reachable inside the VPC.')),
      publicCidrs: z.array(cidr).optional().meta(d('Who may reach the public endpoint.')),
    })
    .optional(),
  logging: z.array(z.enum(LOG_TYPES)).optional().meta(d('Control-plane log types sent to CloudWatch Logs.')),
  logRetentionDays: z.number().int().min(1).max(3653).optional().meta(d('Days CloudWatch keeps control-plane logs.')),
  secretsEncryption: z.boolean().optional().meta(d('Envelope-encrypt Secrets with a KMS key.')),
  count: z.number().int().min(1).max(9).optional().meta(d('Self-managed only: control-plane instances.')),
  instanceType: z.string().optional().meta(d('Self-managed only: control-plane instance type.')),
  etcdVolume: z
    .strictObject({ type: z.enum(['gp3', 'gp2', 'io1', 'io2']).optional(), sizeGiB: z.number().int().min(1).max(16384).optional() })
    .optional()
    .meta(d('Self-managed only: the etcd data volume.')),
});

const taintSchema = z.strictObject({
  key: z.string().min(1),
  value: z.string().optional(),
  effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']),
});

/** A Kubernetes minor such as "1.35"; a string, because YAML reads 1.30 as the number 1.3. */
const minorVersion = z.string().regex(/^1\.[0-9]+$/, 'expected a minor version such as "1.35" (quote it in YAML)');

/** An EKS managed add-on version: the upstream release and, usually, the EKS build. */
const addonVersion = z.string().regex(/^v\d+\.\d+\.\d+(-eksbuild\.\d+)?$/, 'expected an EKS add-on version such as "v1.11.4-eksbuild.33" (v, major.minor.patch, optional -eksbuild.N)');

export const nodeGroupSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'expected a DNS label (lower case, digits, -)').max(40).meta(d('Unique group name.')),
  role: z.enum(['system', 'app', 'stateful']).optional().meta(d('system: add-ons; app: applications; stateful: StatefulSets with volumes.')),
  instanceTypes: z.array(z.string()).min(1).optional().meta(d('Instance types, first preferred. Always name them (L01).')),
  capacity: z.enum(['onDemand', 'spot', 'mixed']).optional().meta(d('onDemand, spot, or mixed (an on-demand base with spot above it).')),
  spot: z
    .strictObject({
      onDemandBase: z.number().int().min(0).optional().meta(d('On-demand instances before any spot (mixed only).')),
      onDemandPercentageAboveBase: z.number().int().min(0).max(100).optional(),
      allocationStrategy: z.enum(['lowest-price', 'capacity-optimized', 'price-capacity-optimized']).optional(),
      maxPrice: z.number().positive().optional().meta(d('USD per hour; leave unset to pay at most the on-demand price.')),
    })
    .optional(),
  minSize: z.number().int().min(0).optional().meta(d('Fewest nodes (per zone when perAz).')),
  maxSize: z.number().int().min(0).optional().meta(d('Most nodes the autoscaler may reach (per zone when perAz).')),
  desiredSize: z.number().int().min(0).optional().meta(d('Nodes at creation; the autoscaler moves it afterwards.')),
  perAz: z.boolean().optional().meta(d('One group per zone, so volumes and nodes stay together (L10).')),
  managed: z.boolean().optional().meta(d('EKS managed node group (true) or a self-managed Auto Scaling group (false).')),
  volume: z
    .strictObject({
      type: z.enum(['gp3', 'gp2', 'io1', 'io2']).optional().meta(d('EBS volume type.')),
      sizeGiB: z.number().int().min(1).max(16384).optional().meta(d('Size in GiB.')),
      iops: z.number().int().min(100).max(256000).optional().meta(d('Provisioned IOPS (gp3 above its 3,000 baseline, io1, io2).')),
      throughputMiBps: z.number().int().min(125).max(2000).optional().meta(d('Provisioned throughput, gp3 only (baseline 125).')),
      encrypted: z.boolean().optional().meta(d('Encrypt at rest with the account EBS key.')),
    })
    .optional()
    .meta(d('The root volume.')),
  labels: z.record(z.string(), z.string()).optional().meta(d('Node labels; the role label is added.')),
  taints: z.array(taintSchema).optional().meta(d('Node taints, `{ key, value, effect }`.')),
  kubelet: kubeletSchema.optional().meta(d('Overrides of `spec.kubelet` for this group.')),
  amiFamily: z.enum(['al2023', 'bottlerocket']).optional().meta(d('EKS-optimised AMI family.')),
  kubernetesVersion: minorVersion
    .optional()
    .meta(d("Hold this group at an older Kubernetes minor, quoted (\"1.33\"), while the control plane moves ahead; it may not be newer than spec.kubernetesVersion. Absent: the group follows the cluster's version. Rules report the skew.")),
});

const onOff = <T extends z.ZodType>(inner: T, description: string) =>
  z.union([z.literal(false), z.literal(true), inner]).optional().meta(d(`${description} \`{}\` (or true) enables it with defaults, false disables it.`));

const addonsSchema = z.strictObject({
  metricsServer: onOff(z.strictObject({}), 'metrics-server.'),
  clusterAutoscaler: onOff(
    z.strictObject({ expander: z.enum(['random', 'most-pods', 'least-waste', 'price', 'priority']).optional() }),
    'cluster-autoscaler.',
  ),
  dashboard: onOff(z.strictObject({ exposed: z.boolean().optional().meta(d('Expose it through a Service or Ingress (never recommended).')) }), 'kubernetes-dashboard, reached with kubectl proxy.'),
  monitoring: onOff(
    z.strictObject({
      prometheus: z.boolean().optional(),
      grafana: z.boolean().optional(),
      adapter: z.boolean().optional().meta(d('prometheus-adapter, for HPAs on custom metrics.')),
      alertReceivers: z
        .array(z.strictObject({ name: z.string(), type: z.enum(['slack', 'opsgenie', 'pagerduty', 'webhook']), url: z.string().optional(), channel: z.string().optional() }))
        .optional(),
    }),
    'Prometheus, Alertmanager, kube-state-metrics, Grafana.',
  ),
  logging: onOff(
    z.strictObject({ fluentBit: z.strictObject({ output: z.enum(['cloudwatch', 'elasticsearch']).optional(), endpoint: z.string().optional() }).optional() }),
    'fluent-bit log shipping.',
  ),
  dns: onOff(z.strictObject({ autoscale: z.boolean().optional(), nodeLocalCache: z.boolean().optional() }), 'CoreDNS scaling and caching.'),
  ingress: onOff(
    z.strictObject({
      controller: z.enum(['nginx', 'traefik', 'kong']).optional(),
      loadBalancer: z.enum(['alb', 'nlb']).optional(),
      certificateArn: z.string().regex(/^arn:aws[a-z-]*:acm:/, 'expected an ACM certificate ARN').optional(),
      hosts: z.array(z.string()).optional(),
    }),
    'One ingress layer behind one load balancer.',
  ),
  externalDns: onOff(z.strictObject({ hostedZone: z.string().optional() }), 'external-dns for Route53.'),
  spotHandler: onOff(z.strictObject({}), 'Spot interruption handler on spot and mixed nodes.'),
  discoveryBridge: z
    .union([
      z.literal(false),
      z.strictObject({
        zookeeper: z
          .string()
          .regex(/^[^\s,/]+:\d+(,[^\s,/]+:\d+)*(\/\S*)?$/, 'expected a ZooKeeper connect string such as zk1:2181,zk2:2181')
          .meta(d('The ZooKeeper ensemble holding the service directory: host:port[,host:port...][/chroot].')),
        path: z
          .string()
          .regex(/^(\/[^/\s]+)+$/, 'expected an absolute ZooKeeper path such as /service-directory/services')
          .optional()
          .meta(d('The directory document (default /service-directory/services).')),
      }),
    ])
    .optional()
    .meta(d('Announce Services that have an external load balancer in a ZooKeeper document shared with services outside Kubernetes (kuberator discovery-bridge). Off unless given; false disables it.')),
  descheduler: onOff(z.strictObject({}), 'descheduler.'),
  loadBalancerController: onOff(z.strictObject({}), 'AWS Load Balancer Controller.'),
  ebsCsi: onOff(z.strictObject({ defaultStorageClass: z.enum(['gp3', 'io2']).optional() }), 'EBS CSI driver and storage classes.'),
  externalSecrets: onOff(z.strictObject({ vault: z.strictObject({ server: z.string(), path: z.string() }).optional() }), 'external-secrets.'),
  gitops: onOff(
    z.strictObject({ flux: z.strictObject({ repository: z.string(), branch: z.string().optional(), path: z.string().optional() }).optional() }),
    'GitOps with Flux.',
  ),
  versions: z
    .strictObject({
      'vpc-cni': addonVersion.optional().meta(d('The Amazon VPC CNI (aws-node): pod IPs from the VPC.')),
      coredns: addonVersion.optional().meta(d('CoreDNS, the cluster DNS.')),
      'kube-proxy': addonVersion.optional().meta(d("kube-proxy, built per Kubernetes minor: never newer than the cluster's.")),
      'aws-ebs-csi-driver': addonVersion.optional().meta(d('The EBS CSI driver, when spec.addons.ebsCsi is on.')),
    })
    .optional()
    .meta(
      d(
        "Pinned versions of the EKS managed add-ons, such as `coredns: v1.11.4-eksbuild.33`. An add-on without a pin gets the version kuberator's data table lists for the cluster's minor, so it moves when spec.kubernetesVersion does; a pin stays until you change it, and `kuberator upgrade plan --write` moves existing pins to the target minor's versions.",
      ),
    ),
});

const roleArn = z.string().regex(/^arn:aws[a-z-]*:iam::[0-9]{12}:role\/.+$/, 'expected an IAM role ARN');

export const clusterSpecSchema = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal('Cluster'),
  metadata: z.strictObject({
    name: z
      .string()
      .max(40)
      .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'expected a DNS label (lower case letters, digits and -, at most 40)')
      .meta(d('Cluster name, a DNS label of at most 40 characters.')),
    environment: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'expected a DNS label such as prod or qa').optional().meta(d('prod, staging, qa…; production rules look at it.')),
    tags: z.record(z.string(), z.string()).optional().meta(d('Tags for every AWS resource.')),
  }),
  spec: z.strictObject({
    region: z.string().meta(d('AWS region, e.g. eu-west-1.')),
    kubernetesVersion: minorVersion.optional().meta(d('Kubernetes minor version, quoted: "1.35".')),
    account: z
      .strictObject({
        id: z.string().regex(/^[0-9]{12}$/, 'expected a 12-digit account id').optional().meta(d('The AWS account id, quoted.')),
        shared: z.boolean().optional().meta(d('Whether other workloads share the account (and its API quotas).')),
      })
      .optional(),
    network: networkSchema.optional().meta(d('VPC, zones, egress, access and pod networking.')),
    controlPlane: controlPlaneSchema.optional().meta(d('The Kubernetes control plane.')),
    nodeGroups: z.array(nodeGroupSchema).optional().meta(d('Groups of worker nodes.')),
    kubelet: kubeletSchema.optional(),
    scaling: z
      .strictObject({
        scheduled: z
          .array(
            z.strictObject({
              name: z.string().min(1),
              nodeGroup: z.string(),
              schedule: z.string().meta(d('Cron in UTC, five fields.')),
              minSize: z.number().int().min(0).optional(),
              maxSize: z.number().int().min(0).optional(),
              desiredSize: z.number().int().min(0).optional(),
            }),
          )
          .optional()
          .meta(d('Known surges: scheduled changes of a group size (L18).')),
      })
      .optional(),
    addons: addonsSchema.optional().meta(d('In-cluster add-ons.')),
    access: z
      .strictObject({
        admins: z.array(roleArn).optional().meta(d('IAM roles with cluster-admin access (EKS access entries).')),
        teams: z
          .array(z.strictObject({ name: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'expected a DNS label'), namespaces: z.array(z.string()).min(1), roleArn }))
          .optional()
          .meta(d('Teams: an IAM role with edit access to its namespaces.')),
      })
      .optional()
      .meta(d('Who may use the cluster.')),
    workloads: z
      .strictObject({
        expectedPods: z.number().int().min(0).optional().meta(d('Pods expected at peak, for capacity and DNS scaling.')),
        manifests: z.array(z.string()).optional(),
      })
      .optional(),
    cost: z
      .strictObject({
        natGbPerMonth: z.number().nonnegative().optional().meta(d('GB processed by the NAT gateways each month.')),
        loadBalancerLcus: z.number().nonnegative().optional().meta(d('Average load balancer capacity units (LCU/NLCU) in use.')),
        interfaceEndpointGbPerMonth: z.number().nonnegative().optional().meta(d('GB processed by interface VPC endpoints each month.')),
        controlPlaneLogGbPerMonth: z.number().nonnegative().optional().meta(d('GB of control-plane logs each month.')),
        containerLogGbPerMonth: z.number().nonnegative().optional().meta(d('GB of container logs fluent-bit ships each month.')),
        interAzGbPerMonth: z.number().nonnegative().optional().meta(d('GB crossing zones each month (billed in each direction).')),
        internetEgressGbPerMonth: z.number().nonnegative().optional().meta(d('GB sent to the internet each month.')),
        spotDiscountPercent: z.number().min(0).max(95).optional().meta(d('Assumed spot discount from the on-demand price, in percent.')),
        spotDiscountByFamily: z.record(z.string(), z.number().min(0).max(95)).optional().meta(d('Spot discount per instance family (m6i, c7g…), in percent.')),
      })
      .optional()
      .meta(d('Assumptions of the cost estimate (`kuberator cost`).')),
    ignore: z
      .array(z.strictObject({ rule: z.string(), reason: z.string().min(1, 'a reason is required') }))
      .optional()
      .meta(d('Suppressed rules; each needs a reason.')),
  }),
});

export type ClusterSpec = z.infer<typeof clusterSpecSchema>;
export type NodeGroupSpec = z.infer<typeof nodeGroupSchema>;
export type KubeletSpec = z.infer<typeof kubeletSchema>;
export type EvictionSignal = (typeof EVICTION_SIGNALS)[number];
export type LogType = (typeof LOG_TYPES)[number];
export type VpcEndpoint = (typeof VPC_ENDPOINTS)[number];
