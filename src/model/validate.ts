// Semantic validation: what the schema cannot see (facts, cross-field consistency, references).
// These are input errors (exit 2): the spec means nothing until they are fixed. Judgements about
// a meaningful spec are rules, not errors. Returns every issue; never throws.
import type { SpecIssue } from '../errors.js';
import { eksVersions, findEksVersion, findInstanceType, regions, unknownInstanceTypeMessage, unknownRegionMessage } from '../facts/index.js';
import type { SourceMap } from '../spec/parse.js';
import type { ClusterSpec } from '../spec/schema.js';
import { contains, isAligned, parseCidr } from '../util/cidr.js';
import { didYouMean } from '../util/suggest.js';
import { minorOf } from './versions.js';

export function validateSpec(spec: ClusterSpec, source: SourceMap): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const add = (path: string, message: string) => issues.push({ path, message, location: source.locate(path) });
  const s = spec.spec;

  if (!regions().includes(s.region)) add('spec.region', unknownRegionMessage(s.region));
  if (s.kubernetesVersion !== undefined && !findEksVersion(s.kubernetesVersion)) {
    add('spec.kubernetesVersion', `EKS has no Kubernetes ${s.kubernetesVersion} in kuberator's data${didYouMean(s.kubernetesVersion, eksVersions().map((v) => v.version))}`);
  }

  // CIDRs: well formed and aligned (10.0.1.0/16 is a typo for something).
  const cidrAt = (path: string, text: string | undefined) => {
    if (text === undefined) return;
    const c = parseCidr(text);
    if (!c) add(path, `'${text}' is not a valid IPv4 CIDR`);
    else if (!isAligned(c)) add(path, `'${text}' has host bits set; did you mean the network address of that block?`);
  };
  const net = s.network;
  const vpc = net?.vpc;
  cidrAt('spec.network.vpc.cidr', vpc?.cidr);
  cidrAt('spec.network.serviceCidr', net?.serviceCidr);
  cidrAt('spec.network.pods.customNetworking.cidr', net?.pods?.customNetworking?.cidr);
  net?.peeredCidrs?.forEach((c, i) => cidrAt(`spec.network.peeredCidrs[${i}]`, c));
  const vpcPrefix = vpc?.cidr ? parseCidr(vpc.cidr)?.prefix : undefined;
  if (vpcPrefix !== undefined && (vpcPrefix < 16 || vpcPrefix > 28)) add('spec.network.vpc.cidr', `a VPC range must be between /16 and /28, got /${vpcPrefix}`);

  const zonesIn = (az: string) => az.slice(0, -1) === s.region;
  if (Array.isArray(net?.availabilityZones)) {
    net.availabilityZones.forEach((az, i) => {
      if (!zonesIn(az)) add(`spec.network.availabilityZones[${i}]`, `zone '${az}' is not in region ${s.region}`);
    });
    const dup = net.availabilityZones.find((z, i, all) => all.indexOf(z) !== i);
    if (dup) add('spec.network.availabilityZones', `zone '${dup}' is listed twice`);
  }

  if (vpc?.id !== undefined) {
    if (!vpc.cidr) add('spec.network.vpc.cidr', 'an existing VPC needs its cidr, so subnets and overlaps can be checked');
    if (!vpc.subnets?.private && !vpc.subnets?.public) add('spec.network.vpc.subnets', 'an existing VPC needs its subnets by zone: { private: { <az>: { id, cidr } } }');
    const parent = vpc.cidr ? parseCidr(vpc.cidr) : undefined;
    for (const tier of ['private', 'public'] as const) {
      for (const [az, sub] of Object.entries(vpc.subnets?.[tier] ?? {})) {
        const p = `spec.network.vpc.subnets.${tier}[${JSON.stringify(az)}]`;
        if (!zonesIn(az)) add(p, `zone '${az}' is not in region ${s.region}`);
        if (!sub.id) add(`${p}.id`, 'an existing subnet needs its id');
        cidrAt(`${p}.cidr`, sub.cidr);
        const c = parseCidr(sub.cidr);
        if (parent && c && !contains(parent, c)) add(`${p}.cidr`, `${sub.cidr} is outside the VPC range ${vpc.cidr}`);
      }
    }
    const topology = net?.topology ?? 'private';
    const needed = topology === 'private' ? vpc.subnets?.private : vpc.subnets?.public;
    if (vpc.subnets && (!needed || Object.keys(needed).length === 0)) add(`spec.network.vpc.subnets.${topology}`, `${topology} topology needs ${topology} subnets`);
    if (Array.isArray(net?.availabilityZones) && needed) {
      net.availabilityZones.forEach((az, i) => {
        if (!(az in needed)) add(`spec.network.availabilityZones[${i}]`, `zone '${az}' has no ${topology} subnet in spec.network.vpc.subnets`);
      });
    }
  } else {
    if (vpc?.subnets) add('spec.network.vpc.subnets', 'subnets are given only with an existing VPC id; for a new VPC they are carved from vpc.cidr');
    if (vpc?.dnsHostnames !== undefined || vpc?.dnsSupport !== undefined) add('spec.network.vpc', 'dnsHostnames and dnsSupport describe an existing VPC; a new one always has both on');
  }
  if (net?.bastion && net.access !== 'bastion') add('spec.network.bastion', "bastion settings need 'access: bastion'");
  if (net?.bastion?.instanceType && !findInstanceType(net.bastion.instanceType)) add('spec.network.bastion.instanceType', unknownInstanceTypeMessage(net.bastion.instanceType));

  const cp = s.controlPlane;
  if (cp?.endpoint?.public === false && cp.endpoint.private === false) add('spec.controlPlane.endpoint', 'the API endpoint must be public, private or both; with neither nobody can reach it');
  if (cp?.managed !== false) {
    for (const k of ['count', 'instanceType', 'etcdVolume'] as const) {
      if (cp?.[k] !== undefined) add(`spec.controlPlane.${k}`, `${k} applies only to a self-managed control plane (managed: false)`);
    }
  } else if (cp.instanceType && !findInstanceType(cp.instanceType)) {
    add('spec.controlPlane.instanceType', unknownInstanceTypeMessage(cp.instanceType));
  }

  const names = new Map<string, number>();
  (s.nodeGroups ?? []).forEach((g, i) => {
    const p = `spec.nodeGroups[${i}]`;
    if (names.has(g.name)) add(`${p}.name`, `node group name '${g.name}' is already used by spec.nodeGroups[${names.get(g.name)}]`);
    names.set(g.name, i);
    g.instanceTypes?.forEach((t, j) => {
      if (!findInstanceType(t)) add(`${p}.instanceTypes[${j}]`, unknownInstanceTypeMessage(t));
    });
    const dupType = g.instanceTypes?.find((t, j, all) => all.indexOf(t) !== j);
    if (dupType) add(`${p}.instanceTypes`, `'${dupType}' is listed twice`);
    if (g.minSize !== undefined && g.maxSize !== undefined && g.minSize > g.maxSize) add(`${p}.maxSize`, `must be ≥ minSize (${g.minSize}), got ${g.maxSize}`);
    if (g.desiredSize !== undefined) {
      if (g.minSize !== undefined && g.desiredSize < g.minSize) add(`${p}.desiredSize`, `must be ≥ minSize (${g.minSize}), got ${g.desiredSize}`);
      if (g.maxSize !== undefined && g.desiredSize > g.maxSize) add(`${p}.desiredSize`, `must be ≤ maxSize (${g.maxSize}), got ${g.desiredSize}`);
    }
    const capacity = g.capacity ?? 'onDemand';
    if (g.spot && capacity === 'onDemand') add(`${p}.spot`, "spot settings need 'capacity: spot' or 'capacity: mixed'");
    if (capacity === 'mixed' && g.managed === true) add(`${p}.managed`, 'mixed capacity needs a self-managed Auto Scaling group (managed: false); EKS managed groups are all on-demand or all spot');
    if (capacity === 'spot' && g.spot?.onDemandBase) add(`${p}.spot.onDemandBase`, "an on-demand base needs 'capacity: mixed'");
    if (g.managed === true && (s.scaling?.scheduled ?? []).some((a) => a.nodeGroup === g.name)) {
      add(`${p}.managed`, 'scheduled scaling needs a self-managed Auto Scaling group (managed: false); CloudFormation cannot reach the Auto Scaling group of an EKS managed group');
    }
    if (g.kubernetesVersion !== undefined) nodeVersionIssues(g.kubernetesVersion, s.kubernetesVersion).forEach((m) => add(`${p}.kubernetesVersion`, m));
    const arches = new Set(g.instanceTypes?.map((t) => findInstanceType(t)?.arch).filter((a) => a));
    if (arches.size > 1) add(`${p}.instanceTypes`, `mixes ${[...arches].join(' and ')} instance types; one launch template takes one AMI, so split them into two groups`);
    const v = g.volume;
    if (v) {
      const type = v.type ?? 'gp3';
      if ((type === 'io1' || type === 'io2') && v.iops === undefined) add(`${p}.volume.iops`, `${type} volumes need provisioned iops`);
      if (type === 'gp3' && v.iops !== undefined && (v.iops < 3000 || v.iops > 16000)) add(`${p}.volume.iops`, `gp3 takes 3000 to 16000 IOPS, got ${v.iops}`);
      if (type === 'gp2' && v.iops !== undefined) add(`${p}.volume.iops`, 'gp2 IOPS follow the size and cannot be provisioned; use gp3');
      if (v.throughputMiBps !== undefined && type !== 'gp3') add(`${p}.volume.throughputMiBps`, 'throughput can be provisioned only on gp3');
    }
  });

  (s.scaling?.scheduled ?? []).forEach((a, i) => {
    const p = `spec.scaling.scheduled[${i}]`;
    if (!names.has(a.nodeGroup)) add(`${p}.nodeGroup`, `no node group named '${a.nodeGroup}'${didYouMean(a.nodeGroup, names.keys())}`);
    const cronIssue = checkCron(a.schedule);
    if (cronIssue) add(`${p}.schedule`, cronIssue);
    if (a.minSize === undefined && a.maxSize === undefined && a.desiredSize === undefined) add(p, 'a scheduled action must set minSize, maxSize or desiredSize');
    if (a.minSize !== undefined && a.maxSize !== undefined && a.minSize > a.maxSize) add(`${p}.maxSize`, `must be ≥ minSize (${a.minSize}), got ${a.maxSize}`);
  });

  const teams = new Set<string>();
  (s.access?.teams ?? []).forEach((t, i) => {
    if (teams.has(t.name)) add(`spec.access.teams[${i}].name`, `team '${t.name}' is listed twice`);
    teams.add(t.name);
  });
  return issues;
}

