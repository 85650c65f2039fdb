// Runs cluster rules over a resolved model: attaches metadata and source locations, applies the spec's
// suppressions (kept in the output, marked), and orders findings stably.
import { SpecError } from '../errors.js';
import type { ResolvedCluster } from '../model/types.js';
import { didYouMean } from '../util/suggest.js';
import { type Finding, isClusterRule, type Rule, type RuleContext, severityRank } from './types.js';

export function runRules(model: ResolvedCluster, rules: readonly Rule[], ctx: RuleContext): Finding[] {
  const ignored = new Map(model.ignore.map((i) => [i.rule, i.reason]));
  const findings: Finding[] = [];
  for (const rule of rules) {
    if (!isClusterRule(rule)) continue;
    for (const raw of rule.check(model, ctx)) {
      const location = model.source.locate(raw.path);
      const reason = ignored.get(rule.id);
      findings.push({
        rule: rule.id,
        severity: raw.severity ?? rule.severity,
        lessons: rule.lessons,
        path: raw.path,
        ...(location ? { location } : {}),
        message: raw.message,
        fix: rule.fix,
        ...(reason !== undefined ? { suppressed: { reason } } : {}),
      });
    }
  }
  return findings.sort(compareFindings);
}

export function compareFindings(a: Finding, b: Finding): number {
  return severityRank(b.severity) - severityRank(a.severity) || a.rule.localeCompare(b.rule) || a.path.localeCompare(b.path) || a.message.localeCompare(b.message);
}

/** spec.ignore must name real rules: a typo would silently suppress nothing. */
export function checkIgnores(model: ResolvedCluster, rules: readonly Rule[]): void {
  const ids = rules.map((r) => r.id);
  const issues = model.ignore
    .filter((i) => !ids.includes(i.rule))
    .map((i) => ({ path: `${i.path}.rule`, message: `no rule '${i.rule}'${didYouMean(i.rule, ids)}`, location: model.source.locate(`${i.path}.rule`) }));
  if (issues.length) throw new SpecError(model.source.file, issues);
}
