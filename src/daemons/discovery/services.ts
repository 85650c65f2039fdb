// Which Services the bridge announces, and as what. Pure over the Service objects as served.
//
// A Service is reachable from outside the cluster when it has external IPs (any type), or when it
// is of type LoadBalancer and its load balancer reports an address (status.loadBalancer.ingress,
// IPs and hostnames). External IPs win when both exist, as in external-dns. A LoadBalancer still
// pending has no address yet and is not announced. Endpoints are every address with every port.
import { endpoint, type ServiceEntry } from './document.js';

/** The parts of a v1 Service the bridge reads. */
export interface KubeService {
  metadata?: { name?: string; namespace?: string; uid?: string; resourceVersion?: string; annotations?: Record<string, string> | null };
  spec?: { type?: string; externalIPs?: string[] | null; ports?: Array<{ port?: number; protocol?: string }> | null };
  status?: { loadBalancer?: { ingress?: Array<{ ip?: string; hostname?: string }> | null } | null };
}

export interface MappingOptions {
  /** Annotation whose value names the entry; else `<namespace>/<name>`. */
  nameAnnotation: string;
  descriptionAnnotation: string;
  /** Annotation that, set to "false", keeps a Service out of the directory. */
  optOutAnnotation: string;
}

export const DEFAULT_MAPPING: MappingOptions = {
  nameAnnotation: 'kuberator.dev/service-name',
  descriptionAnnotation: 'kuberator.dev/service-description',
  optOutAnnotation: 'kuberator.dev/discovery',
};

export type Skip = 'opted-out' | 'not-external' | 'pending' | 'no-ports';

export interface Mapped {
  /** `<namespace>/<name>` of the Service. */
  service: string;
  entry?: ServiceEntry;
  skip?: Skip;
  /** Addresses that are not valid hosts, left out. */
  invalid: string[];
}

export function serviceKey(s: KubeService): string {
  return `${s.metadata?.namespace ?? ''}/${s.metadata?.name ?? ''}`;
}

export function mapService(s: KubeService, opts: MappingOptions = DEFAULT_MAPPING): Mapped {
  const key = serviceKey(s);
  const ann = s.metadata?.annotations ?? {};
  const invalid: string[] = [];
  if ((ann[opts.optOutAnnotation] ?? '').trim().toLowerCase() === 'false') return { service: key, skip: 'opted-out', invalid };
  const external = (s.spec?.externalIPs ?? []).filter((x) => typeof x === 'string' && x.trim() !== '');
  let hosts: string[];
  if (external.length) hosts = external;
  else if (s.spec?.type === 'LoadBalancer') {
    hosts = (s.status?.loadBalancer?.ingress ?? []).flatMap((i) => [i.ip, i.hostname].filter((x): x is string => typeof x === 'string' && x !== ''));
    if (!hosts.length) return { service: key, skip: 'pending', invalid };
  } else return { service: key, skip: 'not-external', invalid };
  const ports = [...new Set((s.spec?.ports ?? []).map((p) => p.port).filter((p): p is number => typeof p === 'number' && p > 0))];
  if (!ports.length) return { service: key, skip: 'no-ports', invalid };
  const endpoints: string[] = [];
  for (const h of hosts) {
    for (const p of ports) {
      try {
        endpoints.push(endpoint(h.trim(), p));
      } catch {
        if (!invalid.includes(h)) invalid.push(h);
      }
    }
  }
  if (!endpoints.length) return { service: key, skip: 'pending', invalid };
  const name = (ann[opts.nameAnnotation] ?? '').trim() || key;
  return { service: key, entry: { name, description: ann[opts.descriptionAnnotation] ?? '', endpoints: [...new Set(endpoints)].sort() }, invalid };
}

export interface Desired {
  entries: ServiceEntry[];
  /** Entry names claimed by several Services: the first Service by namespace/name wins. */
  duplicates: Array<{ name: string; services: string[] }>;
  skipped: Record<Skip, number>;
}

/** The entries the cluster wants in the directory. */
export function desiredEntries(services: Iterable<KubeService>, opts: MappingOptions = DEFAULT_MAPPING): Desired {
  const mapped = [...services].map((s) => mapService(s, opts)).sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : 0));
  const byName = new Map<string, { entry: ServiceEntry; services: string[] }>();
  const skipped: Record<Skip, number> = { 'opted-out': 0, 'not-external': 0, pending: 0, 'no-ports': 0 };
  for (const m of mapped) {
    if (m.skip) skipped[m.skip]++;
    if (!m.entry) continue;
    const seen = byName.get(m.entry.name);
    if (seen) seen.services.push(m.service);
    else byName.set(m.entry.name, { entry: m.entry, services: [m.service] });
  }
  const entries = [...byName.values()].map((v) => v.entry);
  const duplicates = [...byName.entries()].filter(([, v]) => v.services.length > 1).map(([name, v]) => ({ name, services: v.services }));
  return { entries, duplicates, skipped };
}
