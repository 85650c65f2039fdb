// Upgrade plans for tests: the production example at any minor, planned with or without manifests.
import { loadManifests } from '../../src/audit/load.js';
import { plan } from '../../src/plan.js';
import { planUpgrade, type UpgradeOptions } from '../../src/upgrade/plan.js';
import type { UpgradePlan } from '../../src/upgrade/types.js';
import { readRepoFile, TODAY } from './run-cli.js';

export const production = readRepoFile('examples/production.yaml');

/** The spec text with its Kubernetes version replaced. */
export const at = (text: string, version: string) => text.replace(/kubernetesVersion: "1\.\d+"/, `kubernetesVersion: "${version}"`);

/** Plans an upgrade of a spec text, with workloads from a manifest text when one is given. */
export function upgrade(specText: string, opts: Partial<UpgradeOptions> & { to: string }, manifests?: string): UpgradePlan {
  const r = plan(specText, 'spec.yaml', { today: TODAY, rules: [] });
  const objects = manifests !== undefined ? loadManifests([{ file: 'm.yaml', text: manifests }]).objects : undefined;
  return planUpgrade(r.model, r.capacity, { today: TODAY, specFile: 'spec.yaml', workloads: manifests !== undefined ? 'manifests' : 'none', ...(objects ? { objects } : {}), ...opts });
}
