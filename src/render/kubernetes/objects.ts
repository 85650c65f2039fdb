// Small typed builders for the Kubernetes objects the platform renders, and their YAML form.
// Only API versions served by every Kubernetes minor kuberator supports (policy/v1,
// autoscaling/v2, networking.k8s.io/v1, …; the tests check them against the deprecation data).
import { emitYaml } from '../../util/yaml-emit.js';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'kuberator' };

export function namespace(name: string, labels: Record<string, string> = {}): K8sObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { ...MANAGED_BY, ...labels } } };
}

/** A PDB; pods that are not ready may always be evicted, so a crash-looping pod never blocks a drain (L32). */
export function pdb(name: string, ns: string, selector: Record<string, string>, rule: { maxUnavailable: number } | { minAvailable: number }): K8sObject {
  return { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name, namespace: ns, labels: { ...MANAGED_BY } }, spec: { ...rule, unhealthyPodEvictionPolicy: 'AlwaysAllow', selector: { matchLabels: selector } } };
}

/** Multi-document YAML, one object after another, in the order given. */
export function toYaml(objects: readonly object[], header?: string): string {
  const body = objects.map((o) => emitYaml(o).trimEnd()).join('\n---\n');
  return `${header ? `# ${header}\n` : ''}${body}\n`;
}

/** A kustomization.yaml listing files or directories. */
export function kustomization(resources: string[]): string {
  return toYaml([{ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources }]);
}
