// spec → ResolvedCluster. Pure: the planning date comes in as an argument, facts come from data/.
// Every value not in the spec is taken from DEFAULTS and recorded, so nothing is silent.
import { type CostAssumptions, costAssumptions } from '../cost/assumptions.js';
import { SpecError } from '../errors.js';
import { addonVersions, CORE_ADDONS, findEksVersion, findInstanceType, newestEksVersion, type InstanceType } from '../facts/index.js';
import type { SourceMap } from '../spec/parse.js';
import type { ClusterSpec, NodeGroupSpec } from '../spec/schema.js';
import { overlaps, parseCidr } from '../util/cidr.js';
import { CONTROL_PLANE_SIZES, DEFAULT_INSTANCE_TYPE, DEFAULTS, type DefaultKey, MAX_SIZE_BY_ROLE, ROLE_LABEL } from './defaults.js';
import { resolveKubelet } from './kubelet.js';
import { existingSubnets, planPodSubnets, planSubnets } from './network.js';
import type { AppliedDefault, ResolvedAddons, ResolvedCluster, ResolvedNetwork, ResolvedNodeGroup } from './types.js';
import { validateSpec } from './validate.js';

export interface ResolveOptions {
  /** The planning date, YYYY-MM-DD: picks the default Kubernetes version. */
  today: string;
}

const PRODUCTION = new Set(['prod', 'production', 'prd', 'live']);

/** Validate and resolve. Throws SpecError listing every semantic problem. */
export function resolve(spec: ClusterSpec, source: SourceMap, opts: ResolveOptions): ResolvedCluster {
  const issues = validateSpec(spec, source);
  if (issues.length) throw new SpecError(source.file, issues);
  return new Resolver(spec, source, opts).run();
}

class Resolver {
  private readonly applied: AppliedDefault[] = [];
  constructor(
    private readonly spec: ClusterSpec,
    private readonly source: SourceMap,
    private readonly opts: ResolveOptions,
  ) {}

  /** The stated value, or the default's (recorded under `path`, or the table path). */
  private take<T>(stated: T | undefined, key: DefaultKey, value: T, path?: string): T {
    if (stated !== undefined) return stated;
    const d = DEFAULTS[key];
    this.applied.push({ path: path ?? d.path, value, lessons: [...d.lessons], reason: d.reason });
    return value;
  }

