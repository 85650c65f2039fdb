// Kubelet protection (L11) and pods per node (L12), computed from the instance types the way the
// EKS AMI does, then overridden by whatever the spec states.
import type { InstanceType } from '../facts/index.js';
import type { KubeletSpec } from '../spec/schema.js';
import { formatMi, formatMillicores } from '../util/quantity.js';
import type { ResolvedKubelet } from './types.js';

/** Pods per node with one VPC IP per pod slot: ENIs × (IPv4 per ENI − 1) + 2. */
export function eniMaxPods(t: InstanceType, customNetworking = false): number {
  const enis = customNetworking ? t.maxEnis - 1 : t.maxEnis;
  return Math.max(1, enis * (t.ipv4PerEni - 1) + 2);
}

/**
 * Pods per node with prefix delegation: each ENI slot holds a /28 (16 addresses), capped at
 * 110 pods below 30 vCPUs and 250 above, as EKS recommends. Only Nitro instances take prefixes.
 */
export function prefixMaxPods(t: InstanceType, customNetworking = false): number {
  if (t.hypervisor !== 'nitro' && !t.bareMetal) return eniMaxPods(t, customNetworking);
  const enis = customNetworking ? t.maxEnis - 1 : t.maxEnis;
  const cap = t.vcpu < 30 ? 110 : 250;
  return Math.min(cap, enis * (t.ipv4PerEni - 1) * 16 + 2);
}

/** The EKS AMI's CPU reservation: 6% of the first core, 1% of the second, 0.5% of the next two, 0.25% above four. */
export function kubeReservedCpuMillicores(vcpu: number): number {
  const tiers: Array<[number, number]> = [
    [1, 0.06],
    [1, 0.01],
    [2, 0.005],
    [Infinity, 0.0025],
  ];
  let left = vcpu;
  let m = 0;
  for (const [cores, share] of tiers) {
    const take = Math.min(left, cores);
    m += take * 1000 * share;
    left -= take;
    if (left <= 0) break;
  }
  return m;
}

/** The EKS AMI's memory reservation: 255 MiB plus 11 MiB per pod. */
export function kubeReservedMemoryMi(maxPods: number): number {
  return 255 + 11 * maxPods;
}

export const SYSTEM_RESERVED = { cpu: '100m', memory: '100Mi', 'ephemeral-storage': '1Gi' } as const;
export const BIG_NODE_MiB = 64 * 1024;

export function defaultEvictionHard(minMemoryMiB: number): ResolvedKubelet['evictionHard'] {
  return {
    'memory.available': minMemoryMiB >= BIG_NODE_MiB ? '1Gi' : '500Mi',
    'nodefs.available': '10%',
    'nodefs.inodesFree': '5%',
    'imagefs.available': '15%',
  };
}

export function defaultEvictionSoft(minMemoryMiB: number): ResolvedKubelet['evictionSoft'] {
  return { 'memory.available': minMemoryMiB >= BIG_NODE_MiB ? '1536Mi' : '1Gi', 'nodefs.available': '15%' };
}

export const DEFAULT_SOFT_GRACE = { 'memory.available': '1m30s', 'nodefs.available': '2m' } as const;

export interface KubeletInputs {
  instances: InstanceType[];
  prefixDelegation: boolean;
  customNetworking: boolean;
  /** Cluster-wide spec.kubelet, then the group's kubelet, with their spec paths: later maps replace earlier ones whole. */
  layers: Array<{ spec: KubeletSpec | undefined; path: string }>;
}

/** For each kubelet field, the spec path it was stated at; absent when kuberator computed it. */
export type KubeletSources = Partial<Record<keyof ResolvedKubelet, string>>;

/** Which kubelet fields were stated somewhere in the spec, and the resolved settings. */
export function resolveKubelet(inp: KubeletInputs): { kubelet: ResolvedKubelet; computed: Array<keyof ResolvedKubelet>; sources: KubeletSources } {
  const sources: KubeletSources = {};
  const stated = <K extends keyof KubeletSpec>(k: K): KubeletSpec[K] | undefined => {
    let v: KubeletSpec[K] | undefined;
    for (const layer of inp.layers) {
      if (layer.spec?.[k] !== undefined) {
        v = layer.spec[k];
        sources[k] = `${layer.path}.${k}`;
      }
    }
    return v;
  };
  const computed: Array<keyof ResolvedKubelet> = [];
  // Several instance types share one launch template: use the smallest pod limit (so no type is
  // promised more IPs than it has) and the largest CPU reservation (so no node is under-protected).
  const podsOf = (t: InstanceType) => (inp.prefixDelegation ? prefixMaxPods(t, inp.customNetworking) : eniMaxPods(t, inp.customNetworking));
  const statedPods = stated('maxPods');
  const maxPods = statedPods ?? Math.min(...inp.instances.map(podsOf));
  if (statedPods === undefined) computed.push('maxPods');
  const maxVcpu = Math.max(...inp.instances.map((t) => t.vcpu));
  const minMemory = Math.min(...inp.instances.map((t) => t.memoryMiB));

  const pick = <K extends 'kubeReserved' | 'systemReserved' | 'evictionHard' | 'evictionSoft' | 'evictionSoftGracePeriod'>(
    k: K,
    fallback: () => ResolvedKubelet[K],
  ): ResolvedKubelet[K] => {
    const v = stated(k);
    if (v !== undefined) return stringify(v) as ResolvedKubelet[K];
    computed.push(k);
    return fallback();
  };

  const kubelet: ResolvedKubelet = {
    kubeReserved: pick('kubeReserved', () => ({
      cpu: formatMillicores(kubeReservedCpuMillicores(maxVcpu)),
      memory: formatMi(kubeReservedMemoryMi(maxPods)),
      'ephemeral-storage': '1Gi',
    })),
    systemReserved: pick('systemReserved', () => ({ ...SYSTEM_RESERVED })),
    evictionHard: pick('evictionHard', () => defaultEvictionHard(minMemory)),
    evictionSoft: pick('evictionSoft', () => defaultEvictionSoft(minMemory)),
    evictionSoftGracePeriod: pick('evictionSoftGracePeriod', () => ({ ...DEFAULT_SOFT_GRACE })),
    maxPods,
  };
  return { kubelet, computed, sources };
}

function stringify(map: object): Record<string, string> {
  return Object.fromEntries(Object.entries(map).map(([k, v]) => [k, String(v)]));
}
