// The packer's public types: what packNodeGroup() takes (pods, DaemonSet, instance types,
// options) and what it returns (node counts, per-node assignments, excluded types, bounds).

// ---------- public types ----------

export interface PackerPod {
  /** Workload name; its replicas share it. */
  name: string;
  cpuMillicores: number;
  memoryMiB: number;
  /** Replicas. */
  count: number;
}

/** What the DaemonSets request on every node. */
export interface PackerDaemonSet {
  cpuMillicores: number;
  memoryMiB: number;
  pods: number;
}

export interface PackerInstanceType {
  name: string;
  /** Allocatable, after the kubelet's reservations and eviction threshold. */
  cpuMillicores: number;
  memoryMiB: number;
  maxPods: number;
  /** null when unknown: the type is then left out of the cost optimisation. */
  usdPerHour: number | null;
}

export interface PackerInput {
  /** Replicas of the workloads that select this node group. */
  pods: PackerPod[];
  daemonSet: PackerDaemonSet;
  /** The group's allowed instance types; the order breaks ties. */
  instanceTypes: PackerInstanceType[];
  /** Zones the group spans. */
  zones: number;
  /** At least this many nodes in each zone. */
  minNodesPerZone: number;
}

export interface PackerOptions {
  /** Also return what each node holds. */
  assignments?: boolean;
}

export interface PackerNodeCount {
  instanceType: string;
  count: number;
}

export interface PackerAssignment {
  instanceType: string;
  /** Workload name and how many of its replicas this node holds. */
  pods: Array<{ name: string; count: number }>;
  /** Allocatable left after the DaemonSet and these pods. */
  free: { cpuMillicores: number; memoryMiB: number; pods: number };
}

export interface PackerExcludedType {
  instanceType: string;
  /**
   * unpriced: its price is unknown. daemonSetDoesNotFit: the DaemonSets alone exceed its
   * allocatable. dominated: never needed, as type `by` has at least its room for no more money.
   */
  reason: 'unpriced' | 'daemonSetDoesNotFit' | 'dominated';
  by?: string;
}

export interface PackerResult {
  /** false when no allowed type has a price: nodes then come from the first usable type, and every USD figure is null. */
  priced: boolean;
  /** Nodes per instance type, in the order of the input's types; types with no node are left out. */
  nodes: PackerNodeCount[];
  nodeCount: number;
  /** Hourly price of the packing. */
  usdPerHour: number | null;
  /** A proven lower bound on the price of any packing of the placeable pods: the LP relaxation with valid cuts. */
  lowerBoundUsdPerHour: number | null;
  /** The plain LP relaxation (resource rows and the node minimum only), ≤ lowerBoundUsdPerHour. */
  lpRelaxationUsdPerHour: number | null;
  /** (usdPerHour − lowerBound) / lowerBound; 0 when they are equal. */
  gap: number | null;
  /** Workloads whose pods fit on no usable priced type (when unpriced: not on the type counted), in input order. */
  unplaceable: string[];
  /** Replicas left out, summed over the unplaceable workloads. */
  unplaceablePods: number;
  /** Allowed types the packing left out, and why, in the order of the input's types. */
  excludedTypes: PackerExcludedType[];
  /**
   * Allocatable that no pod nor DaemonSet requests, summed over the nodes. It is priced by share:
   * each node's price is split evenly between its allocatable CPU and memory, and the idle share of
   * each is counted.
   */
  waste: { cpuMillicores: number; memoryMiB: number; usdPerHour: number | null };
  /** The rule whose packing won, for diagnostics. */
  strategy: string;
  assignments?: PackerAssignment[];
}