  run(): ResolvedCluster {
    const { metadata, spec: s } = this.spec;
    const kubernetesVersion = this.take(s.kubernetesVersion, 'kubernetesVersion', newestEksVersion(this.opts.today).version);
    const environment = this.take(metadata.environment, 'environment', 'prod');
    const network = this.network();
    const nodeGroups = this.nodeGroups(network, kubernetesVersion);
    const totalMaxNodes = nodeGroups.reduce((n, g) => n + g.maxSize * (g.perAz ? g.zones.length : 1), 0);

    const cp = s.controlPlane ?? {};
    const managed = this.take(cp.managed, 'managed', true);
    const endpoint = {
      public: this.take(cp.endpoint?.public, 'endpointPublic', true),
      private: this.take(cp.endpoint?.private, 'endpointPrivate', true),
      publicCidrs: [] as string[],
    };
    if (endpoint.public) endpoint.publicCidrs = this.take(cp.endpoint?.publicCidrs, 'endpointPublicCidrs', ['0.0.0.0/0']);
    const controlPlane: ResolvedCluster['controlPlane'] = {
      managed,
      endpoint,
      logging: this.take(cp.logging, 'logging', ['api', 'audit', 'authenticator']),
      logRetentionDays: this.take(cp.logRetentionDays, 'logRetentionDays', 90),
      secretsEncryption: this.take(cp.secretsEncryption, 'secretsEncryption', true),
    };
    if (!managed) {
      const sized = CONTROL_PLANE_SIZES.find((x) => totalMaxNodes <= x.maxNodes)!.instanceType;
      controlPlane.selfManaged = {
        count: this.take(cp.count, 'cpCount', 3),
        instanceType: findInstanceType(this.take(cp.instanceType, 'cpInstanceType', sized))!,
        etcdVolume: {
          type: cp.etcdVolume?.type ?? this.take(undefined, 'etcdVolume', 'gp3' as const, 'spec.controlPlane.etcdVolume.type'),
          sizeGiB: cp.etcdVolume?.sizeGiB ?? this.take(undefined, 'etcdVolume', 20, 'spec.controlPlane.etcdVolume.sizeGiB'),
        },
      };
    }

    const cluster: ResolvedCluster = {
      __brand: 'ResolvedCluster',
      name: metadata.name,
      environment,
      production: PRODUCTION.has(environment),
      tags: metadata.tags ?? {},
      region: s.region,
      kubernetesVersion,
      version: findEksVersion(kubernetesVersion)!,
      account: { ...(s.account?.id ? { id: s.account.id } : {}), shared: this.take(s.account?.shared, 'accountShared', false) },
      network,
      controlPlane,
      nodeGroups,
      scaling: { scheduled: (s.scaling?.scheduled ?? []).map((a, i) => ({ path: `spec.scaling.scheduled[${i}]`, ...a })) },
      addons: this.addons(nodeGroups),
      addonVersions: this.addonVersions(kubernetesVersion),
      access: { admins: s.access?.admins ?? [], teams: s.access?.teams ?? [] },
      workloads: { ...(s.workloads?.expectedPods !== undefined ? { expectedPods: s.workloads.expectedPods } : {}), manifests: s.workloads?.manifests ?? [] },
      ignore: (s.ignore ?? []).map((x, i) => ({ path: `spec.ignore[${i}]`, ...x })),
      cost: this.costAssumptions(),
      defaults: this.applied,
      source: this.source,
    };
    return cluster;
  }

  private costAssumptions(): CostAssumptions {
    const c = this.spec.spec.cost ?? {};
    const keys: Array<[keyof typeof c & keyof CostAssumptions, DefaultKey]> = [
      ['natGbPerMonth', 'costNat'],
      ['loadBalancerLcus', 'costLcus'],
      ['interfaceEndpointGbPerMonth', 'costEndpoints'],
      ['controlPlaneLogGbPerMonth', 'costCpLogs'],
      ['containerLogGbPerMonth', 'costContainerLogs'],
      ['interAzGbPerMonth', 'costInterAz'],
      ['internetEgressGbPerMonth', 'costEgress'],
      ['spotDiscountPercent', 'costSpot'],
    ];
    const out = costAssumptions(this.spec);
    for (const [field, key] of keys) if (c[field] === undefined) this.take(undefined, key, out[field]);
    return out;
  }

  private network(): ResolvedNetwork {
    const s = this.spec.spec;
    const n = s.network ?? {};
    const existing = n.vpc?.id !== undefined;
    const cidr = existing ? n.vpc!.cidr! : this.take(n.vpc?.cidr, 'vpcCidr', '10.0.0.0/16');
    const zones = this.zones(n.availabilityZones, existing ? n : undefined);
    const topology = this.take(n.topology, 'topology', 'private');
    const nat = topology === 'private' ? this.take(n.nat, 'natPrivate', 'perAz') : this.take(n.nat, 'natPublic', 'none');
    const access = this.take(n.access, 'access', 'ssm');
    const snatSetting = this.take(n.pods?.externalSnat, 'externalSnat', 'auto' as const);
    const vpcVal = parseCidr(cidr)!;
    const inTen = overlaps(vpcVal, parseCidr('10.0.0.0/8')!);
    const customCidr = n.pods?.customNetworking?.cidr;
    const subnets = existing ? existingSubnets(n.vpc!, zones) : planSubnets(cidr, zones, topology);
    if (customCidr) subnets.push(...planPodSubnets(customCidr, zones));
    return {
      vpc: {
        mode: existing ? 'existing' : 'new',
        ...(existing ? { id: n.vpc!.id! } : {}),
        cidr,
        // A new VPC always gets both; an existing one is what the spec says (unstated = unknown = assume on).
        dnsHostnames: existing ? (n.vpc!.dnsHostnames ?? true) : true,
        dnsSupport: existing ? (n.vpc!.dnsSupport ?? true) : true,
      },
      zones,
      topology,
      nat,
      access,
      ...(access === 'bastion'
        ? { bastion: { instanceType: this.take(n.bastion?.instanceType, 'bastionInstanceType', 't4g.nano'), allowedCidrs: n.bastion?.allowedCidrs ?? [] } }
        : {}),
      vpcEndpoints: this.take(n.vpcEndpoints, 'vpcEndpoints', ['s3']),
      serviceCidr: this.take(n.serviceCidr, 'serviceCidr', inTen ? '172.20.0.0/16' : '10.100.0.0/16'),
      peeredCidrs: n.peeredCidrs ?? [],
      pods: {
        prefixDelegation: this.take(n.pods?.prefixDelegation, 'prefixDelegation', false),
        externalSnatSetting: snatSetting,
        // L14: behind NAT (private nodes) the CNI must leave SNAT to the gateway; public nodes SNAT themselves.
        externalSnat: snatSetting === 'auto' ? topology === 'private' && nat !== 'none' : snatSetting,
        ...(customCidr ? { customNetworkingCidr: customCidr } : {}),
      },
      subnets,
    };
  }

