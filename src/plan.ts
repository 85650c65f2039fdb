// The library's plan operation: text in, data out. No printing, no process state; the date is a parameter.
import { type ClusterCapacity, computeCapacity } from './capacity/index.js';
import { type CostEstimate, estimateCost } from './cost/estimate.js';
import { resolve } from './model/resolve.js';
import type { ResolvedCluster } from './model/types.js';
import { checkIgnores, runRules } from './rules/engine.js';
import { RULES } from './rules/index.js';
import { type Finding, type Rule, type Severity } from './rules/types.js';
import { SpecError } from './errors.js';
import { parseSpec } from './spec/parse.js';
import { type ParsedWorkloads, parseWorkloads } from './workloads/manifests.js';

export interface PlanOptions {
  /** Planning date, YYYY-MM-DD. */
  today: string;
  rules?: readonly Rule[];
  /** Reads spec.workloads.manifests (paths as written in the spec); without it workloads are not read. */
  readManifests?: (paths: string[]) => Array<{ file: string; text: string }>;
}

export interface PlanResult {
  model: ResolvedCluster;
  capacity: ClusterCapacity;
  cost: CostEstimate;
  findings: Finding[];
  summary: Record<'errors' | 'warnings' | 'infos' | 'suppressed', number>;
}

/** Parse, resolve, size and judge a spec. Throws SpecError for bad input. */
export function plan(text: string, file: string, opts: PlanOptions): PlanResult {
  const { spec, source } = parseSpec(text, file);
  const model = resolve(spec, source, { today: opts.today });
  const rules = opts.rules ?? RULES;
  checkIgnores(model, RULES);
  const capacity = computeCapacity(model);
  const cost = estimateCost(model, opts.today);
  let workloads: ParsedWorkloads | undefined;
  if (opts.readManifests && model.workloads.manifests.length) {
    workloads = parseWorkloads(opts.readManifests(model.workloads.manifests));
    if (workloads.issues.length) throw new SpecError(file, workloads.issues);
  }
  const findings = runRules(model, rules, { today: opts.today, capacity, cost, ...(workloads ? { workloads } : {}) });
  return { model, capacity, cost, findings, summary: summarize(findings) };
}

export function summarize(findings: readonly Finding[]): PlanResult['summary'] {
  const active = findings.filter((f) => !f.suppressed);
  const count = (s: Severity) => active.filter((f) => f.severity === s).length;
  return { errors: count('error'), warnings: count('warning'), infos: count('info'), suppressed: findings.length - active.length };
}
