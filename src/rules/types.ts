// A rule is one typed object with a pure check. Rule groups live one file each under
// rules/cluster/; rules/index.ts lists them explicitly.
import type { ClusterCapacity } from '../capacity/index.js';
import type { CostEstimate } from '../cost/estimate.js';
import type { ParsedWorkloads } from '../workloads/manifests.js';
import type { Location } from '../errors.js';
import type { ResolvedCluster } from '../model/types.js';

export type Severity = 'error' | 'warning' | 'info';
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];

export function severityRank(s: Severity): number {
  return s === 'error' ? 3 : s === 'warning' ? 2 : 1;
}

export interface RuleContext {
  /** The planning date, YYYY-MM-DD (support windows are judged against it). */
  today: string;
  capacity: ClusterCapacity;
  cost: CostEstimate;
  /** Workloads of spec.workloads.manifests, when the caller read them. */
  workloads?: ParsedWorkloads;
}

/** What a check returns: where and what. The engine adds the rule's metadata and the location. */
export interface RawFinding {
  path: string;
  message: string;
  /** Lower than the rule's severity for a milder case (e.g. two zones instead of one). */
  severity?: Severity;
}

export interface Rule {
  /** `group/kebab-name`. */
  id: string;
  /** The highest severity the rule raises. */
  severity: Severity;
  /** Lesson ids (L01…) the rule encodes. */
  lessons: string[];
  /** The same check in other tools, as `tool:check-id`. */
  equivalents: string[];
  title: string;
  /** Why it matters, in a sentence or two. */
  why: string;
  /** What to change, ending in a period. */
  fix: string;
  check(model: ResolvedCluster, ctx: RuleContext): RawFinding[];
}

export interface Finding {
  rule: string;
  severity: Severity;
  lessons: string[];
  path: string;
  location?: Location;
  message: string;
  fix: string;
  suppressed?: { reason: string };
}
