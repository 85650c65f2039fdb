// Invariants of data/helm-charts.json, the hand-curated table of Helm chart versions pinned per
// Kubernetes minor (provenance in data/SOURCES.md). Reads the JSON straight from disk.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Compiled to dist/test/, so the repository root is two levels up.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FILE = join(ROOT, 'data', 'helm-charts.json');

interface ChartVersion {
  version: string;
  appVersion: string | null;
  kubeVersion: string | null;
  source: string;
  note?: string;
}

interface ChartEntry {
  repository: { name: string; url: string };
  chart: string;
  versions: ChartVersion[];
  pin: Record<string, string>;
  notes?: string;
  tracksKubernetesMinor?: boolean;
}

interface ChartsFile {
  _source: string;
  charts: Record<string, ChartEntry>;
  clusterAutoscalerImage: Record<string, { tag: string; source: string; note?: string }>;
}

const RAW = readFileSync(FILE, 'utf8');
const data = JSON.parse(RAW) as ChartsFile;

const PIN_MINORS = ['1.30', '1.31', '1.32', '1.33', '1.34', '1.35', '1.36'];
const IMAGE_MINORS = ['1.28', '1.29', ...PIN_MINORS];
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const COMMIT_SOURCE = /^[\w.-]+\/[\w.-]+@[0-9a-f]{40} \S+$/;
const CHART_VERSION = /^\d+\.\d+\.\d+$/;

// ---------------------------------------------------------------------------------------------
// A small semver range check for the kubeVersion forms charts use. It follows the rules of the
// Masterminds semver library that Helm uses, including the one that matters on EKS: the server
// reports versions such as v1.31.2-eks-7f9249a, which carry a pre-release, and a comparator only
// accepts a pre-release version when its own version has a pre-release too (hence the `-0`
// suffix charts write). Anything the parser does not understand throws.

interface SemVer {
  major: number;
  minor: number;
  patch: number;
  pre: string[];
}

const VERSION = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

function parseVersion(text: string): SemVer {
  const m = VERSION.exec(text);
  if (!m) throw new Error(`cannot parse version "${text}"`);
  return { major: Number(m[1]), minor: Number(m[2] ?? 0), patch: Number(m[3] ?? 0), pre: m[4] ? m[4].split('.') : [] };
}

function comparePre(a: string[], b: string[]): number {
  if (a.length === 0 || b.length === 0) return a.length === b.length ? 0 : a.length === 0 ? 1 : -1;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const xn = /^\d+$/.test(x);
    const yn = /^\d+$/.test(y);
    if (xn && yn) {
      if (Number(x) !== Number(y)) return Number(x) < Number(y) ? -1 : 1;
    } else if (xn !== yn) {
      return xn ? -1 : 1; // numeric identifiers sort before alphanumeric ones
    } else if (x !== y) {
      return x < y ? -1 : 1;
    }
  }
  return 0;
}

function compare(a: SemVer, b: SemVer): number {
  for (const k of ['major', 'minor', 'patch'] as const) {
    if (a[k] !== b[k]) return a[k] < b[k] ? -1 : 1;
  }
  return comparePre(a.pre, b.pre);
}

const COMPARATOR = /^(>=|<=|!=|=|>|<|\^|~)?\s*(v?\d[0-9A-Za-z.-]*)$/;

function satisfiesComparator(v: SemVer, op: string, c: SemVer): boolean {
  if (v.pre.length > 0 && c.pre.length === 0) return false;
  const cmp = compare(v, c);
  switch (op) {
    case '':
    case '=':
      return cmp === 0;
    case '!=':
      return cmp !== 0;
    case '>':
      return cmp > 0;
    case '>=':
      return cmp >= 0;
    case '<':
      return cmp < 0;
    case '<=':
      return cmp <= 0;
    case '^':
      return cmp >= 0 && (c.major > 0 ? v.major === c.major : v.major === 0 && v.minor === c.minor);
    case '~':
      return cmp >= 0 && v.major === c.major && v.minor === c.minor;
    default:
      throw new Error(`unknown operator ${op}`);
  }
}

