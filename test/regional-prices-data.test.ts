// Invariants of data/regional-service-prices.json, the hand-curated table of per-region prices for
// NAT gateways, load balancers, CloudWatch Logs, interface endpoints, the EKS control plane and
// inter-AZ transfer (provenance in data/SOURCES.md). Reads the JSON straight from disk.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Compiled to dist/test/, so the repository root is two levels up.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FILE = join(ROOT, 'data', 'regional-service-prices.json');
const BUNDLED = join(ROOT, 'data', 'service-prices.json');

interface SourceMeta {
  description: string;
  url: string;
  date: string;
}

type Entry = Record<string, unknown> & { source: string; fieldSources?: Record<string, string> };

interface MissingValue {
  service: string;
  region: string;
  field: string;
  reason: string;
}

interface RegionalFile {
  _source: string;
  sources: Record<string, SourceMeta>;
  prices: Record<string, Record<string, Entry>>;
  missing: MissingValue[];
}

const RAW = readFileSync(FILE, 'utf8');
const data = JSON.parse(RAW) as RegionalFile;
const bundled = JSON.parse(readFileSync(BUNDLED, 'utf8')) as Record<string, Record<string, Record<string, number>>>;

const TARGET_REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-1'];
// Services whose figures the planner cannot do without: every target region must be complete.
const REQUIRED_COMPLETE = ['natGateway', 'applicationLoadBalancer', 'cloudwatchLogs'];

// The price fields of each table and a ceiling no real list price comes near (USD per unit).
const FIELDS: Record<string, Record<string, number>> = {
  natGateway: { perHour: 0.2, perGbProcessed: 0.2 },
  applicationLoadBalancer: { perHour: 0.1, perLcuHour: 0.05 },
  networkLoadBalancer: { perHour: 0.1, perNlcuHour: 0.05 },
  classicLoadBalancer: { perHour: 0.1, perGb: 0.05 },
  cloudwatchLogs: { ingestionPerGb: 2, storagePerGbMonth: 0.2 },
  interfaceEndpoint: { perAzHour: 0.05, perGbProcessed: 0.05 },
  eksControlPlane: { standardSupportPerHour: 1, extendedSupportPerHour: 2 },
  interAzTransfer: { perGbEachDirection: 0.05 },
};

// Field names here -> field names in the bundled service-prices.json, for the us-east-1 cross-check.
const BUNDLED_FIELD: Record<string, Record<string, string>> = {
  natGateway: { perHour: 'perHour', perGbProcessed: 'perGbProcessed' },
  applicationLoadBalancer: { perHour: 'perHour', perLcuHour: 'perLcuHour' },
  networkLoadBalancer: { perHour: 'perHour', perNlcuHour: 'perNlcuHour' },
  classicLoadBalancer: { perHour: 'perHour', perGb: 'perGbProcessed' },
  cloudwatchLogs: { ingestionPerGb: 'ingestionPerGb', storagePerGbMonth: 'storagePerGbMonth' },
  eksControlPlane: { standardSupportPerHour: 'standardSupportPerHour', extendedSupportPerHour: 'extendedSupportPerHour' },
};

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;
const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

function isMissing(service: string, region: string, field: string): boolean {
  return data.missing.some((m) => m.service === service && m.region === region && m.field === field);
}

test('regional prices: file is 1-space indented JSON with sorted keys and a trailing newline', () => {
  assert.equal(RAW, `${JSON.stringify(sortKeys(data), null, 1)}\n`);
  assert.ok(data._source.includes('data/SOURCES.md'), '_source points to data/SOURCES.md');
  assert.deepEqual(Object.keys(data.prices).sort(), Object.keys(FIELDS).sort(), 'exactly the known tables');
});

test('regional prices: every source has a description, an https url and an ISO date, and is used', () => {
  const used = new Set<string>();
  for (const table of Object.values(data.prices)) {
    for (const entry of Object.values(table)) {
      used.add(entry.source);
      for (const key of Object.values(entry.fieldSources ?? {})) used.add(key);
    }
  }
  for (const [key, meta] of Object.entries(data.sources)) {
    assert.ok(meta.description.trim().length > 20, `${key}: description`);
    assert.ok(new URL(meta.url).protocol === 'https:', `${key}: https url (${meta.url})`);
    assert.match(meta.date, ISO_DAY, `${key}: ISO date`);
    assert.ok(!Number.isNaN(Date.parse(`${meta.date}T00:00:00Z`)), `${key}: valid date ${meta.date}`);
    assert.ok(used.has(key), `${key}: described but never used`);
  }
});

