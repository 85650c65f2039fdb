// The human plan: what will be built, how much it holds, and what is wrong with it.
import type { AddonName, ResolvedCluster } from '../model/types.js';
import type { PlanResult } from '../plan.js';
import { findRule } from '../rules/index.js';
import type { Finding, Severity } from '../rules/types.js';
import { formatNumber, usd } from '../util/format.js';
import { type Style, style, table } from './style.js';

const n = (x: number) => formatNumber(x);

export function planText(r: PlanResult, opts: { color: boolean }): string {
  const s = style(opts.color);
  const m = r.model;
  return [header(m, s), network(r, s), nodeGroups(r, s), addons(m, s), cost(r, s), findings(r.findings, r.summary, s)].join('\n\n') + '\n';
}

function header(m: ResolvedCluster, s: Style): string {
  const v = m.version;
  const cp = m.controlPlane;
  const endpoint = [cp.endpoint.public && `public (${cp.endpoint.publicCidrs.join(', ')})`, cp.endpoint.private && 'private'].filter(Boolean).join(' + ');
  const plane = cp.selfManaged ? `self-managed, ${cp.selfManaged.count} × ${cp.selfManaged.instanceType.name}, etcd on ${cp.selfManaged.etcdVolume.type} ${cp.selfManaged.etcdVolume.sizeGiB} GiB` : 'EKS managed';
  return [
    `${s.bold('Cluster')}  ${m.name} (${m.environment}) in ${m.region}, Kubernetes ${m.kubernetesVersion} (standard support until ${v.endOfStandardSupport ?? 'unknown'})`,
    `  control plane: ${plane}; endpoint ${endpoint}`,
    `  logs: ${cp.logging.length ? cp.logging.join(', ') : 'none'} (${cp.logRetentionDays} days); secrets encryption ${cp.secretsEncryption ? 'on' : 'off'}`,
  ].join('\n');
}

function network(r: PlanResult, s: Style): string {
  const net = r.model.network;
  const nat = net.nat === 'perAz' ? `NAT per zone (${net.zones.length})` : net.nat === 'single' ? 'one NAT gateway' : 'no NAT';
  const vpc = net.vpc.mode === 'new' ? `new VPC ${net.vpc.cidr}` : `existing VPC ${net.vpc.id} (${net.vpc.cidr})`;
  const rows = [['zone', 'tier', 'cidr', 'usable IPs', 'needed at max', 'headroom']];
  for (const c of r.capacity.subnets) rows.push([c.zone, c.tier + (c.podSubnet ? ' (pods)' : ''), c.cidr, n(c.usableIps), n(c.ipsNeeded), n(c.headroom)]);
  return [
    `${s.bold('Network')}  ${vpc}; ${net.topology} nodes in ${net.zones.join(', ')}; ${nat}; access ${net.access}`,
    `  endpoints: ${net.vpcEndpoints.join(', ') || 'none'}; services ${net.serviceCidr}; pods: ${net.pods.prefixDelegation ? 'prefix delegation' : 'one IP per pod'}, external SNAT ${net.pods.externalSnat}${net.pods.customNetworkingCidr ? `, custom networking ${net.pods.customNetworkingCidr}` : ''}`,
    table(rows),
  ].join('\n');
}

function nodeGroups(r: PlanResult, s: Style): string {
  const rows = [['group', 'role', 'capacity', 'types', 'min/desired/max', 'zones', 'max pods', 'allocatable per node', 'spot pools']];
  r.model.nodeGroups.forEach((g, i) => {
    const c = r.capacity.nodeGroups[i]!;
    const first = c.instances[0]!;
    const cap = g.capacity === 'mixed' && g.spot ? `mixed (base ${g.spot.onDemandBase}, ${g.spot.onDemandPercentageAboveBase}% on demand)` : g.capacity;
    rows.push([
      g.name + (g.declared ? '' : ' (added)'),
      g.role,
      cap,
      g.instances.map((t) => t.name).join(','),
      `${g.minSize}/${g.desiredSize}/${g.maxSize}${g.perAz ? ' per zone' : ''}`,
      String(g.zones.length),
      String(c.maxPods),
      `${(first.allocatableCpuMillicores / 1000).toFixed(2)} CPU, ${(first.allocatableMemoryMiB / 1024).toFixed(1)} GiB (${first.instanceType})`,
      g.capacity === 'onDemand' ? '-' : String(c.spotPools),
    ]);
  });
  const cap = r.capacity;
  return [
    `${s.bold('Node groups')}  up to ${n(cap.maxNodes)} nodes, ${n(cap.maxVcpu)} vCPU and ${n(cap.maxPods)} pods; CoreDNS needs ${cap.dns.recommendedCorednsReplicas} replicas at max scale`,
    table(rows),
  ].join('\n');
}

