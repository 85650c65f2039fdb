// A rule is one typed object with a pure check. Rule groups live one file each under
// rules/cluster/; rules/index.ts lists them explicitly.
import type { ObjectGraph } from '../audit/graph.js';
import type { KubeObject, ObjectRef } from '../audit/objects.js';
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

interface RuleMeta {
  /** `group/kebab-name` (workload rules: `workload/kebab-name`). */
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
}

/** A plan-time rule over the resolved cluster spec. */
export interface ClusterRule extends RuleMeta {
  scope?: 'cluster';
  check(model: ResolvedCluster, ctx: RuleContext): RawFinding[];
}

/** What an audit rule is judged against besides the objects. */
export interface AuditContext {
  today: string;
  /** Target Kubernetes minor (`1.33`) for API-version checks. */
  kubernetesVersion: string;
  thresholds: AuditThresholds;
  /** The cluster, when the audit was given a spec: node roles and taints come from it. */
  cluster?: ResolvedCluster;
  /** Ids of the rules this audit runs with (ignore annotations naming others are flagged). */
  knownRules: ReadonlySet<string>;
  /** Namespaces whose workloads are platform add-ons (the config's built-in list plus its additions). */
  systemNamespaces: readonly string[];
}

export interface AuditThresholds {
  /** More LoadBalancer Services than this in one input is flagged (L20). */
  maxLoadBalancerServices: number;
  /** A memory limit below request × this (and not equal to it) is flagged (L29). */
  memoryLimitHeadroom: number;
  /** Fewer replicas than this is flagged (L33). */
  minReplicas: number;
}

/** A finding of an audit rule: a path inside the object, and the container when it is about one. */
export interface ObjectRawFinding extends RawFinding {
  container?: string;
}

/** An audit rule: evaluated per object it applies to, with the whole object graph at hand. */
export interface WorkloadRule extends RuleMeta {
  scope: 'workload';
  /** The objects it evaluates: the audit score counts each (rule, object) pair it applies to. */
  appliesTo(o: KubeObject, g: ObjectGraph): boolean;
  check(o: KubeObject, g: ObjectGraph, ctx: AuditContext): ObjectRawFinding[];
}

export type Rule = ClusterRule | WorkloadRule;

export function isWorkloadRule(r: Rule): r is WorkloadRule {
  return r.scope === 'workload';
}

export function isClusterRule(r: Rule): r is ClusterRule {
  return r.scope !== 'workload';
}

export interface Finding {
  rule: string;
  severity: Severity;
  lessons: string[];
  path: string;
  location?: Location;
  message: string;
  fix: string;
  /** Audit findings: the object, and the container when the finding is about one. */
  object?: ObjectRef;
  container?: string;
  suppressed?: { reason: string };
}
