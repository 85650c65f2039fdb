// Runs the workload rules over an object graph: the same Finding shape as plan, with the object,
// the container and file:line attached; severities from the config; suppressions from the
// config's exemptions and the objects' annotations (kept in the output, marked); and a score.
import { compareFindings } from '../rules/engine.js';
import { type AuditContext, type Finding, type Rule, type Severity, type WorkloadRule, isWorkloadRule, severityRank } from '../rules/types.js';
import { type AuditConfig, exemptionFor } from './config.js';
import { ObjectGraph } from './graph.js';
import { annotationIgnore } from './ignores.js';
import type { Location } from '../errors.js';
import type { KubeObject, MalformedDocument, ObjectRef } from './objects.js';

/** The rule under which documents that could not be decoded are reported. */
export const INVALID_MANIFEST_RULE = 'workload/invalid-manifest';

export interface AuditInput {
  objects: readonly KubeObject[];
  malformed: readonly MalformedDocument[];
  documents?: number;
}

export interface AuditSummary {
  objects: number;
  documents: number;
  /** Documents that could not be decoded. */
  malformed: number;
  errors: number;
  warnings: number;
  infos: number;
  suppressed: number;
  /** (rule, object) pairs evaluated, and those without a warning or error. */
  checks: number;
  passed: number;
  /** 0–100, Polaris' formula: 2·passed / (2·passed + warnings + 2·errors), over checks. */
  score: number;
}

/** The rules evaluated on one object (recorded on request, for JUnit output). */
export interface ObjectChecks {
  object: ObjectRef;
  location?: Location;
  rules: string[];
}

export interface AuditResult {
  findings: Finding[];
  summary: AuditSummary;
  kubernetesVersion: string;
  checked?: ObjectChecks[];
}

export function runAudit(input: AuditInput, rules: readonly Rule[], ctx: AuditContext, config: AuditConfig, opts: { recordChecks?: boolean } = {}): AuditResult {
  const graph = new ObjectGraph(input.objects);
  const active = rules.filter(isWorkloadRule).filter((r) => config.severities[r.id] !== 'off');
  const findings: Finding[] = [];
  let checks = 0;
  let warnFail = 0;
  let errorFail = 0;

  const invalid = active.find((r) => r.id === INVALID_MANIFEST_RULE);
  if (invalid) {
    for (const m of input.malformed) {
      findings.push({ rule: invalid.id, severity: severityOf(invalid, config, invalid.severity), lessons: invalid.lessons, path: '(document)', location: m.location, message: m.message, fix: invalid.fix });
    }
    checks += input.malformed.length;
    errorFail += input.malformed.length;
  }

  const checked: ObjectChecks[] | undefined = opts.recordChecks ? [] : undefined;
  // Objects outer, rules inner: an object's findings are located together, against one document.
  for (const o of input.objects) {
    const evaluated: string[] | undefined = checked ? [] : undefined;
    for (const rule of active) {
      if (!rule.appliesTo(o, graph)) continue;
      checks++;
      evaluated?.push(rule.id);
      let worst = 0;
      for (const raw of rule.check(o, graph, ctx)) {
        const severity = severityOf(rule, config, raw.severity ?? rule.severity);
        const suppressed = suppression(rule, o, raw.container, config);
        findings.push({
          rule: rule.id,
          severity,
          lessons: rule.lessons,
          path: raw.path,
          ...(o.source ? { location: o.source.locate(raw.path) } : {}),
          message: raw.message,
          fix: rule.fix,
          object: { apiVersion: o.apiVersion, kind: o.kind, namespace: o.namespace, name: o.name },
          ...(raw.container !== undefined ? { container: raw.container } : {}),
          ...(suppressed ? { suppressed: { reason: suppressed } } : {}),
        });
        if (!suppressed) worst = Math.max(worst, severityRank(severity));
      }
      if (worst === 3) errorFail++;
      else if (worst === 2) warnFail++;
    }
    if (checked && evaluated) checked.push({ object: { apiVersion: o.apiVersion, kind: o.kind, namespace: o.namespace, name: o.name }, ...(o.source ? { location: { file: o.source.file, line: o.source.line, col: o.source.col } } : {}), rules: evaluated });
  }

  findings.sort(compareAuditFindings);
  const passed = checks - warnFail - errorFail;
  const live = findings.filter((f) => !f.suppressed);
  return {
    findings,
    kubernetesVersion: ctx.kubernetesVersion,
    ...(checked ? { checked } : {}),
    summary: {
      objects: input.objects.length,
      documents: input.documents ?? input.objects.length,
      malformed: input.malformed.length,
      errors: live.filter((f) => f.severity === 'error').length,
      warnings: live.filter((f) => f.severity === 'warning').length,
      infos: live.filter((f) => f.severity === 'info').length,
      suppressed: findings.length - live.length,
      checks,
      passed,
      score: checks === 0 ? 100 : Math.round((200 * passed) / (2 * passed + warnFail + 2 * errorFail)),
    },
  };
}

function severityOf(rule: WorkloadRule, config: AuditConfig, raised: Severity): Severity {
  const set = config.severities[rule.id];
  return set && set !== 'off' ? set : raised;
}

function suppression(rule: WorkloadRule, o: KubeObject, container: string | undefined, config: AuditConfig): string | undefined {
  const ex = exemptionFor(config.exemptions, { rule: rule.id, kind: o.kind, namespace: o.namespace, name: o.name, ...(container !== undefined ? { container } : {}) });
  if (ex) return `config exemption: ${ex.reason}`;
  if (config.annotationExemptions) return annotationIgnore(o.annotations, rule);
  return undefined;
}

/** Input order (file, then line), then severity and rule; live objects by kind, namespace and name. */
export function compareAuditFindings(a: Finding, b: Finding): number {
  const la = a.location;
  const lb = b.location;
  if (la && lb) {
    const byPlace = la.file.localeCompare(lb.file) || la.line - lb.line;
    if (byPlace) return byPlace;
  } else if (la || lb) return la ? -1 : 1;
  const oa = a.object;
  const ob = b.object;
  if (oa && ob) {
    const byObject = oa.namespace.localeCompare(ob.namespace) || oa.kind.localeCompare(ob.kind) || oa.name.localeCompare(ob.name);
    if (byObject) return byObject;
  }
  return compareFindings(a, b);
}
