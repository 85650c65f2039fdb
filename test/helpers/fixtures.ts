// Per-rule fixtures: test/fixtures/rules/<group>.yaml hold small changes to one clean production
// spec (BASE_DOCUMENT below); each case states whether its rule must fire on the result.
// This file loads and checks the fixture files, builds each case's spec and plans it.
//
// Fixture format, one file per rule group:
//
//   cases:
//     - rule: network/single-nat             # an id in RULES
//       name: fire-single-nat-three-zones    # fire-* or dont-fire-*: the prefix states the expectation
//       path: spec.network.nat               # fire only, optional: a finding of the rule has this exact path
//       severity: warning                    # fire only, optional: ...and this severity
//       date: "2026-11-22"                   # optional planning date (default DEFAULT_DATE)
//       metadata: { environment: qa }        # optional, deep-merged over the base metadata
//       spec:                                # optional, deep-merged over the base spec
//         network: { nat: single }
//       todo: "why it fails today"           # optional: a known rule bug; the test runs but is reported as todo
//
// Deep merge: maps merge key by key, lists and scalars replace whole, and a null value deletes the key
// (so the resolver's default applies).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { formatIssue, SpecError } from '../../src/errors.js';
import { plan, type PlanResult } from '../../src/plan.js';
import { type Finding, SEVERITIES, type Severity } from '../../src/rules/types.js';

/** The repository root (this file runs from dist/test/helpers/). */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const FIXTURE_DIR = join(ROOT, 'test', 'fixtures', 'rules');
export const DEFAULT_DATE = '2026-11-22';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonMap = { [k: string]: Json };

/**
 * A clean production cluster: three zones, private nodes behind a NAT gateway per zone, SSM access,
 * registry endpoints, a restricted API endpoint, declared on-demand system and app groups.
 * It raises no error and no warning (rules.test.ts checks that), so every fire case proves that its
 * own change triggers the rule.
 */
export const BASE_DOCUMENT: Readonly<JsonMap> = deepFreeze({
  apiVersion: 'kuberator.dev/v1alpha1',
  kind: 'Cluster',
  metadata: { name: 'fixture', environment: 'prod' },
  spec: {
    region: 'us-east-1',
    kubernetesVersion: '1.35',
    network: {
      availabilityZones: 3,
      topology: 'private',
      nat: 'perAz',
      access: 'ssm',
      vpcEndpoints: ['s3', 'ecr.api', 'ecr.dkr', 'sts'],
    },
    controlPlane: {
      endpoint: { publicCidrs: ['203.0.113.0/24'] },
    },
    nodeGroups: [
      { name: 'system', role: 'system', instanceTypes: ['m6i.large'], capacity: 'onDemand', minSize: 2, maxSize: 4 },
      { name: 'apps', role: 'app', instanceTypes: ['m6i.xlarge'], capacity: 'onDemand', minSize: 2, maxSize: 10 },
    ],
  },
});

export interface RuleCase {
  /** The fixture file, relative to the repository root. */
  file: string;
  /** The file's group (its base name). */
  group: string;
  /** Position in the file's case list. */
  index: number;
  rule: string;
  name: string;
  expect: 'fire' | 'dont-fire';
  path?: string;
  severity?: Severity;
  date: string;
  metadata?: JsonMap;
  spec?: JsonMap;
  todo?: string;
  /** Manifest text the case's spec.workloads.manifests point at (as `manifests.yaml`). */
  manifests?: string;
  /** `<rule> <name>`: the test name. */
  title: string;
}

