// The audit in four shapes: text grouped by object (file:line, why and fix), JSON, SARIF 2.1.0
// for code scanning (with regions), and JUnit XML for CI test reports.
import { relative, sep } from 'node:path';
import type { AuditResult } from '../audit/engine.js';
import type { ObjectRef } from '../audit/objects.js';
import { findRule, RULES } from '../rules/index.js';
import { type Finding, isWorkloadRule, type Severity } from '../rules/types.js';
import { style } from './style.js';

const LABEL: Record<Severity, string> = { error: 'ERROR', warning: 'WARNING', info: 'INFO' };
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function objectLabel(o: ObjectRef | undefined): string {
  if (!o) return '(unreadable document)';
  return o.namespace ? `${o.kind} ${o.namespace}/${o.name}` : `${o.kind} ${o.name}`;
}

function where(f: Finding): string | undefined {
  return f.location ? `${f.location.file}:${f.location.line}:${f.location.col}` : undefined;
}

export interface AuditTextOptions {
  color: boolean;
  /** What was audited, for the header: `3 files`, `cluster prod (context …)`. */
  source: string;
}

export function auditText(r: AuditResult, opts: AuditTextOptions): string {
  const s = style(opts.color);
  const sum = r.summary;
  const paint = (sev: Severity, t: string) => (sev === 'error' ? s.red(t) : sev === 'warning' ? s.yellow(t) : s.cyan(t));
  const out: string[] = [
    `${s.bold('Audit')}  ${plural(sum.objects, 'object')} from ${opts.source}, checked against Kubernetes ${r.kubernetesVersion}`,
    `  ${plural(sum.errors, 'error')}, ${plural(sum.warnings, 'warning')}, ${sum.infos} info${sum.suppressed ? `, ${sum.suppressed} suppressed` : ''}; score ${s.bold(`${sum.score}/100`)} (${sum.passed} of ${plural(sum.checks, 'check')} passed)`,
  ];
  const live = r.findings.filter((f) => !f.suppressed);
  // Findings are sorted by input position, so one object's findings are adjacent.
  let current: string | undefined;
  const explained = new Set<string>();
  for (const f of live) {
    const key = f.object ? objectLabel(f.object) : `(document) ${where(f) ?? ''}`;
    if (key !== current) {
      current = key;
      const start = f.object && f.location ? s.dim(`  ${f.location.file}`) : '';
      out.push('', `${s.bold(f.object ? objectLabel(f.object) : 'Unreadable document')}${start}`);
    }
    const at = where(f);
    out.push(`  ${paint(f.severity, LABEL[f.severity].padEnd(7))} ${s.bold(f.rule)}${f.lessons.length ? ` [${f.lessons.join(',')}]` : ''}${at ? `  ${s.dim(at)}` : ''}`);
    out.push(`          ${f.path}: ${f.message}`);
    // Why and fix are printed with a rule's first finding only; `kuberator explain <rule>` repeats them.
    if (!explained.has(f.rule)) {
      explained.add(f.rule);
      const rule = findRule(f.rule);
      if (rule) out.push(s.dim(`          why: ${rule.why}`));
      out.push(`          fix: ${f.fix}`);
    }
  }
  const suppressed = r.findings.filter((f) => f.suppressed);
  if (suppressed.length) {
    out.push('', 'Suppressed');
    for (const f of suppressed) out.push(s.dim(`  ${f.rule}  ${objectLabel(f.object)} ${f.path}: ${f.suppressed!.reason}`));
  }
  if (!live.length) out.push('', 'No findings.');
  return out.join('\n') + '\n';
}

/** One audit finding as JSON, in a fixed key order; the upgrade plan's JSON uses the same shape. */
export function findingJson(f: Finding): Record<string, unknown> {
  return {
    rule: f.rule,
    severity: f.severity,
    lessons: f.lessons,
    ...(f.object ? { object: f.object } : {}),
    ...(f.container !== undefined ? { container: f.container } : {}),
    path: f.path,
    ...(f.location ? { location: f.location } : {}),
    message: f.message,
    fix: f.fix,
    ...(f.suppressed ? { suppressed: f.suppressed } : {}),
  };
}

export function auditJson(r: AuditResult): Record<string, unknown> {
  return {
    kubernetesVersion: r.kubernetesVersion,
    summary: r.summary,
    findings: r.findings.map(findingJson),
  };
}

const SARIF_LEVEL: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'note' };

