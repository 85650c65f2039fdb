// The upgrade plan as data: hops of one minor each, with their checks and steps. Reports turn it
// into a Markdown runbook or JSON; nothing here prints.
import type { Finding } from '../rules/types.js';

/** What kind of change the plan makes (L39). */
export type ChangeKind = 'addons' | 'nodes' | 'minor';

export type CheckStatus = 'pass' | 'warn' | 'block';

/** A pre-check before a hop: `block` must be fixed first, `warn` should be. */
export interface UpgradeCheck {
  id: 'removed-apis' | 'deprecated-apis' | 'pdb-blockers' | 'single-replicas' | 'subnet-headroom' | 'skew' | 'support';
  title: string;
  status: CheckStatus;
  /** What was found, a line each. */
  details: string[];
  /** Audit findings behind the check, when workloads were given. */
  findings?: Finding[];
}

/** One step of the runbook: what to do, the commands, and how to see it worked. */
export interface UpgradeStep {
  /** `control-plane`, `addon/coredns`, `helm/cluster-autoscaler`, `nodes/apps`, `post/nodes`… */
  id: string;
  title: string;
  /** Why this step is here, or what to watch for. */
  notes: string[];
  commands: string[];
  verify: string[];
}

export interface UpgradeHop {
  from: string;
  to: string;
  preChecks: UpgradeCheck[];
  controlPlane?: UpgradeStep;
  addons: UpgradeStep[];
  nodeGroups: UpgradeStep[];
  postChecks: UpgradeStep[];
}

export interface UpgradePlan {
  cluster: string;
  region: string;
  specFile: string;
  from: string;
  to: string;
  kind: ChangeKind;
  /** Where workload checks came from. */
  workloads: 'manifests' | 'live' | 'none';
  hops: UpgradeHop[];
  /** Plan-wide remarks (what was not checked, and why). */
  notes: string[];
  /** Whether any pre-check blocks. */
  blocked: boolean;
}
