// Per-rule fixtures for audit (workload) rules: test/fixtures/audit/<group>.yaml. Each case is a
// small, self-contained manifest stream and whether its rule must fire on it.
//
//   cases:
//     - rule: workload/cpu-requests                # an id in RULES
//       name: fire-container-without-cpu-request   # fire-* or dont-fire-*
//       object: Deployment/shop/web                # fire only, optional: a finding on this object (Kind/namespace/name, Kind/name when cluster-scoped)
//       path: spec.template.spec.containers[0].resources   # fire only, optional: ...at this path
//       severity: warning                          # fire only, optional: ...with this severity
//       line: 12                                   # fire only, optional: ...located at this line of `manifests`
//       kubernetesVersion: "1.25"                  # optional target version (default DEFAULT_VERSION)
//       config: { thresholds: { minReplicas: 3 } } # optional, a .kuberator.yaml as a mapping
//       cluster: examples/production.yaml          # optional, a cluster spec (as `audit --spec`)
//       manifests: |                               # the input, multi-document YAML
//         apiVersion: apps/v1
//         ...
//       todo: "why it fails today"                 # optional
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { auditManifests, parseAuditConfig } from '../../src/audit/index.js';
import type { AuditResult } from '../../src/audit/engine.js';
import { plan } from '../../src/plan.js';
import { type Finding, SEVERITIES, type Severity } from '../../src/rules/types.js';
import { DEFAULT_DATE, ROOT } from './fixtures.js';

export const AUDIT_FIXTURE_DIR = join(ROOT, 'test', 'fixtures', 'audit');
export const DEFAULT_VERSION = '1.33';

export interface AuditCase {
  file: string;
  group: string;
  index: number;
  rule: string;
  name: string;
  expect: 'fire' | 'dont-fire';
  object?: string;
  path?: string;
  severity?: Severity;
  line?: number;
  kubernetesVersion: string;
  config?: Record<string, unknown>;
  cluster?: string;
  manifests: string;
  todo?: string;
  title: string;
}

const KEYS = new Set(['rule', 'name', 'object', 'path', 'severity', 'line', 'kubernetesVersion', 'config', 'cluster', 'manifests', 'todo']);
const NAME = /^(fire|dont-fire)-[a-z0-9]+(-[a-z0-9]+)*$/;

export function loadAuditFixtureFile(fileName: string): AuditCase[] {
  const rel = `test/fixtures/audit/${fileName}`;
  const fail = (where: string, message: string): never => {
    throw new Error(`${rel}: ${where}: ${message}`);
  };
  const doc = parse(readFileSync(join(AUDIT_FIXTURE_DIR, fileName), 'utf8'), { uniqueKeys: true }) as { cases?: unknown[] } | null;
  if (!doc || !Array.isArray(doc.cases)) return fail('(document)', 'expected a mapping with a `cases` list');
  return doc.cases.map((raw, index) => {
    const where = `cases[${index}]`;
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return fail(where, 'expected a mapping');
    const c = raw as Record<string, unknown>;
    for (const k of Object.keys(c)) if (!KEYS.has(k)) fail(where, `unknown key '${k}' (allowed: ${[...KEYS].join(', ')})`);
    if (typeof c.rule !== 'string') fail(where, '`rule` must be a rule id');
    if (typeof c.name !== 'string' || !NAME.test(c.name)) fail(where, '`name` must be fire-<kebab> or dont-fire-<kebab>');
    if (typeof c.manifests !== 'string') fail(where, '`manifests` must be a YAML string');
    const expect = (c.name as string).startsWith('dont-fire-') ? 'dont-fire' : 'fire';
    if (c.severity !== undefined && !SEVERITIES.includes(c.severity as Severity)) fail(where, '`severity` must be error, warning or info');
    if (expect === 'dont-fire' && (c.path !== undefined || c.severity !== undefined || c.object !== undefined || c.line !== undefined)) fail(where, 'object/path/severity/line apply only to fire cases');
    if (c.kubernetesVersion !== undefined && typeof c.kubernetesVersion !== 'string') fail(where, '`kubernetesVersion` must be a quoted string');
    if (c.config !== undefined && (typeof c.config !== 'object' || c.config === null)) fail(where, '`config` must be a mapping');
    return {
      file: rel,
      group: fileName.replace(/\.yaml$/, ''),
      index,
      rule: c.rule as string,
      name: c.name as string,
      expect,
      ...(c.object !== undefined ? { object: String(c.object) } : {}),
      ...(c.path !== undefined ? { path: String(c.path) } : {}),
      ...(c.severity !== undefined ? { severity: c.severity as Severity } : {}),
      ...(c.line !== undefined ? { line: Number(c.line) } : {}),
      kubernetesVersion: (c.kubernetesVersion as string | undefined) ?? DEFAULT_VERSION,
      ...(c.config !== undefined ? { config: c.config as Record<string, unknown> } : {}),
      ...(c.cluster !== undefined ? { cluster: String(c.cluster) } : {}),
      manifests: c.manifests as string,
      ...(c.todo !== undefined ? { todo: String(c.todo) } : {}),
      title: `${c.rule as string} ${c.name as string}`,
    } satisfies AuditCase;
  });
}

export function auditFixtureFiles(): string[] {
  return readdirSync(AUDIT_FIXTURE_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort();
}

export const AUDIT_CASES: readonly AuditCase[] = auditFixtureFiles().flatMap(loadAuditFixtureFile);

export function runAuditCase(c: AuditCase): AuditResult {
  const config = c.config ? parseAuditConfig(stringify(c.config), `${c.name}.kuberator.yaml`).config : undefined;
  const cluster = c.cluster ? plan(readFileSync(join(ROOT, c.cluster), 'utf8'), c.cluster, { today: DEFAULT_DATE, rules: [] }).model : undefined;
  return auditManifests([{ file: `${c.name}.yaml`, text: c.manifests }], { today: DEFAULT_DATE, kubernetesVersion: c.kubernetesVersion, ...(config ? { config } : {}), ...(cluster ? { cluster } : {}) });
}

export function objectName(f: Finding): string {
  const o = f.object;
  if (!o) return '(document)';
  return o.namespace ? `${o.kind}/${o.namespace}/${o.name}` : `${o.kind}/${o.name}`;
}

export function describeAuditFindings(findings: readonly Finding[]): string {
  return findings.length ? findings.map((f) => `  ${f.severity} ${f.rule} ${objectName(f)} at ${f.path}${f.location ? ` (line ${f.location.line})` : ''}: ${f.message}${f.suppressed ? ` [suppressed: ${f.suppressed.reason}]` : ''}`).join('\n') : '  (none)';
}