  private zones(stated: number | string[] | undefined, existing: { vpc?: { subnets?: { private?: object; public?: object } }; topology?: string } | undefined): string[] {
    const region = this.spec.spec.region;
    if (Array.isArray(stated)) return stated;
    if (existing && stated === undefined) {
      // An existing VPC's zones are the ones its node subnets are in.
      const tier = existing.topology === 'public' ? 'public' : 'private';
      return Object.keys(existing.vpc?.subnets?.[tier] ?? {}).sort();
    }
    const count = this.take(stated, 'zones', 3);
    return Array.from({ length: count }, (_, i) => `${region}${String.fromCharCode(97 + i)}`);
  }

  private nodeGroups(network: ResolvedNetwork, kubernetesVersion: string): ResolvedNodeGroup[] {
    const specs = this.spec.spec.nodeGroups ?? [];
    const groups: Array<{ spec: NodeGroupSpec; path: string; declared: boolean }> = specs.map((g, i) => ({ spec: g, path: `spec.nodeGroups[${i}]`, declared: true }));
    const hasSystem = specs.some((g) => g.role === 'system');
    if (!hasSystem) {
      const name = specs.some((g) => g.name === 'system') ? 'kuberator-system' : 'system';
      this.take(undefined, 'systemGroup', name, 'spec.nodeGroups');
      groups.unshift({ spec: { name, role: 'system', instanceTypes: [DEFAULT_INSTANCE_TYPE], capacity: 'onDemand' }, path: 'spec.nodeGroups', declared: false });
    }
    const othersExist = groups.some((g) => (g.spec.role ?? 'app') !== 'system');
    return groups.map((g) => this.nodeGroup(g.spec, g.path, g.declared, network, othersExist, kubernetesVersion));
  }

