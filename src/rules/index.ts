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
import { imageRules } from './workload/images.js';
import { apiVersionRules } from './workload/api-versions.js';
import { podSecurityRules } from './workload/pod-security.js';
import { secretRules } from './workload/secrets.js';
import { serviceRules } from './workload/services.js';
import { hygieneRules } from './workload/hygiene.js';
import { rbacRules } from './workload/rbac.js';
import { probeRules } from './workload/probes.js';
import { lifecycleRules } from './workload/lifecycle.js';
import { disruptionRules } from './workload/disruption.js';
import { placementRules } from './workload/placement.js';
import { storageRules } from './workload/storage.js';

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
  cluster('version', 'Kubernetes version support, pinned add-on versions and node-group skew.', versionRules),
  cluster('addons', 'In-cluster add-ons the platform depends on.', addonRules),
  cluster('cost', 'Money the spec leaves on the table, with figures.', costRules),
  workload('resources', 'Requests and limits on every container.', resourceRules),
  workload('images', 'Image tags and base images.', imageRules),
  workload('api-versions', 'API versions deprecated or removed in the target Kubernetes version.', apiVersionRules),
  workload('pod-security', 'What containers may do to their node, and secrets in plain sight.', podSecurityRules),
  workload('secrets', 'Credentials in env vars and ConfigMaps.', secretRules),
  workload('services', 'Load balancers, TLS, Service and Ingress references, network isolation.', serviceRules),
  workload('hygiene', 'Manifest mistakes: duplicates, mismatched selectors, invalid documents and ignores.', hygieneRules),
  workload('rbac', 'Roles and bindings: exec into pods, cluster-admin and wildcard grants.', rbacRules),
  workload('probes', 'Readiness and liveness probes.', probeRules),
  workload('lifecycle', 'Jobs, bare Pods, CronJob deadlines and shutdown time.', lifecycleRules),
  workload('disruption', 'PodDisruptionBudgets that exist and let drains proceed.', disruptionRules),
  workload('placement', 'Replicas, autoscalers, spread over nodes and zones, and node roles.', placementRules),
  workload('storage', 'StatefulSet volumes and zones, databases without persistent volumes.', storageRules),
];

export const RULES: readonly Rule[] = RULE_GROUPS.flatMap((g) => g.rules);

export function findRule(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}
