// Upgrade planning as a library: the planner, its plan types, and the spec rewrite for `--write`.
export { currentAddonVersions, maxSkew, nodeVersion, pinsAfter, planUpgrade, type UpgradeOptions } from './plan.js';
export type { ChangeKind, CheckStatus, UpgradeCheck, UpgradeHop, UpgradePlan, UpgradeStep } from './types.js';
export { rewriteSpecVersions, type RewriteResult, type SpecPins } from './write.js';
