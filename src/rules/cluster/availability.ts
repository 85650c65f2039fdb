// Surviving failures: zones, and the size and count of a self-managed control plane (L04, L05, L19, L22).
import { findInstanceType } from '../../facts/index.js';
import { CONTROL_PLANE_SIZES } from '../../model/defaults.js';
import type { ClusterRule } from '../types.js';

export const availabilityRules: ClusterRule[] = [
  {
    id: 'availability/zones',
    severity: 'error',
    lessons: ['L19'],
    equivalents: [],
    title: 'Fewer than three availability zones',
    why: 'Zones fail. With one, the cluster goes down with it; with two, losing one halves capacity and leaves no majority for quorum-based workloads.',
    fix: 'Spread the cluster over three zones (spec.network.availabilityZones: 3).',
    check: (m) => {
      const n = m.network.zones.length;
      if (n >= 3) return [];
      return [{ path: 'spec.network.availabilityZones', severity: n <= 1 ? 'error' : 'warning', message: `the cluster spans ${n} zone${n === 1 ? '' : 's'}` }];
    },
  },
  {
    id: 'availability/control-plane-count',
    severity: 'error',
    lessons: ['L04', 'L22'],
    equivalents: [],
    title: 'Self-managed control plane with one or an even number of instances',
    why: 'One instance means every upgrade and every zone outage takes the API down; an even count tolerates no more failures than one fewer and risks split brain in etcd.',
    fix: 'Run 3 (or 5) control-plane instances, or let EKS run it (managed: true).',
    check: (m) => {
      const sm = m.controlPlane.selfManaged;
      if (!sm) return [];
      if (sm.count === 1) return [{ path: 'spec.controlPlane.count', message: 'one control-plane instance: no API during upgrades or if its zone fails' }];
      if (sm.count % 2 === 0) return [{ path: 'spec.controlPlane.count', message: `${sm.count} control-plane instances: etcd needs an odd count for quorum` }];
      return [];
    },
  },
  {
    id: 'availability/control-plane-size',
    severity: 'warning',
    lessons: ['L05'],
    equivalents: [],
    title: 'Self-managed control plane too small for the cluster',
    why: 'The API server and etcd grow with nodes and objects; a starved control plane gives random timeouts and leader elections that look like outages.',
    fix: 'Use at least the size kuberator recommends for the cluster’s maximum node count, on a non-burstable type.',
    check: (m, { capacity }) => {
      const sm = m.controlPlane.selfManaged;
      if (!sm) return [];
      const want = findInstanceType(CONTROL_PLANE_SIZES.find((s) => capacity.maxNodes <= s.maxNodes)!.instanceType)!;
      const t = sm.instanceType;
      if (t.burstable) return [{ path: 'spec.controlPlane.instanceType', message: `${t.name} is burstable: control planes run steadily and exhaust CPU credits` }];
      if (t.vcpu < want.vcpu || t.memoryMiB < want.memoryMiB) {
        return [{ path: 'spec.controlPlane.instanceType', message: `${t.name} (${t.vcpu} vCPU, ${t.memoryMiB / 1024} GiB) is below ${want.name} (${want.vcpu} vCPU, ${want.memoryMiB / 1024} GiB) for up to ${capacity.maxNodes} nodes` }];
      }
      return [];
    },
  },
];
