export { usd } from '../../util/format.js';
import type { ResolvedNodeGroup } from '../../model/types.js';

/** The spec path of a node-group field; a group kuberator added points at spec.nodeGroups. */
export function groupPath(g: ResolvedNodeGroup, field?: string): string {
  return g.declared && field ? `${g.path}.${field}` : g.path;
}

/** Where a group's kubelet field was written: spec.kubelet, the group, or the group when computed. */
export function kubeletPath(g: ResolvedNodeGroup, field: keyof ResolvedNodeGroup['kubelet']): string {
  return g.kubeletSources[field] ?? groupPath(g, `kubelet.${field}`);
}

export const HOURS_PER_MONTH = 730;

