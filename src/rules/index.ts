// The registry: every rule group, listed explicitly. Order here is the order in docs/rules.md.
import { addonRules } from './cluster/addons.js';
import { availabilityRules } from './cluster/availability.js';
import { costRules } from './cluster/cost.js';
import { kubeletRules } from './cluster/kubelet.js';
import { networkRules } from './cluster/network.js';
import { nodeRules } from './cluster/nodes.js';
import { scalingRules } from './cluster/scaling.js';
import { securityRules } from './cluster/security.js';
import { spotRules } from './cluster/spot.js';
import { versionRules } from './cluster/version.js';
import type { Rule } from './types.js';
import { resourceRules } from './workload/resources.js';

export interface RuleGroup {
  /** Unique; the fixture file's name (test/fixtures/rules/<name>.yaml or test/fixtures/audit/<name>.yaml). */
  name: string;
  /** Rule ids start with `<prefix>/`: the group name for plan rules, `workload` for audit rules. */
  prefix: string;
  scope: 'cluster' | 'workload';
  description: string;
  rules: readonly Rule[];
}

const cluster = (name: string, description: string, rules: readonly Rule[]): RuleGroup => ({ name, prefix: name, scope: 'cluster', description, rules });
const workload = (name: string, description: string, rules: readonly Rule[]): RuleGroup => ({ name, prefix: 'workload', scope: 'workload', description, rules });

export const RULE_GROUPS: readonly RuleGroup[] = [
  cluster('availability', 'Zones and the control plane.', availabilityRules),
  cluster('network', 'VPC, subnets, NAT, endpoints and the VPC CNI.', networkRules),
  cluster('nodes', 'Node groups: instance types, volumes, roles and zones.', nodeRules),
  cluster('spot', 'Spot capacity.', spotRules),
  cluster('kubelet', 'Kubelet reservations and eviction.', kubeletRules),
  cluster('security', 'Encryption, exposure, logging and accounts.', securityRules),
  cluster('scaling', 'Autoscaling and DNS scaling.', scalingRules),
  cluster('version', 'Kubernetes version support.', versionRules),
  cluster('addons', 'In-cluster add-ons the platform depends on.', addonRules),
  cluster('cost', 'Money the spec leaves on the table, with figures.', costRules),
  workload('resources', 'Requests and limits on every container.', resourceRules),
];

export const RULES: readonly Rule[] = RULE_GROUPS.flatMap((g) => g.rules);

export function findRule(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}
