// The units a node group is deployed as: one, or one per zone for per-AZ groups (L10).
import type { ResolvedCluster, ResolvedNodeGroup } from './types.js';

/** One Auto Scaling group (or managed node group) of a node group: per-AZ groups have one per zone. */
export interface NodeGroupUnit {
  group: ResolvedNodeGroup;
  /** The zone of a per-AZ unit. */
  zone?: string;
  /** `apps`, or `data-eu-west-1a` for a per-AZ unit. */
  key: string;
}

export function nodeGroupUnits(m: ResolvedCluster): NodeGroupUnit[] {
  return m.nodeGroups.flatMap((group) => (group.perAz ? group.zones.map((zone) => ({ group, zone, key: `${group.name}-${zone}` })) : [{ group, key: group.name }]));
}
