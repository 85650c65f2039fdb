// Node bootstrap user data (L11, L09): the kubelet protection settings, labels and taints of a
// node group, as an AL2023 nodeadm NodeConfig in a MIME multipart document, or as Bottlerocket
// TOML settings. The cluster endpoint and CA arrive as ${ClusterEndpoint} and ${ClusterCa},
// substituted by Fn::Sub from the cluster stack's exports. Pure string building.
import { stringify } from 'yaml';
import type { ResolvedCluster, ResolvedNodeGroup } from '../../model/types.js';

export const MIME_BOUNDARY = '//kuberator//';

export interface NodeBootstrap {
  labels: Record<string, string>;
  taints: ResolvedNodeGroup['taints'];
  /** Whether the kubelet registers the labels and taints (always, with a custom AMI). */
  kubeletSetsLabels: boolean;
}

/** Labels every node of the group carries: role, lifecycle of the group's capacity, zone for per-AZ groups. */
export function nodeLabels(g: ResolvedNodeGroup, zone: string | undefined): Record<string, string> {
  const lifecycle = g.capacity === 'onDemand' ? 'on-demand' : g.capacity;
  return { ...g.labels, 'node.kuberator.dev/lifecycle': lifecycle, ...(zone ? { 'node.kuberator.dev/zone': zone } : {}) };
}

export function nodeadmUserData(m: ResolvedCluster, g: ResolvedNodeGroup, b: NodeBootstrap): string {
  const k = g.kubelet;
  const flags: string[] = [];
  if (b.kubeletSetsLabels) {
    flags.push(`--node-labels=${Object.entries(b.labels).map(([key, v]) => `${key}=${v}`).join(',')}`);
    if (b.taints.length) flags.push(`--register-with-taints=${b.taints.map((t) => `${t.key}=${t.value ?? ''}:${t.effect}`).join(',')}`);
  }
  const config = {
    apiVersion: 'node.eks.aws/v1alpha1',
    kind: 'NodeConfig',
    spec: {
      cluster: { name: m.name, apiServerEndpoint: '${ClusterEndpoint}', certificateAuthority: '${ClusterCa}', cidr: m.network.serviceCidr },
      kubelet: {
        config: {
          maxPods: k.maxPods,
          kubeReserved: k.kubeReserved,
          systemReserved: k.systemReserved,
          evictionHard: k.evictionHard,
          evictionSoft: k.evictionSoft,
          evictionSoftGracePeriod: k.evictionSoftGracePeriod,
        },
        ...(flags.length ? { flags } : {}),
      },
    },
  };
  return [
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${MIME_BOUNDARY}"`,
    '',
    `--${MIME_BOUNDARY}`,
    'Content-Type: application/node.eks.aws',
    '',
    '---',
    stringify(config, { lineWidth: 0 }).trimEnd(),
    '',
    `--${MIME_BOUNDARY}--`,
    '',
  ].join('\n');
}

const toml = (v: string | number) => (typeof v === 'number' ? String(v) : JSON.stringify(v));

/** Bottlerocket takes the same settings through its TOML settings API. */
export function bottlerocketUserData(m: ResolvedCluster, g: ResolvedNodeGroup, b: NodeBootstrap): string {
  const k = g.kubelet;
  const table = (name: string, entries: Record<string, string | number>) =>
    Object.keys(entries).length ? [`[${name}]`, ...Object.entries(entries).map(([key, v]) => `${JSON.stringify(key)} = ${toml(v)}`), ''] : [];
  return [
    '[settings.kubernetes]',
    `cluster-name = ${toml(m.name)}`,
    'api-server = "${ClusterEndpoint}"',
    'cluster-certificate = "${ClusterCa}"',
    `max-pods = ${k.maxPods}`,
    '',
    ...table('settings.kubernetes.kube-reserved', k.kubeReserved as Record<string, string>),
    ...table('settings.kubernetes.system-reserved', k.systemReserved as Record<string, string>),
    ...table('settings.kubernetes.eviction-hard', k.evictionHard as Record<string, string>),
    ...table('settings.kubernetes.eviction-soft', k.evictionSoft as Record<string, string>),
    ...table('settings.kubernetes.eviction-soft-grace-period', k.evictionSoftGracePeriod as Record<string, string>),
    ...(b.kubeletSetsLabels ? table('settings.kubernetes.node-labels', b.labels) : []),
    ...(b.kubeletSetsLabels ? table('settings.kubernetes.node-taints', Object.fromEntries(b.taints.map((t) => [t.key, `${t.value ?? ''}:${t.effect}`]))) : []),
  ].join('\n');
}

/**
 * The public SSM parameter holding the current EKS-optimised AMI of a group's family and
 * architecture for a Kubernetes minor: the group's own when rendering, a hop's target when planning
 * an upgrade. The AMI carries the kubelet, so this is what sets a node's version.
 */
export function amiParameter(g: ResolvedNodeGroup, minor: string): string {
  const arch = g.instances[0]?.arch === 'arm64' ? 'arm64' : 'x86_64';
  if (g.amiFamily === 'bottlerocket') return `/aws/service/bottlerocket/aws-k8s-${minor}/${arch}/latest/image_id`;
  return `/aws/service/eks/optimized-ami/${minor}/amazon-linux-2023/${arch}/standard/recommended/image_id`;
}
