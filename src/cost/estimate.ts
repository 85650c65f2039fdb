// The monthly cost of a resolved cluster (730 hours a month): one line per item with its unit price,
// quantity, total and the price's source and date. A price missing for the region makes its line
// unknown and the total partial; it is never counted as zero. Pure over the model and data/.
import type { ResolvedCluster, ResolvedNodeGroup } from '../model/types.js';
import { nodeGroupUnits } from '../model/units.js';
import { spotDiscount } from './assumptions.js';
import { ebsPrice, eksControlPlanePrice, instancePrice, type Price, servicePrice } from './prices.js';

export const HOURS_PER_MONTH = 730;

export interface CostItem {
  item: string;
  /** Kind of item, for grouping and comparison: control-plane, nodes, volumes, nat, … */
  category: string;
  quantity: number;
  unit: string;
  /** null when the price is unknown in the region. */
  unitPriceUsd: number | null;
  monthlyUsd: number | null;
  source: string;
  /** Node lines: the cost at the group's minimum and maximum size too. */
  range?: { minUsd: number | null; maxUsd: number | null };
}

export interface CostEstimate {
  currency: 'USD';
  region: string;
  date: string;
  monthlyUsd: number;
  /** Some prices were unknown: monthlyUsd leaves those lines out. */
  partial: boolean;
  items: CostItem[];
  assumptions: ResolvedCluster['cost'];
}

const round = (n: number) => Math.round(n * 100) / 100;

function line(item: string, category: string, quantity: number, unit: string, price: Price | undefined, perUnitMonth = 1): CostItem {
  return {
    item,
    category,
    quantity,
    unit,
    unitPriceUsd: price ? price.usd : null,
    monthlyUsd: price ? round(price.usd * quantity * perUnitMonth) : null,
    source: price ? price.source : 'unknown: no price for this region in kuberator\'s data',
  };
}

/** Nodes of a group at a size: the share on demand and the share on spot (mixed instances policy). */
export function onDemandShare(g: ResolvedNodeGroup, nodes: number): { onDemand: number; spot: number } {
  if (g.capacity === 'onDemand' || !g.spot) return { onDemand: nodes, spot: 0 };
  const base = Math.min(nodes, g.spot.onDemandBase);
  const above = nodes - base;
  const od = base + Math.ceil((above * g.spot.onDemandPercentageAboveBase) / 100);
  return { onDemand: Math.min(nodes, od), spot: Math.max(0, nodes - od) };
}

/** Hourly cost of a group at a size, pricing every node as the group's first (preferred) type. */
export function groupHourly(m: ResolvedCluster, g: ResolvedNodeGroup, nodes: number): number | null {
  const type = g.instances[0]!.name;
  const p = instancePrice(m.region, type);
  if (!p) return null;
  const { onDemand, spot } = onDemandShare(g, nodes);
  return onDemand * p.usd + spot * p.usd * (1 - spotDiscount(m.cost, type));
}

