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

export const RULE_GROUPS: ReadonlyArray<{ name: string; description: string; rules: readonly Rule[] }> = [
  { name: 'availability', description: 'Zones and the control plane.', rules: availabilityRules },
  { name: 'network', description: 'VPC, subnets, NAT, endpoints and the VPC CNI.', rules: networkRules },
  { name: 'nodes', description: 'Node groups: instance types, volumes, roles and zones.', rules: nodeRules },
  { name: 'spot', description: 'Spot capacity.', rules: spotRules },
  { name: 'kubelet', description: 'Kubelet reservations and eviction.', rules: kubeletRules },
  { name: 'security', description: 'Encryption, exposure, logging and accounts.', rules: securityRules },
  { name: 'scaling', description: 'Autoscaling and DNS scaling.', rules: scalingRules },
  { name: 'version', description: 'Kubernetes version support.', rules: versionRules },
  { name: 'addons', description: 'In-cluster add-ons the platform depends on.', rules: addonRules },
  { name: 'cost', description: 'Money the spec leaves on the table, with figures.', rules: costRules },
];

export const RULES: readonly Rule[] = RULE_GROUPS.flatMap((g) => g.rules);

export function findRule(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}