/** Does `version` satisfy the range `range`? Throws on forms it cannot parse. */
function satisfies(version: string, range: string): boolean {
  const v = parseVersion(version);
  // Parse the whole range before evaluating any of it, so a malformed part always throws.
  const alternatives = range.split('||').map((alt) => {
    const trimmed = alt.trim();
    if (trimmed === '') throw new Error(`empty alternative in "${range}"`);
    // Join an operator to the version that follows it (">= 1.20.0-0" is one comparator).
    const tokens = trimmed.replace(/(>=|<=|!=|=|>|<|\^|~)\s+/g, '$1').split(/[\s,]+/).filter(Boolean);
    return tokens.map((token) => {
      const m = COMPARATOR.exec(token);
      if (!m) throw new Error(`cannot parse comparator "${token}" in "${range}"`);
      return { op: m[1] ?? '', version: parseVersion(m[2]!) };
    });
  });
  return alternatives.some((comparators) => comparators.every((c) => satisfiesComparator(v, c.op, c.version)));
}

/** The kubeVersion constraint admits every EKS patch of the minor (checked at .0 and a late patch). */
function admitsMinor(range: string, minor: string): boolean {
  return satisfies(`v${minor}.0-eks-0a1b2c3`, range) && satisfies(`v${minor}.99-eks-0a1b2c3`, range);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    return Object.fromEntries(Object.keys(obj).sort().map((k) => [k, sortKeys(obj[k])]));
  }
  return value;
}

const entries = Object.entries(data.charts);

// ---------------------------------------------------------------------------------------------

test('the range check handles the constraint forms charts use', () => {
  assert.equal(satisfies('v1.31.2-eks-7f9249a', '>=1.21.0-0'), true);
  assert.equal(satisfies('v1.31.2-eks-7f9249a', '>= 1.19.0-0'), true);
  assert.equal(satisfies('v1.31.2-eks-7f9249a', '>= 1.16-0'), true);
  assert.equal(satisfies('v1.35.9-eks-7f9249a', '>= 1.20.0-0 < 1.36.0-0'), true);
  assert.equal(satisfies('v1.36.0-eks-7f9249a', '>= 1.20.0-0 < 1.36.0-0'), false);
  assert.equal(satisfies('v1.19.0-eks-7f9249a', '>= 1.20.0-0 < 1.36.0-0'), false);
  assert.equal(satisfies('v1.34.1-eks-7f9249a', '^1.19.0-0'), true);
  assert.equal(satisfies('v2.0.0-eks-7f9249a', '^1.19.0-0'), false);
  assert.equal(satisfies('v1.30.4-eks-7f9249a', '~1.30.0-0'), true);
  assert.equal(satisfies('v1.31.0-eks-7f9249a', '~1.30.0-0'), false);
  assert.equal(satisfies('v1.30.4-eks-7f9249a', '<1.25.0-0 || >=1.30.0-0'), true);
  // Without the -0 suffix an EKS version (which carries a pre-release) is not admitted, as in Helm.
  assert.equal(satisfies('v1.31.2-eks-7f9249a', '>=1.21.0'), false);
  assert.equal(satisfies('1.31.2', '>=1.21.0'), true);
  assert.throws(() => satisfies('1.31.0', '>=1.21.x'));
  assert.throws(() => satisfies('1.31.0', '1.20 - 1.30'));
  assert.throws(() => satisfies('1.31.0', 'anything'));
});

test('the file is sorted, 1-space indented and ends with a newline', () => {
  assert.equal(RAW, JSON.stringify(sortKeys(data), null, 1) + '\n');
  assert.ok(data._source.includes('SOURCES.md'), '_source points at the provenance');
  assert.ok(entries.length >= 10, `expected the add-on charts, got ${entries.length}`);
});