  private nodeGroup(g: NodeGroupSpec, path: string, declared: boolean, network: ResolvedNetwork, othersExist: boolean, clusterVersion: string): ResolvedNodeGroup {
    // Defaults of an added group are covered by the one 'systemGroup' entry.
    const take = <T>(stated: T | undefined, key: DefaultKey, value: T, field: string): T =>
      declared ? this.take(stated, key, value, `${path}.${field}`) : (stated ?? value);
    const role = take(g.role, 'role', 'app' as const, 'role');
    const typeNames = take(g.instanceTypes, 'instanceTypes', [DEFAULT_INSTANCE_TYPE], 'instanceTypes');
    const instances = typeNames.map((t) => findInstanceType(t)).filter((t): t is InstanceType => t !== undefined);
    const capacity = take(g.capacity, 'capacity', 'onDemand' as const, 'capacity');
    const minSize = take(g.minSize, 'minSize', role === 'system' ? 2 : 1, 'minSize');
    const maxSize = take(g.maxSize, 'maxSize', Math.max(minSize, MAX_SIZE_BY_ROLE[role]), 'maxSize');
    const desiredSize = take(g.desiredSize, 'desiredSize', Math.min(maxSize, minSize), 'desiredSize');
    const perAz = take(g.perAz, 'perAz', role === 'stateful', 'perAz');
    const scheduled = (this.spec.spec.scaling?.scheduled ?? []).some((a) => a.nodeGroup === g.name);
    const managed = take(g.managed, 'managedGroup', capacity !== 'mixed' && !scheduled, 'managed');
    const v = g.volume ?? {};
    const volume: ResolvedNodeGroup['volume'] = {
      type: take(v.type, 'volumeType', 'gp3' as const, 'volume.type'),
      sizeGiB: take(v.sizeGiB, 'volumeSize', 50, 'volume.sizeGiB'),
      ...(v.iops !== undefined ? { iops: v.iops } : {}),
      ...(v.throughputMiBps !== undefined ? { throughputMiBps: v.throughputMiBps } : {}),
      encrypted: take(v.encrypted, 'volumeEncrypted', true, 'volume.encrypted'),
    };
    let spot: ResolvedNodeGroup['spot'];
    if (capacity !== 'onDemand') {
      const sp = g.spot ?? {};
      spot = {
        onDemandBase: take(sp.onDemandBase, 'spotBase', capacity === 'mixed' ? 1 : 0, 'spot.onDemandBase'),
        onDemandPercentageAboveBase: take(sp.onDemandPercentageAboveBase, 'spotPercentage', capacity === 'mixed' ? 25 : 0, 'spot.onDemandPercentageAboveBase'),
        allocationStrategy: take(sp.allocationStrategy, 'spotStrategy', 'price-capacity-optimized' as const, 'spot.allocationStrategy'),
        ...(sp.maxPrice !== undefined ? { maxPrice: sp.maxPrice } : {}),
      };
    }
    const labels = { ...(g.labels ?? {}) };
    if (labels[ROLE_LABEL] === undefined) {
      labels[ROLE_LABEL] = role;
      if (declared) this.take(undefined, 'roleLabel', role, `${path}.labels["${ROLE_LABEL}"]`);
    }
    const taints = [...(g.taints ?? [])];
    if (role === 'system' && othersExist && g.taints === undefined) {
      taints.push({ key: 'CriticalAddonsOnly', value: 'true', effect: 'NoSchedule' });
      if (declared) this.take(undefined, 'systemTaint', taints, `${path}.taints`);
    }
    const { kubelet, computed, sources } = resolveKubelet({
      instances,
      prefixDelegation: network.pods.prefixDelegation,
      customNetworking: network.pods.customNetworkingCidr !== undefined,
      layers: [
        { spec: this.spec.spec.kubelet, path: 'spec.kubelet' },
        { spec: g.kubelet, path: `${path}.kubelet` },
      ],
    });
    if (declared) {
      const keyOf = { kubeReserved: 'kubeReserved', systemReserved: 'systemReserved', evictionHard: 'evictionHard', evictionSoft: 'evictionSoft', evictionSoftGracePeriod: 'evictionSoftGracePeriod', maxPods: 'maxPods' } as const;
      for (const k of computed) this.take(undefined, keyOf[k], kubelet[k], `${path}.kubelet.${k}`);
    }
    return {
      path,
      declared,
      name: g.name,
      role,
      instances,
      capacity,
      ...(spot ? { spot } : {}),
      minSize,
      maxSize,
      desiredSize,
      perAz,
      managed,
      volume,
      labels,
      taints,
      kubelet,
      kubeletSources: sources,
      amiFamily: take(g.amiFamily, 'amiFamily', 'al2023' as const, 'amiFamily'),
      // Following the cluster is not recorded as a default: written back into the spec it would
      // become a pin, and the group would stay behind at the next upgrade.
      kubernetesVersion: g.kubernetesVersion ?? clusterVersion,
      kubernetesVersionPinned: g.kubernetesVersion !== undefined,
      zones: network.zones,
      imds: { tokensRequired: true, hopLimit: 1 },
    };
  }

