// Node groups: instance choice, volumes, segmentation and zones (L01, L06, L07, L09, L10).
import type { ClusterRule } from '../types.js';
import { groupPath } from './paths.js';

export const nodeRules: ClusterRule[] = [
  {
    id: 'nodes/instance-type-unset',
    severity: 'warning',
    lessons: ['L01'],
    equivalents: [],
    title: 'Instance type not chosen',
    why: 'A silent default decides most of the bill and the pod density; teams found out from the invoice.',
    fix: 'Name the instance types of every node group (spec.nodeGroups[].instanceTypes).',
    check: (m) =>
      m.defaults
        .filter((d) => /^spec\.nodeGroups\[\d+\]\.instanceTypes$/.test(d.path))
        .map((d) => ({ path: d.path, message: `no instance types given; kuberator uses ${(d.value as string[]).join(', ')}` })),
  },
  {
    id: 'nodes/burstable',
    severity: 'warning',
    lessons: ['L06'],
    equivalents: [],
    title: 'Burstable instance types',
    why: 'T-family instances earn CPU credits slowly; the constant load of kubelet, logging and monitoring agents drains them and the node is throttled to its baseline.',
    fix: 'Use m-class types (m6i, m7i, m7g); if burstable stays, watch the CPUCreditBalance alarm kuberator renders.',
    check: (m) =>
      m.nodeGroups.flatMap((g) => {
        const t = g.instances.filter((i) => i.burstable).map((i) => i.name);
        return t.length ? [{ path: groupPath(g, 'instanceTypes'), message: `node group '${g.name}' uses burstable ${t.join(', ')}` }] : [];
      }),
  },
  {
    id: 'nodes/volume-burst-credits',
    severity: 'warning',
    lessons: ['L07'],
    equivalents: [],
    title: 'gp2 or io1 volumes',
    why: 'gp2 IOPS come from a burst bucket that sustained IO (databases, search re-indexing, image pulls) empties, after which the volume crawls; io1 costs as much as io2 for less durability.',
    fix: 'Use gp3 (3,000 IOPS baseline, more can be provisioned) or io2 for sustained high IO.',
    check: (m) => {
      const out = m.nodeGroups
        .filter((g) => g.volume.type === 'gp2' || g.volume.type === 'io1')
        .map((g) => ({
          path: groupPath(g, 'volume.type'),
          severity: g.volume.type === 'gp2' ? ('warning' as const) : ('info' as const),
          message: g.volume.type === 'gp2' ? `node group '${g.name}' uses gp2 (${Math.max(100, 3 * g.volume.sizeGiB)} baseline IOPS at ${g.volume.sizeGiB} GiB)` : `node group '${g.name}' uses io1; io2 has better durability at the same price`,
        }));
      const etcd = m.controlPlane.selfManaged?.etcdVolume;
      if (etcd?.type === 'gp2') out.push({ path: 'spec.controlPlane.etcdVolume.type', severity: 'warning', message: 'etcd on gp2 stalls when the burst balance runs out' });
      return out;
    },
  },
  {
    id: 'nodes/no-system-group',
    severity: 'warning',
    lessons: ['L09'],
    equivalents: [],
    title: 'No system node group declared',
    why: 'Add-ons (DNS, autoscaler, ingress, monitoring) need nodes that are not reclaimed by spot and not crowded by applications.',
    fix: 'Declare a node group with role: system on on-demand capacity.',
    check: (m) =>
      m.nodeGroups.some((g) => g.role === 'system' && g.declared)
        ? []
        : [{ path: 'spec.nodeGroups', message: `no group has role system; kuberator adds '${m.nodeGroups.find((g) => !g.declared)?.name ?? 'system'}' (2–4 × m6i.large, on-demand)` }],
  },
  {
    id: 'nodes/stateful-not-per-az',
    severity: 'warning',
    lessons: ['L10', 'L35'],
    equivalents: [],
    title: 'Stateful node group spans zones in one Auto Scaling group',
    why: 'An EBS volume cannot leave its zone; when one group spans zones the autoscaler may add a node in the wrong zone and the pod stays Pending.',
    fix: 'Set perAz: true so each zone gets its own group, labelled with its zone.',
    check: (m) =>
      m.nodeGroups
        .filter((g) => g.role === 'stateful' && !g.perAz && g.zones.length > 1)
        .map((g) => ({ path: groupPath(g, 'perAz'), message: `stateful group '${g.name}' spans ${g.zones.length} zones in one Auto Scaling group` })),
  },
  {
    id: 'nodes/mixed-sizes',
    severity: 'warning',
    lessons: ['L08', 'L18'],
    equivalents: [],
    title: 'Instance types of different sizes in one group',
    why: 'The cluster autoscaler sizes a group from one of its types; with mixed sizes it adds too few or too many nodes, and kubelet reservations fit some types badly.',
    fix: 'Diversify across classes of the same size (m6i.xlarge, m6a.xlarge, m5.xlarge), and put other sizes in another group.',
    check: (m) =>
      m.nodeGroups.flatMap((g) => {
        const [first, ...rest] = g.instances;
        if (!first) return [];
        const odd = rest.filter((t) => t.vcpu !== first.vcpu || t.memoryMiB !== first.memoryMiB);
        return odd.length
          ? [{ path: groupPath(g, 'instanceTypes'), message: `node group '${g.name}' mixes ${first.name} (${first.vcpu} vCPU, ${first.memoryMiB / 1024} GiB) with ${odd.map((t) => `${t.name} (${t.vcpu} vCPU, ${t.memoryMiB / 1024} GiB)`).join(', ')}` }]
          : [];
      }),
  },
];