/** SARIF 2.1.0: one run, the workload rules as reportingDescriptors, results with regions relative to `cwd`. */
export function auditSarif(r: AuditResult, opts: { cwd: string; version: string }): Record<string, unknown> {
  const rules = RULES.filter(isWorkloadRule);
  const index = new Map(rules.map((x, i) => [x.id, i]));
  const uri = (file: string) => {
    const rel = relative(opts.cwd, file);
    return (rel && !rel.startsWith('..') ? rel : file).split(sep).join('/');
  };
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'kuberator',
            version: opts.version,
            informationUri: 'https://github.com/kuberator/kuberator/blob/main/docs/rules.md',
            rules: rules.map((x) => ({
              id: x.id,
              name: x.id.replace(/^workload\//, ''),
              shortDescription: { text: x.title },
              fullDescription: { text: x.why },
              help: { text: x.fix, markdown: `**Why:** ${x.why}\n\n**Fix:** ${x.fix}` },
              defaultConfiguration: { level: SARIF_LEVEL[x.severity] },
              properties: { tags: [...x.lessons, ...x.equivalents] },
            })),
          },
        },
        columnKind: 'unicodeCodePoints',
        results: r.findings.map((f) => ({
          ruleId: f.rule,
          ...(index.has(f.rule) ? { ruleIndex: index.get(f.rule) } : {}),
          level: SARIF_LEVEL[f.severity],
          message: { text: `${f.object ? `${objectLabel(f.object)}: ` : ''}${f.message}` },
          locations: [
            {
              ...(f.location ? { physicalLocation: { artifactLocation: { uri: uri(f.location.file) }, region: { startLine: f.location.line, startColumn: f.location.col } } } : {}),
              ...(f.object ? { logicalLocations: [{ fullyQualifiedName: `${objectLabel(f.object).replace(' ', '/')}#${f.path}`, kind: 'object' }] } : {}),
            },
          ],
          ...(f.suppressed ? { suppressions: [{ kind: f.suppressed.reason.startsWith('config exemption') ? 'external' : 'inSource', justification: f.suppressed.reason }] } : {}),
          partialFingerprints: { objectPath: `${f.rule}|${objectLabel(f.object)}|${f.path}` },
        })),
      },
    ],
  };
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * JUnit XML: a test suite per object, a test case per rule evaluated on it (passes included when
 * the result recorded its checks); findings at or above `failOn` are failures, milder ones are
 * reported in system-out.
 */
export function auditJunit(r: AuditResult, failOn: Severity | 'none'): string {
  const rank = { error: 3, warning: 2, info: 1 } as const;
  const limit = failOn === 'none' ? Infinity : rank[failOn];
  const byObject = new Map<string, { label: string; file?: string; findings: Finding[]; rules: string[] }>();
  for (const c of r.checked ?? []) byObject.set(objectLabel(c.object), { label: objectLabel(c.object), ...(c.location ? { file: c.location.file } : {}), findings: [], rules: c.rules });
  for (const f of r.findings) {
    if (f.suppressed) continue;
    const label = f.object ? objectLabel(f.object) : `document ${where(f) ?? ''}`;
    let entry = byObject.get(label);
    if (!entry) byObject.set(label, (entry = { label, ...(f.location ? { file: f.location.file } : {}), findings: [], rules: [] }));
    entry.findings.push(f);
    if (!entry.rules.includes(f.rule)) entry.rules.push(f.rule);
  }
  let tests = 0;
  let failures = 0;
  const suites: string[] = [];
  for (const e of byObject.values()) {
    const cases: string[] = [];
    let suiteFailures = 0;
    for (const rule of e.rules) {
      tests++;
      const mine = e.findings.filter((f) => f.rule === rule);
      const failing = mine.filter((f) => rank[f.severity] >= limit);
      const name = `${xml(rule)}`;
      if (failing.length) {
        failures++;
        suiteFailures++;
        const text = failing.map((f) => `${where(f) ?? f.path}: ${f.path}: ${f.message}\nfix: ${f.fix}`).join('\n\n');
        cases.push(`    <testcase classname="${xml(e.label)}" name="${name}"${e.file ? ` file="${xml(e.file)}"` : ''}>\n      <failure type="${failing[0]!.severity}" message="${xml(failing[0]!.message)}">${xml(text)}</failure>\n    </testcase>`);
      } else if (mine.length) {
        cases.push(`    <testcase classname="${xml(e.label)}" name="${name}">\n      <system-out>${xml(mine.map((f) => `${f.severity}: ${f.path}: ${f.message}`).join('\n'))}</system-out>\n    </testcase>`);
      } else {
        cases.push(`    <testcase classname="${xml(e.label)}" name="${name}"/>`);
      }
    }
    suites.push(`  <testsuite name="${xml(e.label)}" tests="${e.rules.length}" failures="${suiteFailures}" errors="0" skipped="0">\n${cases.join('\n')}\n  </testsuite>`);
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="kuberator audit" tests="${tests}" failures="${failures}" errors="0">\n${suites.join('\n')}\n</testsuites>\n`;
}