test('every chart names an https repository with a DNS-label name', () => {
  const urlByName = new Map<string, string>();
  const nameByUrl = new Map<string, string>();
  for (const [key, c] of entries) {
    assert.match(key, DNS_LABEL, `chart key ${key}`);
    assert.match(c.repository.name, DNS_LABEL, `${key} repository name`);
    const url = new URL(c.repository.url);
    assert.equal(url.protocol, 'https:', `${key} repository url ${c.repository.url}`);
    assert.match(c.chart, DNS_LABEL, `${key} chart name`);
    // One Flux HelmRepository per URL: a name must always mean the same URL and vice versa.
    assert.equal(urlByName.get(c.repository.name) ?? c.repository.url, c.repository.url, `${key}: repository ${c.repository.name}`);
    assert.equal(nameByUrl.get(c.repository.url) ?? c.repository.name, c.repository.name, `${key}: url ${c.repository.url}`);
    urlByName.set(c.repository.name, c.repository.url);
    nameByUrl.set(c.repository.url, c.repository.name);
  }
});

test('every chart lists confirmed versions, newest first, each with a source', () => {
  for (const [key, c] of entries) {
    assert.ok(c.versions.length > 0, `${key} has versions`);
    const seen = new Set<string>();
    for (const v of c.versions) {
      assert.match(v.version, CHART_VERSION, `${key} version ${v.version}`);
      assert.ok(!seen.has(v.version), `${key} lists ${v.version} once`);
      seen.add(v.version);
      assert.ok(v.appVersion === null || (typeof v.appVersion === 'string' && v.appVersion.length > 0), `${key} ${v.version} appVersion`);
      assert.ok(v.kubeVersion === null || typeof v.kubeVersion === 'string', `${key} ${v.version} kubeVersion`);
      assert.match(v.source, COMMIT_SOURCE, `${key} ${v.version} source is repo@commit path`);
    }
    const sorted = [...c.versions].sort((a, b) => compare(parseVersion(b.version), parseVersion(a.version)));
    assert.deepEqual(c.versions.map((v) => v.version), sorted.map((v) => v.version), `${key} versions newest first`);
  }
});

test('every chart pins a listed version for each minor 1.30-1.36, admitted by its kubeVersion', () => {
  for (const [key, c] of entries) {
    assert.deepEqual(Object.keys(c.pin).sort(), PIN_MINORS, `${key} pins exactly ${PIN_MINORS.join(', ')}`);
    for (const minor of PIN_MINORS) {
      const pinned = c.versions.find((v) => v.version === c.pin[minor]);
      assert.ok(pinned, `${key} ${minor} pins ${c.pin[minor]}, which is listed`);
      if (pinned.kubeVersion !== null) {
        assert.ok(admitsMinor(pinned.kubeVersion, minor), `${key} ${pinned.version} (${pinned.kubeVersion}) admits ${minor}`);
      }
    }
  }
});

test('pins take the newest admitted version, or the release line of the minor where the chart tracks it', () => {
  for (const [key, c] of entries) {
    for (const minor of PIN_MINORS) {
      const admitted = c.versions.filter((v) => v.kubeVersion === null || admitsMinor(v.kubeVersion, minor));
      if (c.tracksKubernetesMinor) {
        // Chart 0.N.x goes with Kubernetes 1.N; without a release for the minor, the newest older line.
        const n = Number(minor.split('.')[1]);
        const line = admitted.filter((v) => parseVersion(v.version).minor <= n);
        assert.ok(line.length > 0, `${key} has a release line at or below ${minor}`);
        assert.equal(c.pin[minor], line[0]!.version, `${key} ${minor}`);
      } else {
        assert.equal(c.pin[minor], admitted[0]?.version, `${key} ${minor} pins the newest admitted version`);
      }
    }
  }
});

test('cluster-autoscaler image tags match the minor of their key', () => {
  const images = data.clusterAutoscalerImage;
  assert.deepEqual(Object.keys(images).sort(), IMAGE_MINORS);
  for (const [minor, image] of Object.entries(images)) {
    const m = /^v1\.(\d+)\.(\d+)$/.exec(image.tag);
    assert.ok(m, `${minor}: tag ${image.tag} is vMAJOR.MINOR.PATCH`);
    assert.equal(`1.${m[1]}`, minor, `${minor}: image minor equals the cluster minor`);
    assert.ok(image.source.length > 0, `${minor} has a source`);
  }
  assert.ok(data.charts['cluster-autoscaler'], 'the cluster-autoscaler chart is listed');
});
