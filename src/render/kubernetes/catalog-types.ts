// The contract of one add-on module of the catalogue (src/render/kubernetes/addons/<name>.ts).
import type { ResolvedCluster } from '../../model/types.js';
import type { K8sContext } from './context.js';
import type { K8sObject } from './objects.js';

export interface AddonModule {
  /** Helm release name, file stem, and what other releases name in dependsOn. */
  name: string;
  /** Key of the chart in data/helm-charts.json. */
  chart: string;
  namespace: string;
  enabled(m: ResolvedCluster): boolean;
  /** Releases that must be ready first (their CRDs or webhooks are used). */
  dependsOn?(m: ResolvedCluster): string[];
  /** Helm values computed from the model. */
  values(ctx: K8sContext): Record<string, unknown>;
  /** Objects that need the CRDs or controllers of the releases (rendered in infrastructure/configs). */
  configs?(ctx: K8sContext): K8sObject[];
  /** Set values the install script passes on the command line (values known only at install time). */
  installSets?(ctx: K8sContext): Record<string, string>;
}

/**
 * An add-on kuberator runs itself, from its own image: plain objects instead of a Helm release
 * (rendered to infrastructure/controllers/<name>.yaml, applied with kubectl by install.sh).
 */
export interface ManifestModule {
  /** File stem and the name of the main object. */
  name: string;
  namespace: string;
  enabled(m: ResolvedCluster): boolean;
  objects(ctx: K8sContext): K8sObject[];
}
