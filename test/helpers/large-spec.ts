// A large, varied but deterministic spec: 100 node groups over 6 zones. The render tests check
// CloudFormation limits on it, and the benchmark times plan and render on it.

type Group = Record<string, unknown>;

/** A valid spec with 100 node groups over 6 zones, varied but deterministic so runs compare. */
export function largeSpec(): Record<string, unknown> {
  const zones = ['a', 'b', 'c', 'd', 'e', 'f'].map((z) => `us-east-1${z}`);
  const roles = ['system', 'app', 'app', 'stateful'];
  const families = ['m6i', 'm6a', 'm7i', 'r6i', 'c6i'];
  const sizes = ['large', 'xlarge', '2xlarge'];
  const capacities = ['onDemand', 'spot', 'mixed'];
  const nodeGroups = Array.from({ length: 100 }, (_, i): Group => {
    const role = roles[i % roles.length]!;
    const capacity = capacities[i % capacities.length]!;
    const size = sizes[i % sizes.length]!;
    // two or three types of the same size from neighbouring families, the first preferred
    const instanceTypes = [0, 1, 2].slice(0, 2 + (i % 2)).map((k) => `${families[(i + k) % families.length]}.${size}`);
    const g: Group = { name: `ng-${String(i).padStart(3, '0')}-${role}`, role, instanceTypes, capacity, minSize: 1, maxSize: 4 + (i % 7), desiredSize: 2 };
    if (capacity === 'mixed') g.spot = { onDemandBase: 1, onDemandPercentageAboveBase: 25, allocationStrategy: 'price-capacity-optimized' };
    if (capacity === 'spot') g.spot = { allocationStrategy: 'capacity-optimized' };
    if (role === 'stateful') {
      g.perAz = true;
      g.volume = { type: 'gp3', sizeGiB: 100, iops: 6000, throughputMiBps: 250, encrypted: true };
      g.taints = [{ key: 'workload', value: 'stateful', effect: 'NoSchedule' }];
    }
    if (role === 'system') g.taints = [{ key: 'CriticalAddonsOnly', value: 'true', effect: 'NoSchedule' }];
    g.labels = { pool: g.name, role };
    return g;
  });
  return {
    apiVersion: 'kuberator.dev/v1alpha1',
    kind: 'Cluster',
    metadata: { name: 'bench-large', environment: 'prod' },
    spec: {
      region: 'us-east-1',
      kubernetesVersion: '1.35',
      network: {
        vpc: { cidr: '10.80.0.0/16' },
        availabilityZones: zones,
        topology: 'private',
        nat: 'perAz',
        pods: { customNetworking: { cidr: '100.64.0.0/10' } },
      },
      nodeGroups,
      addons: { metricsServer: {}, clusterAutoscaler: {}, ebsCsi: {}, spotHandler: {} },
      workloads: { expectedPods: 5000 },
    },
  };
}