export function estimateCost(m: ResolvedCluster, today: string): CostEstimate {
  const items: CostItem[] = [];
  const a = m.cost;
  const r = m.region;

  // EKS control plane: extended support is billed at its own rate once standard support ends.
  const extended = m.version.endOfStandardSupport !== null && today > m.version.endOfStandardSupport;
  items.push(line(`EKS control plane (${extended ? 'extended' : 'standard'} support, Kubernetes ${m.kubernetesVersion})`, 'control-plane', HOURS_PER_MONTH, 'hour', eksControlPlanePrice(r, extended)));

  // Nodes at desired size, with min and max beside them; spot priced at the assumed discount.
  for (const unit of nodeGroupUnits(m)) {
    const g = unit.group;
    const type = g.instances[0]!.name;
    const price = instancePrice(r, type);
    const hourly = (n: number) => (price ? groupHourly(m, g, n) : null);
    const monthly = (n: number) => {
      const h = hourly(n);
      return h === null ? null : round(h * HOURS_PER_MONTH);
    };
    const share = onDemandShare(g, g.desiredSize);
    const spotNote = g.capacity === 'onDemand' ? '' : `, ${share.spot} on spot at ${Math.round(spotDiscount(a, type) * 100)}% off (assumed)`;
    items.push({
      item: `Nodes ${unit.key}: ${g.desiredSize} × ${type}${spotNote}`,
      category: 'nodes',
      quantity: g.desiredSize * HOURS_PER_MONTH,
      unit: 'instance-hour',
      unitPriceUsd: price ? price.usd : null,
      monthlyUsd: monthly(g.desiredSize),
      source: price ? price.source : `unknown: no ${type} price for ${r}`,
      range: { minUsd: monthly(g.minSize), maxUsd: monthly(g.maxSize) },
    });
    // Root volumes: GB-months, plus IOPS and throughput provisioned above gp3's free baseline.
    const v = g.volume;
    items.push(line(`Root volumes ${unit.key}: ${g.desiredSize} × ${v.sizeGiB} GiB ${v.type}`, 'volumes', g.desiredSize * v.sizeGiB, 'GB-month', ebsPrice(r, v.type, 'perGbMonth')));
    const iops = v.iops === undefined ? 0 : v.type === 'gp3' ? Math.max(0, v.iops - 3000) : v.iops;
    if (iops > 0) items.push(line(`Provisioned IOPS ${unit.key}: ${g.desiredSize} × ${iops}`, 'volumes', g.desiredSize * iops, 'IOPS-month', ebsPrice(r, v.type, 'perProvisionedIopsMonth')));
    const mibps = v.throughputMiBps === undefined ? 0 : Math.max(0, v.throughputMiBps - 125);
    if (mibps > 0) items.push(line(`Provisioned throughput ${unit.key}: ${g.desiredSize} × ${mibps} MiB/s`, 'volumes', g.desiredSize * mibps, 'MiBps-month', ebsPrice(r, 'gp3', 'perProvisionedMiBpsMonth')));
  }

  // Data volumes the platform itself claims: Prometheus and Alertmanager storage (kubernetes/addons/monitoring.ts).
  if (m.addons.monitoring && m.addons.monitoring.prometheus) {
    const type = m.addons.ebsCsi ? m.addons.ebsCsi.defaultStorageClass : 'gp3';
    items.push(line(`Monitoring volumes: Prometheus 50 GiB + Alertmanager 2 × 10 GiB ${type}`, 'volumes', 70, 'GB-month', ebsPrice(r, type, 'perGbMonth')));
  }

  // NAT gateways: hourly, and per GB processed.
  const nats = m.network.nat === 'perAz' ? m.network.zones.length : m.network.nat === 'single' ? 1 : 0;
  if (nats) {
    items.push(line(`NAT gateways: ${nats}`, 'nat', nats * HOURS_PER_MONTH, 'gateway-hour', servicePrice('natGateway', r, 'perHour')));
    items.push(line(`NAT data processed (${a.natGbPerMonth} GB assumed)`, 'nat', a.natGbPerMonth, 'GB', servicePrice('natGateway', r, 'perGbProcessed')));
  }

  // The one load balancer in front of the ingress layer (L20).
  if (m.addons.ingress) {
    const alb = m.addons.ingress.loadBalancer === 'alb';
    const table = alb ? 'applicationLoadBalancer' : 'networkLoadBalancer';
    items.push(line(`${alb ? 'Application' : 'Network'} load balancer: 1`, 'load-balancers', HOURS_PER_MONTH, 'LB-hour', servicePrice(table, r, 'perHour')));
    items.push(line(`${alb ? 'LCU' : 'NLCU'}s (${a.loadBalancerLcus} assumed)`, 'load-balancers', a.loadBalancerLcus * HOURS_PER_MONTH, `${alb ? 'LCU' : 'NLCU'}-hour`, servicePrice(table, r, alb ? 'perLcuHour' : 'perNlcuHour')));
  }

  // Interface endpoints: each is billed in every zone, and per GB.
  const iface = m.network.vpcEndpoints.filter((e) => e !== 's3');
  if (iface.length) {
    const zones = m.network.zones.length;
    items.push(line(`Interface endpoints: ${iface.length} × ${zones} zones`, 'endpoints', iface.length * zones * HOURS_PER_MONTH, 'endpoint-AZ-hour', servicePrice('interfaceEndpoint', r, 'perAzHour')));
    items.push(line(`Interface endpoint data (${a.interfaceEndpointGbPerMonth} GB assumed)`, 'endpoints', a.interfaceEndpointGbPerMonth, 'GB', servicePrice('interfaceEndpoint', r, 'perGbProcessed')));
  }

  // CloudWatch Logs: ingestion, and storage of what the retention keeps (a steady state).
  const logGb = (m.controlPlane.logging.length ? a.controlPlaneLogGbPerMonth : 0) + (m.addons.logging && m.addons.logging.fluentBit.output === 'cloudwatch' ? a.containerLogGbPerMonth : 0);
  if (logGb > 0) {
    items.push(line(`CloudWatch Logs ingestion (${logGb} GB assumed)`, 'logs', logGb, 'GB', servicePrice('cloudwatchLogs', r, 'ingestionPerGb')));
    const stored = round(logGb * (m.controlPlane.logRetentionDays / 30));
    items.push(line(`CloudWatch Logs storage (${m.controlPlane.logRetentionDays} days kept)`, 'logs', stored, 'GB-month', servicePrice('cloudwatchLogs', r, 'storagePerGbMonth')));
  }

  // Data transfer: across zones (billed on both sides) and to the internet.
  const dt = servicePrice('dataTransfer', r, 'intraRegionPerGb');
  items.push(line(`Inter-zone transfer (${a.interAzGbPerMonth} GB assumed, billed both ways)`, 'transfer', a.interAzGbPerMonth * 2, 'GB', dt && { ...dt, source: 'infracost data transfer fixtures, 2024-09-25' }));
  const egress = servicePrice('dataTransfer', r, 'internetOutPerGb_first10TB');
  items.push(line(`Internet egress (${a.internetEgressGbPerMonth} GB assumed)`, 'transfer', a.internetEgressGbPerMonth, 'GB', egress && { ...egress, source: 'infracost data transfer fixtures, 2024-09-25' }));

  const known = items.filter((i) => i.monthlyUsd !== null);
  return {
    currency: 'USD',
    region: r,
    date: today,
    monthlyUsd: round(known.reduce((s, i) => s + i.monthlyUsd!, 0)),
    partial: known.length < items.length,
    items,
    assumptions: a,
  };
}
