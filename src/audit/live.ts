// The objects of a live cluster, for `audit --live`. The kubeconfig (contexts, TLS, tokens, exec
// and auth-provider plugins, proxies) is interpreted by @kubernetes/client-node, loaded only here;
// the reads are plain GETs of JSON, so objects reach the audit exactly as served: client-node's
// typed models would turn timestamps into Dates and drop the fields its models do not know.
//
// One GET /apis says which versions of each group are served; the resource list of a candidate
// version says whether it has the kind (batch/v1 is served on 1.20, but CronJob is only in
// v1beta1 there). Each kind is then listed in its newest served version, in pages.
import type { IncomingMessage } from 'node:http';
import { kubeTransport, loadKubeConfig, oneLine } from '../daemons/common/kube.js';
import { KuberatorError } from '../errors.js';
import { type KubeObject, toKubeObject } from './objects.js';

export interface LiveOptions {
  /** A kubeconfig file; default: $KUBECONFIG, else ~/.kube/config, else the in-cluster service account. */
  kubeconfig?: string;
  /** A context of the kubeconfig; default: its current context. */
  context?: string;
  /** Read kube-system, kube-public and kube-node-lease too. @default false */
  includeSystem?: boolean;
  /** Read this namespace only (cluster-scoped kinds are still read). A system namespace named here is read. */
  namespace?: string;
}

export interface LiveRead {
  /** Top-level objects: an object whose controller (ownerReferences, controller: true) was read is left out. */
  objects: KubeObject[];
  server: { gitVersion: string; /** Major.minor, e.g. '1.20'. */ minor: string };
  context: string;
  /** Kinds that could not be read (forbidden, not served); the rest of the read still counts. */
  warnings: string[];
}

interface KindSpec {
  kind: string;
  /** '' for the core group. */
  group: string;
  /** Newest first; the first one the server has the kind in is read. */
  versions: readonly string[];
}

/** What is read, in output order. */
const KINDS: readonly KindSpec[] = [
  { kind: 'Namespace', group: '', versions: ['v1'] },
  { kind: 'StorageClass', group: 'storage.k8s.io', versions: ['v1'] },
  { kind: 'Deployment', group: 'apps', versions: ['v1'] },
  { kind: 'StatefulSet', group: 'apps', versions: ['v1'] },
  { kind: 'DaemonSet', group: 'apps', versions: ['v1'] },
  { kind: 'ReplicaSet', group: 'apps', versions: ['v1'] },
  { kind: 'CronJob', group: 'batch', versions: ['v1', 'v1beta1'] },
  { kind: 'Job', group: 'batch', versions: ['v1'] },
  { kind: 'Pod', group: '', versions: ['v1'] },
  { kind: 'Service', group: '', versions: ['v1'] },
  { kind: 'ServiceAccount', group: '', versions: ['v1'] },
  { kind: 'PersistentVolumeClaim', group: '', versions: ['v1'] },
  { kind: 'PodDisruptionBudget', group: 'policy', versions: ['v1', 'v1beta1'] },
  { kind: 'HorizontalPodAutoscaler', group: 'autoscaling', versions: ['v2', 'v2beta2', 'v1'] },
  { kind: 'Ingress', group: 'networking.k8s.io', versions: ['v1', 'v1beta1'] },
  { kind: 'NetworkPolicy', group: 'networking.k8s.io', versions: ['v1'] },
];

/** Controllers that are audited themselves: what they own is audited through them. */
const CONTROLLER_KINDS = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob']);
const SYSTEM_NAMESPACES = new Set(['kube-system', 'kube-public', 'kube-node-lease']);
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const PAGE_SIZE = 500;
const REQUEST_TIMEOUT_MS = 20_000;

export async function readLiveObjects(opts: LiveOptions): Promise<LiveRead> {
  const conn = await connect(opts);
  try {
    const [version, groups] = await Promise.all([conn.get('/version'), conn.get('/apis')]);
    const v = version as { gitVersion?: string; major?: string; minor?: string };
    const server = { gitVersion: v.gitVersion ?? '', minor: `${v.major ?? ''}.${(v.minor ?? '').replace(/\D.*$/, '')}` };
    const served = servedGroupVersions(groups);
    // Kinds are read in parallel; their warnings are reported in KINDS order.
    const warned = KINDS.map(() => [] as string[]);
    const lists = await Promise.all(
      KINDS.map(async (k, i) => {
        const r = await resolveKind(conn, k, served, warned[i]!);
        return r ? listKind(conn, r, opts.namespace, warned[i]!) : [];
      }),
    );
    const warnings = warned.flat();

    const all = lists.flat();
    const controllers = new Set(all.filter((o) => CONTROLLER_KINDS.has(o.kind)).map((o) => uidOf(o.raw)).filter((u) => u !== ''));
    const objects = all.filter((o) => {
      if (!opts.namespace && !opts.includeSystem && SYSTEM_NAMESPACES.has(o.kind === 'Namespace' ? o.name : o.namespace)) return false;
      return !controllerOf(o.raw, controllers);
    });
    return { objects, server, context: conn.context, warnings };
  } catch (e) {
    throw conn.fail(e);
  } finally {
    conn.close();
  }
}