test('regional prices: every entry names known sources and holds positive prices below sane ceilings', () => {
  for (const [table, byRegion] of Object.entries(data.prices)) {
    const fields = FIELDS[table];
    assert.ok(fields, `known table ${table}`);
    for (const [region, entry] of Object.entries(byRegion)) {
      const where = `${table}.${region}`;
      assert.match(region, REGION, `${where}: region code`);
      assert.ok(data.sources[entry.source], `${where}: source ${entry.source} is listed in sources`);
      for (const [field, key] of Object.entries(entry.fieldSources ?? {})) {
        assert.ok(field in fields, `${where}: fieldSources names a price field (${field})`);
        assert.ok(field in entry, `${where}: fieldSources.${field} refers to a value that is present`);
        assert.ok(data.sources[key], `${where}: fieldSources.${field} = ${key} is listed in sources`);
      }
      let prices = 0;
      for (const [field, value] of Object.entries(entry)) {
        if (field === 'source' || field === 'fieldSources') continue;
        const ceiling = fields[field];
        assert.ok(ceiling !== undefined, `${where}: unexpected field ${field}`);
        assert.equal(typeof value, 'number', `${where}.${field} is a number`);
        const n = value as number;
        assert.ok(Number.isFinite(n) && n > 0, `${where}.${field} = ${n} is positive`);
        assert.ok(n < ceiling, `${where}.${field} = ${n} is below ${ceiling}`);
        prices += 1;
      }
      assert.ok(prices > 0, `${where}: holds at least one price`);
    }
  }
});

test('regional prices: NAT, ALB and CloudWatch Logs are complete in the five target regions', () => {
  for (const table of REQUIRED_COMPLETE) {
    const byRegion = data.prices[table] ?? {};
    for (const region of TARGET_REGIONS) {
      const entry = byRegion[region];
      assert.ok(entry, `${table} covers ${region}`);
      for (const field of Object.keys(FIELDS[table] ?? {})) {
        assert.equal(typeof entry[field], 'number', `${table}.${region}.${field} is present`);
        assert.ok(!isMissing(table, region, field), `${table}.${region}.${field} is not listed as missing`);
      }
    }
  }
});

test('regional prices: every other gap in the target regions is listed in missing, with a reason', () => {
  const keyOf = (m: MissingValue): string => `${m.service}/${m.region}/${m.field}`;
  const seen = new Set<string>();
  for (const m of data.missing) {
    const key = keyOf(m);
    assert.ok(!seen.has(key), `missing lists ${key} once`);
    seen.add(key);
    assert.ok(FIELDS[m.service]?.[m.field] !== undefined, `${key}: a known table and field`);
    assert.ok(!REQUIRED_COMPLETE.includes(m.service), `${key}: ${m.service} must not have gaps`);
    assert.ok(m.reason.trim().length > 20, `${key}: reason given`);
    const entry = data.prices[m.service]?.[m.region];
    assert.ok(entry === undefined || !(m.field in entry), `${key}: listed as missing but a value is present`);
  }
  for (const table of Object.keys(FIELDS)) {
    if (table === 'interAzTransfer') continue; // the bundled dataTransfer table covers it, see below
    for (const region of TARGET_REGIONS) {
      for (const field of Object.keys(FIELDS[table] ?? {})) {
        const entry = data.prices[table]?.[region];
        const present = entry !== undefined && typeof entry[field] === 'number';
        assert.ok(present || isMissing(table, region, field), `${table}.${region}.${field}: a value or a missing entry`);
      }
    }
  }
});

test('regional prices: extended support costs more than standard support, and EKS is one price everywhere', () => {
  const eks = Object.entries(data.prices['eksControlPlane'] ?? {});
  assert.ok(eks.length >= TARGET_REGIONS.length, 'EKS covers the target regions');
  for (const [region, entry] of eks) {
    const std = entry['standardSupportPerHour'] as number;
    const ext = entry['extendedSupportPerHour'] as number;
    assert.ok(ext > std, `${region}: extended ${ext} > standard ${std}`);
  }
  // Every source read so far gives the same figures in every commercial region; a regional
  // difference appearing here should be a deliberate, sourced change.
  const distinct = new Set(eks.map(([, e]) => `${e['standardSupportPerHour']}/${e['extendedSupportPerHour']}`));
  assert.equal(distinct.size, 1, `one EKS price across regions, got ${[...distinct].join(', ')}`);
});

test('regional prices: us-east-1 agrees with the bundled data/service-prices.json', () => {
  let compared = 0;
  for (const [table, mapping] of Object.entries(BUNDLED_FIELD)) {
    const mine = data.prices[table]?.['us-east-1'];
    const theirs = bundled[table]?.['us-east-1'];
    if (!mine || !theirs) continue;
    for (const [field, bundledField] of Object.entries(mapping)) {
      const a = mine[field];
      const b = theirs[bundledField];
      if (typeof a !== 'number' || typeof b !== 'number') continue;
      assert.ok(Math.abs(a - b) < 1e-9, `${table}.us-east-1.${field}: ${a} here, ${b} in service-prices.json`);
      compared += 1;
    }
  }
  assert.ok(compared >= 10, `compared ${compared} us-east-1 figures`);
});

test('regional prices: inter-AZ transfer is known in every target region and agrees with the bundled table', () => {
  const dataTransfer = bundled['dataTransfer'] ?? {};
  for (const region of TARGET_REGIONS) {
    const mine = data.prices['interAzTransfer']?.[region]?.['perGbEachDirection'];
    const theirs = dataTransfer[region]?.['intraRegionPerGb'];
    assert.ok(typeof mine === 'number' || typeof theirs === 'number', `${region}: inter-AZ price known`);
    if (typeof mine === 'number' && typeof theirs === 'number') {
      assert.ok(Math.abs(mine - theirs) < 1e-9, `${region}: ${mine} here, ${theirs} in service-prices.json`);
    }
  }
});