/** A node group's own minor: one EKS has, stated against a stated cluster minor, and not ahead of it. */
function nodeVersionIssues(group: string, cluster: string | undefined): string[] {
  if (!findEksVersion(group)) return [`EKS has no Kubernetes ${group} in kuberator's data${didYouMean(group, eksVersions().map((v) => v.version))}`];
  if (cluster === undefined) return [`holds the group back from spec.kubernetesVersion, which is not stated; state the cluster's minor too`];
  if (minorOf(group) > minorOf(cluster)) return [`must not be newer than spec.kubernetesVersion (${cluster}), got ${group}; kubelets may trail the control plane, never lead it`];
  return [];
}

const CRON_FIELDS: Array<[string, number, number]> = [
  ['minute', 0, 59],
  ['hour', 0, 23],
  ['day of month', 1, 31],
  ['month', 1, 12],
  ['day of week', 0, 7],
];

/** A five-field cron expression as Auto Scaling accepts it; returns a problem or undefined. */
export function checkCron(expr: string): string | undefined {
  const fields = expr.trim().split(/\s+/);
  if (fields.length !== 5) return `expected five cron fields (minute hour day month weekday), got ${fields.length}`;
  for (const [i, f] of fields.entries()) {
    const [name, lo, hi] = CRON_FIELDS[i]!;
    for (const part of f.split(',')) {
      const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
      if (!m) return `cron ${name} field '${f}' is not valid`;
      for (const n of [m[2], m[3]]) if (n !== undefined && (Number(n) < lo || Number(n) > hi)) return `cron ${name} ${n} is outside ${lo}–${hi}`;
    }
  }
  return undefined;
}