  /**
   * Managed add-on versions: the spec's pins, the others from the data table for the minor. Table
   * versions are not recorded as defaults for the same reason as a group's minor: written back they
   * would pin the add-ons, which then stop following the cluster.
   */
  private addonVersions(kubernetesVersion: string): ResolvedCluster['addonVersions'] {
    const pins = this.spec.spec.addons?.versions ?? {};
    const table = addonVersions(kubernetesVersion);
    const out: ResolvedCluster['addonVersions'] = {};
    for (const a of CORE_ADDONS) {
      const pin = pins[a];
      if (pin !== undefined) out[a] = { version: pin, pinned: true };
      else if (table) out[a] = { version: table[a], pinned: false };
    }
    return out;
  }

  private addons(groups: ResolvedNodeGroup[]): ResolvedAddons {
    const a = this.spec.spec.addons ?? {};
    // `true` and `{}` both mean on with defaults; absent means the table's default.
    const on = <T extends object>(stated: false | true | T | undefined, key: DefaultKey, byDefault: boolean): T | false => {
      const v = this.take(stated, key, byDefault ? ({} as T) : false);
      return v === false ? false : v === true ? ({} as T) : v;
    };
    const anySpot = groups.some((g) => g.capacity !== 'onDemand');
    const ca = on(a.clusterAutoscaler, 'clusterAutoscaler', true);
    const mon = on(a.monitoring, 'monitoring', true);
    const log = on(a.logging, 'loggingAddon', true);
    const dns = on(a.dns, 'dns', true);
    const ing = on(a.ingress, 'ingress', false);
    const ebs = on(a.ebsCsi, 'ebsCsi', true);
    const dash = on(a.dashboard, 'dashboard', false);
    const gitops = on(a.gitops, 'gitops', false);
    return {
      metricsServer: on(a.metricsServer, 'metricsServer', true) && {},
      clusterAutoscaler: ca && { expander: ca.expander ?? 'least-waste' },
      dashboard: dash && { exposed: dash.exposed ?? false },
      monitoring: mon && { prometheus: mon.prometheus ?? true, grafana: mon.grafana ?? true, adapter: mon.adapter ?? false, alertReceivers: mon.alertReceivers ?? [] },
      logging: log && { fluentBit: { output: log.fluentBit?.output ?? 'cloudwatch', ...(log.fluentBit?.endpoint ? { endpoint: log.fluentBit.endpoint } : {}) } },
      dns: dns && { autoscale: dns.autoscale ?? true, nodeLocalCache: dns.nodeLocalCache ?? false },
      ingress: ing && {
        controller: ing.controller ?? 'nginx',
        loadBalancer: ing.loadBalancer ?? 'alb',
        ...(ing.certificateArn ? { certificateArn: ing.certificateArn } : {}),
        hosts: ing.hosts ?? [],
      },
      externalDns: on(a.externalDns, 'externalDns', false),
      spotHandler: on(a.spotHandler, 'spotHandler', anySpot) && {},
      discoveryBridge: ((b) => b && { zookeeper: b.zookeeper, path: b.path ?? '/service-directory/services' })(this.take(a.discoveryBridge, 'discoveryBridge', false)),
      descheduler: on(a.descheduler, 'descheduler', false) && {},
      loadBalancerController: on(a.loadBalancerController, 'loadBalancerController', true) && {},
      ebsCsi: ebs && { defaultStorageClass: ebs.defaultStorageClass ?? 'gp3' },
      externalSecrets: on(a.externalSecrets, 'externalSecrets', false),
      gitops: gitops && (gitops.flux ? { flux: { repository: gitops.flux.repository, branch: gitops.flux.branch ?? 'main', path: gitops.flux.path ?? `clusters/${this.spec.metadata.name}` } } : {}),
    };
  }
}