const ADDON_LABEL: Record<AddonName, string> = {
  metricsServer: 'metrics-server',
  clusterAutoscaler: 'cluster-autoscaler',
  dashboard: 'dashboard',
  monitoring: 'monitoring',
  logging: 'fluent-bit',
  dns: 'dns',
  ingress: 'ingress',
  externalDns: 'external-dns',
  spotHandler: 'spot-handler',
  discoveryBridge: 'discovery-bridge',
  descheduler: 'descheduler',
  loadBalancerController: 'aws-load-balancer-controller',
  ebsCsi: 'ebs-csi',
  externalSecrets: 'external-secrets',
  gitops: 'flux',
};

function addons(m: ResolvedCluster, s: Style): string {
  const a = m.addons;
  const detail: Partial<Record<AddonName, string>> = {
    clusterAutoscaler: a.clusterAutoscaler ? a.clusterAutoscaler.expander : undefined,
    ingress: a.ingress ? `${a.ingress.controller} behind ${a.ingress.loadBalancer}` : undefined,
    logging: a.logging ? a.logging.fluentBit.output : undefined,
    dns: a.dns ? [a.dns.autoscale && 'autoscaled', a.dns.nodeLocalCache && 'node-local cache'].filter(Boolean).join(', ') || 'fixed' : undefined,
    ebsCsi: a.ebsCsi ? `default ${a.ebsCsi.defaultStorageClass}` : undefined,
  };
  const on = (Object.keys(ADDON_LABEL) as AddonName[]).filter((k) => a[k] !== false).map((k) => ADDON_LABEL[k] + (detail[k] ? ` (${detail[k]})` : ''));
  const off = (Object.keys(ADDON_LABEL) as AddonName[]).filter((k) => a[k] === false).map((k) => ADDON_LABEL[k]);
  return `${s.bold('Add-ons')}  ${on.join(', ')}${off.length ? `\n  off: ${off.join(', ')}` : ''}`;
}

function cost(r: PlanResult, s: Style): string {
  const c = r.cost;
  const byCategory = new Map<string, number>();
  for (const i of c.items) if (i.monthlyUsd !== null) byCategory.set(i.category, (byCategory.get(i.category) ?? 0) + i.monthlyUsd);
  const parts = [...byCategory].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${usd(v)}`);
  const unknown = c.items.filter((i) => i.monthlyUsd === null).length;
  return `${s.bold('Cost')}  about ${usd(c.monthlyUsd)}/month${c.partial ? ` (partial: ${unknown} item${unknown === 1 ? '' : 's'} without a price in ${c.region})` : ''}: ${parts.join(', ')}; details with kuberator cost`;
}

const LABEL: Record<Severity, string> = { error: 'ERROR', warning: 'WARNING', info: 'INFO' };

function findings(list: Finding[], summary: PlanResult['summary'], s: Style): string {
  const head = `${s.bold('Findings')}  ${summary.errors} error${summary.errors === 1 ? '' : 's'}, ${summary.warnings} warning${summary.warnings === 1 ? '' : 's'}, ${summary.infos} info${summary.suppressed ? `, ${summary.suppressed} suppressed` : ''}`;
  const paint = (sev: Severity, t: string) => (sev === 'error' ? s.red(t) : sev === 'warning' ? s.yellow(t) : s.cyan(t));
  const out = [head];
  for (const sev of ['error', 'warning', 'info'] as const) {
    const group = list.filter((f) => f.severity === sev && !f.suppressed);
    if (!group.length) continue;
    out.push('');
    for (const f of group) {
      const where = f.location ? `${f.location.file}:${f.location.line}:${f.location.col}` : f.path;
      out.push(`  ${paint(sev, LABEL[sev].padEnd(7))} ${s.bold(f.rule)} [${f.lessons.join(',')}]  ${s.dim(where)}`);
      out.push(`          ${f.path}: ${f.message}`);
      const rule = findRule(f.rule);
      if (rule) out.push(s.dim(`          why: ${rule.why}`));
      out.push(`          fix: ${f.fix}`);
    }
  }
  const suppressed = list.filter((f) => f.suppressed);
  if (suppressed.length) {
    out.push('', `  suppressed by spec.ignore:`);
    for (const f of suppressed) out.push(s.dim(`    ${f.rule}  ${f.path}: ${f.message} (reason: ${f.suppressed!.reason})`));
  }
  return out.join('\n');
}