const CASE_KEYS = new Set(['rule', 'name', 'path', 'severity', 'date', 'metadata', 'spec', 'todo', 'manifests']);
const NAME = /^(fire|dont-fire)-[a-z0-9]+(-[a-z0-9]+)*$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function isMap(v: unknown): v is JsonMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null) {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

/** `over` merged into a copy of `base`: maps merge, lists and scalars replace, null deletes. */
export function deepMerge(base: Readonly<JsonMap>, over: Readonly<JsonMap>): JsonMap {
  const out: JsonMap = structuredClone(base) as JsonMap;
  for (const [k, v] of Object.entries(over)) {
    if (v === null) delete out[k];
    else if (isMap(v) && isMap(out[k])) out[k] = deepMerge(out[k] as JsonMap, v);
    else out[k] = isMap(v) ? deepMerge({}, v) : (structuredClone(v) as Json);
  }
  return out;
}

/** Reads and checks one fixture file; throws with the file and case position on any format problem. */
export function loadFixtureFile(fileName: string): RuleCase[] {
  const rel = `test/fixtures/rules/${fileName}`;
  const group = fileName.replace(/\.yaml$/, '');
  const fail = (where: string, message: string): never => {
    throw new Error(`${rel}: ${where}: ${message}`);
  };
  let doc: unknown;
  try {
    doc = parse(readFileSync(join(FIXTURE_DIR, fileName), 'utf8'), { uniqueKeys: true });
  } catch (e) {
    return fail('(yaml)', (e as Error).message);
  }
  if (!isMap(doc) || !Array.isArray(doc.cases)) return fail('(document)', 'expected a mapping with a `cases` list');
  const extra = Object.keys(doc).filter((k) => k !== 'cases');
  if (extra.length) fail('(document)', `unknown top-level key(s) ${extra.join(', ')}`);

  return doc.cases.map((raw, index): RuleCase => {
    const where = `cases[${index}]`;
    if (!isMap(raw)) return fail(where, 'expected a mapping');
    for (const k of Object.keys(raw)) if (!CASE_KEYS.has(k)) fail(where, `unknown key '${k}' (allowed: ${[...CASE_KEYS].join(', ')})`);
    const { rule, name, path, severity, date, metadata, spec, todo, manifests } = raw;
    if (manifests !== undefined && typeof manifests !== 'string') fail(where, '`manifests` must be a string of YAML');
    if (typeof rule !== 'string' || rule === '') fail(where, '`rule` must be a rule id');
    if (typeof name !== 'string' || !NAME.test(name)) fail(where, '`name` must be fire-<kebab> or dont-fire-<kebab>');
    const expect = (name as string).startsWith('dont-fire-') ? 'dont-fire' : 'fire';
    if (path !== undefined && typeof path !== 'string') fail(where, '`path` must be a string');
    if (severity !== undefined && !SEVERITIES.includes(severity as Severity)) fail(where, `\`severity\` must be one of ${SEVERITIES.join(', ')}`);
    if (expect === 'dont-fire' && (path !== undefined || severity !== undefined)) fail(where, 'a dont-fire case asserts that no finding of its rule exists; `path` and `severity` apply only to fire cases');
    if (date !== undefined && (typeof date !== 'string' || !DATE.test(date))) fail(where, '`date` must be a quoted "YYYY-MM-DD" string');
    if (metadata !== undefined && !isMap(metadata)) fail(where, '`metadata` must be a mapping');
    if (spec !== undefined && !isMap(spec)) fail(where, '`spec` must be a mapping');
    if (todo !== undefined && (typeof todo !== 'string' || todo === '')) fail(where, '`todo` must be a non-empty reason');
    return {
      file: rel,
      group,
      index,
      rule: rule as string,
      name: name as string,
      expect,
      ...(path !== undefined ? { path: path as string } : {}),
      ...(severity !== undefined ? { severity: severity as Severity } : {}),
      date: (date as string | undefined) ?? DEFAULT_DATE,
      ...(metadata !== undefined ? { metadata: metadata as JsonMap } : {}),
      ...(spec !== undefined ? { spec: spec as JsonMap } : {}),
      ...(todo !== undefined ? { todo: todo as string } : {}),
      ...(manifests !== undefined ? { manifests: manifests as string } : {}),
      title: `${rule as string} ${name as string}`,
    };
  });
}

/** The fixture file names (`<group>.yaml`), sorted. */
export function fixtureFiles(): string[] {
  return readdirSync(FIXTURE_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort();
}

/** Every case of every fixture file, in file order. */
export const CASES: readonly RuleCase[] = fixtureFiles().flatMap(loadFixtureFile);

/** The full spec document of a case: the base with its metadata and spec changes merged in. */
export function caseDocument(c: Pick<RuleCase, 'metadata' | 'spec'>): JsonMap {
  return deepMerge(BASE_DOCUMENT, { metadata: c.metadata ?? {}, spec: c.spec ?? {} });
}

/** The YAML text a case plans. */
export function caseText(c: Pick<RuleCase, 'metadata' | 'spec'>): string {
  return stringify(caseDocument(c));
}

/** Plans a spec document; an invalid spec fails the calling test with every SpecError issue. */
export function planDocument(doc: JsonMap, file: string, today: string = DEFAULT_DATE, manifests?: string): PlanResult {
  const text = stringify(doc);
  try {
    return plan(text, file, { today, ...(manifests !== undefined ? { readManifests: (paths: string[]) => paths.map((f) => ({ file: f, text: manifests })) } : {}) });
  } catch (e) {
    if (e instanceof SpecError) {
      assert.fail(`${file}: the spec is invalid:\n${e.issues.map((i) => `  ${formatIssue(file, i)}`).join('\n')}\n--- spec ---\n${text}`);
    }
    throw e;
  }
}

/** Plans a case (file name `<case name>.yaml`, its date). */
export function runCase(c: RuleCase): PlanResult {
  const doc = c.manifests !== undefined ? deepMerge(caseDocument(c), { spec: { workloads: { manifests: ['manifests.yaml'] } } }) : caseDocument(c);
  return planDocument(doc, `${c.name}.yaml`, c.date, c.manifests);
}

/** The findings of one rule. */
export function findingsOf(result: PlanResult, rule: string): Finding[] {
  return result.findings.filter((f) => f.rule === rule);
}

/** Findings as readable lines for assertion messages. */
export function describeFindings(findings: readonly Finding[]): string {
  return findings.length ? findings.map((f) => `  ${f.severity} ${f.rule} at ${f.path}: ${f.message}`).join('\n') : '  (none)';
}