// ---- kinds and lists ----

interface ResolvedKind {
  spec: KindSpec;
  groupVersion: string;
  /** The resource name in URLs (`deployments`). */
  plural: string;
  namespaced: boolean;
}

function servedGroupVersions(apis: unknown): Set<string> {
  const out = new Set(['v1']);
  const groups = (apis as { groups?: Array<{ versions?: Array<{ groupVersion?: string }> }> }).groups ?? [];
  for (const g of groups) for (const v of g.versions ?? []) if (v.groupVersion) out.add(v.groupVersion);
  return out;
}

async function resolveKind(conn: Connection, spec: KindSpec, served: Set<string>, warnings: string[]): Promise<ResolvedKind | undefined> {
  const candidates = spec.versions.map((v) => (spec.group ? `${spec.group}/${v}` : v)).filter((gv) => served.has(gv));
  for (const gv of candidates) {
    let list: unknown;
    try {
      list = await conn.resources(gv);
    } catch (e) {
      if (!(e instanceof HttpStatusError) || e.status === 401) throw e;
      warnings.push(`skipped ${plural(spec.kind)}: discovery of ${gv} answered ${e.status}${e.serverMessage ? `: ${e.serverMessage}` : ''}`);
      return undefined;
    }
    const resources = (list as { resources?: Array<{ name?: string; kind?: string; namespaced?: boolean }> }).resources ?? [];
    const r = resources.find((x) => x.kind === spec.kind && x.name && !x.name.includes('/'));
    if (r?.name) return { spec, groupVersion: gv, plural: r.name, namespaced: r.namespaced === true };
  }
  const tried = spec.versions.map((v) => (spec.group ? `${spec.group}/${v}` : v)).join(', ');
  warnings.push(`skipped ${plural(spec.kind)}: the server serves none of ${tried}`);
  return undefined;
}

async function listKind(conn: Connection, r: ResolvedKind, namespace: string | undefined, warnings: string[]): Promise<KubeObject[]> {
  const base = r.groupVersion.includes('/') ? `/apis/${r.groupVersion}` : `/api/${r.groupVersion}`;
  const items: unknown[] = [];
  try {
    if (namespace && r.spec.kind === 'Namespace') {
      items.push(await conn.get(`${base}/namespaces/${encodeURIComponent(namespace)}`));
    } else {
      const path = r.namespaced && namespace ? `${base}/namespaces/${encodeURIComponent(namespace)}/${r.plural}` : `${base}/${r.plural}`;
      let next = '';
      do {
        const page = (await conn.get(`${path}?limit=${PAGE_SIZE}${next ? `&continue=${encodeURIComponent(next)}` : ''}`)) as { items?: unknown[]; metadata?: { continue?: string } };
        items.push(...(page.items ?? []));
        next = page.metadata?.continue ?? '';
      } while (next);
    }
  } catch (e) {
    if (!(e instanceof HttpStatusError) || e.status === 401) throw e;
    if (e.status === 404 && r.spec.kind === 'Namespace' && namespace) {
      throw new KuberatorError('KBR-LIVE005', `namespace "${namespace}" does not exist on ${conn.where}`);
    }
    warnings.push(`skipped ${plural(r.spec.kind)}: ${e.serverMessage || `GET ${e.path} answered ${e.status}`}`);
    return [];
  }
  const out: KubeObject[] = [];
  for (const item of items) {
    const o = toKubeObject(clean(item, r));
    if (o) out.push({ ...o, servedVersion: r.groupVersion });
  }
  return out;
}

/** Sets apiVersion and kind (list items lack them); drops managedFields and the last-applied annotation. */
function clean(item: unknown, r: ResolvedKind): unknown {
  if (!item || typeof item !== 'object') return item;
  const obj: Record<string, unknown> = { apiVersion: r.groupVersion, kind: r.spec.kind, ...(item as Record<string, unknown>) };
  obj.apiVersion = r.groupVersion;
  obj.kind = r.spec.kind;
  const meta = obj.metadata as Record<string, unknown> | undefined;
  if (meta && typeof meta === 'object') {
    delete meta.managedFields;
    const ann = meta.annotations as Record<string, unknown> | undefined;
    if (ann && typeof ann === 'object' && LAST_APPLIED in ann) {
      delete ann[LAST_APPLIED];
      if (Object.keys(ann).length === 0) delete meta.annotations;
    }
  }
  return obj;
}

