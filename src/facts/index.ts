// Typed access to the committed fact tables under data/ (built by `npm run facts`, provenance in
// data/SOURCES.md). Files are read lazily, once, and only the region asked for is loaded.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KuberatorError } from '../errors.js';
import { didYouMean } from '../util/suggest.js';

/** data/ of the package: found upwards from this module, which runs from dist/src/facts/ or from the bundle in dist/. */
export const DATA_DIR = findDataDir();

function findDataDir(): string {
  for (const up of ['../../../', '../', '../../']) {
    const dir = fileURLToPath(new URL(`${up}data/`, import.meta.url));
    if (existsSync(`${dir}instance-types.json`)) return dir;
  }
  throw new KuberatorError('KBR-FACT002', `kuberator's data directory is missing next to ${fileURLToPath(import.meta.url)}`, 'internal');
}

export interface InstanceType {
  name: string;
  vcpu: number;
  memoryMiB: number;
  arch: 'amd64' | 'arm64' | null;
  burstable: boolean;
  hypervisor: string;
  bareMetal: boolean;
  maxEnis: number;
  ipv4PerEni: number;
  /** Pods per node with one IP per ENI slot (the EKS default), from eni-max-pods. */
  maxPods: number;
  gpuCount: number | null;
}

export interface PriceSource {
  description: string;
  date: string;
}

export interface Ec2Prices {
  region: string;
  sources: Record<string, PriceSource>;
  prices: Record<string, { usd: number; source: string }>;
}

export interface EksVersion {
  version: string;
  upstreamReleaseDate: string | null;
  eksReleaseDate: string | null;
  endOfStandardSupport: string | null;
  endOfExtendedSupport: string | null;
}

export type CoreAddon = 'vpc-cni' | 'coredns' | 'kube-proxy' | 'aws-ebs-csi-driver';
export const CORE_ADDONS: readonly CoreAddon[] = ['vpc-cni', 'coredns', 'kube-proxy', 'aws-ebs-csi-driver'];

export interface DeprecatedApi {
  apiVersion: string;
  kind: string;
  deprecatedIn: string | null;
  removedIn: string | null;
  replacement: string | null;
  component: string;
  sources: string[];
}

export interface ServicePrices {
  eksControlPlane: Record<string, { standardSupportPerHour: number; extendedSupportPerHour: number }>;
  natGateway: Record<string, { perHour: number; perGbProcessed: number }>;
  sources: Record<string, PriceSource>;
  [table: string]: unknown;
}

const cache = new Map<string, unknown>();
function load<T>(rel: string): T {
  let v = cache.get(rel);
  if (v === undefined) {
    try {
      v = JSON.parse(readFileSync(DATA_DIR + rel, 'utf8'));
    } catch (e) {
      throw new KuberatorError('KBR-FACT001', `cannot read the fact table data/${rel}: ${(e as Error).message}`, 'internal');
    }
    cache.set(rel, v);
  }
  return v as T;
}

export function instanceTypes(): Record<string, Omit<InstanceType, 'name'>> {
  return load<{ types: Record<string, Omit<InstanceType, 'name'>> }>('instance-types.json').types;
}

export function findInstanceType(name: string): InstanceType | undefined {
  const t = instanceTypes()[name];
  return t ? { name, ...t } : undefined;
}

export function unknownInstanceTypeMessage(name: string): string {
  return `unknown instance type '${name}'${didYouMean(name, Object.keys(instanceTypes()))}`;
}

export function regions(): string[] {
  return load<{ regions: string[] }>('regions.json').regions;
}

export function unknownRegionMessage(region: string): string {
  return `unknown region '${region}'${didYouMean(region, regions())}`;
}

/** Where `kuberator prices update` keeps fetched prices; they override the bundled ones. */
export function priceCacheDir(env: Record<string, string | undefined> = process.env): string {
  return env.KUBERATOR_CACHE_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'kuberator');
}

const fetched = new Map<string, Ec2Prices | null>();

export function ec2Prices(region: string): Ec2Prices | undefined {
  if (!fetched.has(region)) {
    const file = join(priceCacheDir(), `ec2-prices-${region}.json`);
    fetched.set(region, existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Ec2Prices) : null);
  }
  const cached = fetched.get(region);
  if (cached) return cached;
  if (!regions().includes(region)) return undefined;
  return load<Ec2Prices>(`prices/ec2/${region}.json`);
}

export function servicePrices(): ServicePrices {
  return load<ServicePrices>('service-prices.json');
}

export function eksVersions(): EksVersion[] {
  return load<{ versions: EksVersion[] }>('eks-versions.json').versions;
}

export function findEksVersion(version: string): EksVersion | undefined {
  return eksVersions().find((v) => v.version === version);
}

/** The newest version EKS had released by the given date. */
export function newestEksVersion(today: string): EksVersion {
  const released = eksVersions().filter((v) => v.eksReleaseDate !== null && v.eksReleaseDate <= today);
  return released[0] ?? eksVersions()[0]!;
}

interface AddonVersionsFile {
  byKubernetesVersion: Record<string, Record<CoreAddon, string>>;
  observed: Record<string, Record<CoreAddon, string[]>>;
}

/** The managed add-on versions kuberator uses for a minor (one per add-on). */
export function addonVersions(version: string): Record<CoreAddon, string> | undefined {
  return load<AddonVersionsFile>('addon-versions.json').byKubernetesVersion[version];
}

/** Every add-on version a source listed for a minor, oldest first (EBS CSI: every upstream tag). */
export function observedAddonVersions(version: string): Record<CoreAddon, string[]> | undefined {
  return load<AddonVersionsFile>('addon-versions.json').observed[version];
}

export function deprecatedApis(): DeprecatedApi[] {
  return load<{ apis: DeprecatedApi[] }>('deprecated-apis.json').apis;
}
