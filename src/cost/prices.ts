// Prices with their provenance. Every lookup returns the figure and where it came from (source and
// date), or undefined: a missing price is reported as unknown, never taken as zero. Curated
// regional figures (data/regional-service-prices.json) come first, then the bundled tables.
import { existsSync, readFileSync } from 'node:fs';
import { DATA_DIR, ec2Prices, servicePrices } from '../facts/index.js';

export interface Price {
  usd: number;
  /** Where the figure comes from, with its date: "AWS price list feed, 2025-04-04". */
  source: string;
}

interface Curated {
  sources: Record<string, { description: string; url: string; date: string }>;
  prices: Record<string, Record<string, Record<string, number | string | Record<string, string>>>>;
}

let curated: Curated | null | undefined;
function curatedPrices(): Curated | null {
  if (curated === undefined) {
    const file = `${DATA_DIR}regional-service-prices.json`;
    curated = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Curated) : null;
  }
  return curated;
}

const BUNDLED_SOURCE: Record<string, string> = {
  natGateway: 'infracost pricing fixtures (us-east-1), 2024-07-01',
  applicationLoadBalancer: 'infracost pricing fixtures (us-east-1), 2024-07-01',
  networkLoadBalancer: 'infracost pricing fixtures (us-east-1), 2024-07-01',
  classicLoadBalancer: 'infracost pricing fixtures (us-east-1), 2024-07-01',
  cloudwatchLogs: 'infracost pricing fixtures (us-east-1), 2024-07-01',
  eksControlPlane: 'infracost pricing fixtures (us-east-1), 2025-07-07',
};

/** A service price field for a region: curated first, then the bundled us-east-1-only tables. */
export function servicePrice(table: string, region: string, field: string): Price | undefined {
  const c = curatedPrices();
  const entry = c?.prices[table]?.[region];
  if (entry && typeof entry[field] === 'number') {
    // One field may come from another source than the rest of its entry.
    const key = (entry.fieldSources as unknown as Record<string, string> | undefined)?.[field] ?? String(entry.source);
    const src = c!.sources[key];
    // The key and date; the full provenance of each key is in data/SOURCES.md.
    return { usd: entry[field] as number, source: src ? `${key}, ${src.date}` : key };
  }
  const bundled = (servicePrices() as unknown as Record<string, Record<string, Record<string, number>>>)[table]?.[region];
  if (bundled && typeof bundled[field] === 'number') return { usd: bundled[field]!, source: BUNDLED_SOURCE[table] ?? 'bundled price table' };
  return undefined;
}

/**
 * The EKS control-plane rate for a region, standard or extended support. EKS charges the same in
 * every commercial region, so a region without its own figure takes us-east-1's, and says so.
 */
export function eksControlPlanePrice(region: string, extended: boolean): Price | undefined {
  const field = extended ? 'extendedSupportPerHour' : 'standardSupportPerHour';
  const own = servicePrice('eksControlPlane', region, field);
  if (own) return own;
  const ref = servicePrice('eksControlPlane', 'us-east-1', field);
  return ref && { ...ref, source: `${ref.source} (us-east-1; the same in every commercial region)` };
}

/** An EBS price (per GB-month, per provisioned IOPS-month, per MiB/s-month) for a volume type. */
export function ebsPrice(region: string, type: string, field: 'perGbMonth' | 'perProvisionedIopsMonth' | 'perProvisionedMiBpsMonth'): Price | undefined {
  const table = (servicePrices() as unknown as { ebs: Record<string, Record<string, Record<string, number>>> }).ebs;
  const v = table?.[region]?.[type]?.[field];
  return typeof v === 'number' ? { usd: v, source: 'AWS EBS pricing feed, 2024-07-18' } : undefined;
}

/** The on-demand hourly price of an instance type in a region. */
export function instancePrice(region: string, instanceType: string): Price | undefined {
  const p = ec2Prices(region);
  const e = p?.prices[instanceType];
  if (!e) return undefined;
  // Source keys name the feed and its date (aws-pricing-feed-2025-04-04); descriptions are in data/SOURCES.md.
  return { usd: e.usd, source: `EC2 ${e.source}` };
}