function uidOf(raw: Record<string, unknown>): string {
  const uid = (raw.metadata as { uid?: unknown } | undefined)?.uid;
  return typeof uid === 'string' ? uid : '';
}

/** True when the object's controller is among the objects read. */
function controllerOf(raw: Record<string, unknown>, controllers: Set<string>): boolean {
  const refs = (raw.metadata as { ownerReferences?: unknown } | undefined)?.ownerReferences;
  if (!Array.isArray(refs)) return false;
  return refs.some((ref: { controller?: unknown; uid?: unknown }) => ref?.controller === true && typeof ref.uid === 'string' && controllers.has(ref.uid));
}

function plural(kind: string): string {
  return kind.endsWith('s') ? `${kind}es` : kind.endsWith('y') ? `${kind.slice(0, -1)}ies` : `${kind}s`;
}

// ---- the connection ----

class HttpStatusError extends Error {
  constructor(
    readonly path: string,
    readonly status: number,
    readonly serverMessage: string,
  ) {
    super(`GET ${path} answered ${status}${serverMessage ? `: ${serverMessage}` : ''}`);
  }
}

class TransportError extends Error {}

interface Connection {
  context: string;
  /** `https://host:port (context "name")`, for messages. */
  where: string;
  get(path: string): Promise<unknown>;
  /** The APIResourceList of a group version, fetched once. */
  resources(groupVersion: string): Promise<unknown>;
  /** Turns any failure into the KuberatorError the caller sees. */
  fail(e: unknown): Error;
  close(): void;
}

async function connect(opts: LiveOptions): Promise<Connection> {
  const loaded = await loadKubeConfig(opts);
  const { context, user, where } = loaded;
  const { base, agent, headers, auth, send: request } = await kubeTransport(loaded, 8);

  const get = (path: string): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const req = request(`${base}${path}`, { agent, headers, auth, timeout: REQUEST_TIMEOUT_MS }, (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (e) => reject(new TransportError(describeTransport(e))));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown;
          try {
            body = JSON.parse(text);
          } catch {
            body = undefined;
          }
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300 && body !== undefined) resolve(body);
          else if (status >= 200 && status < 300) reject(new HttpStatusError(path, status, 'the answer is not JSON'));
          else {
            const msg = (body as { message?: unknown } | undefined)?.message;
            reject(new HttpStatusError(path, status, oneLine(typeof msg === 'string' ? msg : (res.statusMessage ?? ''))));
          }
        });
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
      req.on('error', (e) => reject(new TransportError(describeTransport(e))));
      req.end();
    });

  const discovered = new Map<string, Promise<unknown>>();
  return {
    context,
    where,
    get,
    resources(gv) {
      let p = discovered.get(gv);
      if (!p) discovered.set(gv, (p = get(gv.includes('/') ? `/apis/${gv}` : `/api/${gv}`)));
      return p;
    },
    fail(e) {
      if (e instanceof KuberatorError) return e;
      if (e instanceof TransportError) return new KuberatorError('KBR-LIVE001', `cannot reach the Kubernetes API server ${where}: ${e.message}`);
      if (e instanceof HttpStatusError) {
        if (e.status === 401) return new KuberatorError('KBR-LIVE003', `the API server ${where} rejected the credentials of user "${user}" (401 Unauthorized)`);
        if (e.status === 403) return new KuberatorError('KBR-LIVE003', `the API server ${where} forbids user "${user}" to read ${e.path} (403): ${e.serverMessage}`);
        return new KuberatorError('KBR-LIVE004', `the API server ${where} answered GET ${e.path} with ${e.status}${e.serverMessage ? `: ${e.serverMessage}` : ''}`);
      }
      return new KuberatorError('KBR-LIVE004', `reading ${where} failed: ${oneLine((e as Error)?.message ?? String(e))}`, 'internal');
    },
    close: () => agent.destroy(),
  };
}

const TRANSPORT: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'the connection was reset',
  ETIMEDOUT: `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`,
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EPIPE: 'the connection was closed',
};

function describeTransport(e: unknown): string {
  // Node's happy-eyeballs connect reports an AggregateError of one error per address.
  const err = (e instanceof AggregateError && e.errors[0] ? e.errors[0] : e) as NodeJS.ErrnoException & { hostname?: string };
  const code = err.code ?? (e as NodeJS.ErrnoException).code ?? '';
  if (TRANSPORT[code]) return TRANSPORT[code];
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `host ${err.hostname ?? ''} not found`.replace('  ', ' ');
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL/.test(code)) return `TLS: ${oneLine(err.message)} (${code})`;
  return oneLine(err.message ?? String(e)) + (code ? ` (${code})` : '');
}
