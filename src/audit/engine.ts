// Runs the workload rules over an object graph: the same Finding shape as plan, with the object,
// the container and file:line attached; severities from the config; suppressions from the
// config's exemptions and the objects' annotations (kept in the output, marked); and a score.
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
  skipped?: number;
}

export interface AuditSummary {
  objects: number;
  documents: number;
  /** YAML documents that are not Kubernetes objects (Helm values, Kustomize config): not audited. */
  skipped: number;
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
  const exempting = config.exemptions.length > 0;
  // Files are audited in input order (findings then follow the files); live objects by namespace, kind and name.
  const objects = input.objects.some((o) => !o.source) ? [...input.objects].sort(compareObjects) : input.objects;
  for (const o of objects) {
    const first = findings.length;
    const evaluated: string[] | undefined = checked ? [] : undefined;
    const object: ObjectRef = { apiVersion: o.apiVersion, kind: o.kind, namespace: o.namespace, name: o.name };
    const annotated = config.annotationExemptions && hasKeys(o.annotations);
    const located = new Map<string, Location>();
    const locate = (path: string): Location | undefined => {
      if (!o.source) return undefined;
      let l = located.get(path);
      if (!l) located.set(path, (l = o.source.locate(path)));
      return l;
    };
    for (const rule of active) {
      if (!rule.appliesTo(o, graph)) continue;
      checks++;
      evaluated?.push(rule.id);
      let worst = 0;
      for (const raw of rule.check(o, graph, ctx)) {
        const severity = severityOf(rule, config, raw.severity ?? rule.severity);
        const ex = exempting ? exemptionFor(config.exemptions, { rule: rule.id, kind: o.kind, namespace: o.namespace, name: o.name, ...(raw.container !== undefined ? { container: raw.container } : {}) }) : undefined;
        const suppressed = ex ? `config exemption: ${ex.reason}` : annotated ? annotationIgnore(o.annotations, rule) : undefined;
        const f: Finding = { rule: rule.id, severity, lessons: rule.lessons, path: raw.path, message: raw.message, fix: rule.fix, object };
        const location = locate(raw.path);
        if (location) f.location = location;
        if (raw.container !== undefined) f.container = raw.container;
        if (suppressed) f.suppressed = { reason: suppressed };
        else worst = Math.max(worst, severityRank(severity));
        findings.push(f);
      }
      if (worst === 3) errorFail++;
      else if (worst === 2) warnFail++;
    }
    if (findings.length - first > 1) sortTail(findings, first);
    if (checked && evaluated) checked.push({ object: { apiVersion: o.apiVersion, kind: o.kind, namespace: o.namespace, name: o.name }, ...(o.source ? { location: { file: o.source.file, line: o.source.line, col: o.source.col } } : {}), rules: evaluated });
  }

  const passed = checks - warnFail - errorFail;
  const live = findings.filter((f) => !f.suppressed);
  return {
    findings,
    kubernetesVersion: ctx.kubernetesVersion,
    ...(checked ? { checked } : {}),
    summary: {
      objects: input.objects.length,
      documents: input.documents ?? input.objects.length,
      skipped: input.skipped ?? 0,
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

function hasKeys(o: Record<string, string>): boolean {
  for (const _ in o) return true;
  return false;
}

function compareObjects(a: ObjectRef, b: ObjectRef): number {
  return cmp(a.namespace, b.namespace) || cmp(a.kind, b.kind) || cmp(a.name, b.name);
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** One object's findings: by line, then severity, rule and path (code-point order, deterministic). */
function sortTail(findings: Finding[], from: number): void {
  const tail = findings.splice(from).sort((a, b) => (a.location && b.location ? a.location.line - b.location.line || a.location.col - b.location.col : 0) || severityRank(b.severity) - severityRank(a.severity) || cmp(a.rule, b.rule) || cmp(a.path, b.path) || cmp(a.message, b.message));
  for (const f of tail) findings.push(f);
}
