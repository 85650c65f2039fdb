// The service directory document and its owners map, as values and as canonical bytes.
//
// The document is what every reader of the directory parses:
//   {"services":[{"name":"…","description":"…","endpoints":["host:port",…]},…]}
// Ownership is not in it. Readers outside Kubernetes may parse the entries strictly, so the entry
// shape stays exactly as published; who wrote an entry lives in a sibling node (`{name: owner}`)
// that writers update in the same ZooKeeper transaction as the document. An entry without an owner
// (written by hand, or before owners existed) belongs to nobody, and no writer changes it.
//
// Canonical form: services sorted by name (code-unit order, so every runtime agrees), endpoints
// normalised, deduplicated and sorted, IPv6 hosts in brackets, fixed key order, one service per
// line. Equal directories therefore have equal bytes, and an unchanged one is never rewritten.
import { KuberatorError } from '../../errors.js';

export interface ServiceEntry {
  name: string;
  description: string;
  /** `host:port`, IPv6 as `[addr]:port`. */
  endpoints: string[];
}

export interface ServiceDocument {
  services: ServiceEntry[];
}

/** Entry name → owner id (`k8s:<cluster>`, `static:<id>`). */
export type Owners = Record<string, string>;

/** ZooKeeper refuses nodes above jute.maxbuffer (1 MiB less a few bytes by default); stay clear of it. */
export const DEFAULT_MAX_DOCUMENT_BYTES = 1_000_000;

export class DocumentError extends KuberatorError {}

const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * One endpoint in canonical form: a lower-case host (IPv6 in brackets, compressed as given) and a
 * decimal port 1–65535. Accepts `host:port`, `[v6]:port` and a bare `v6:port` when the last group
 * is the port (as Kubernetes never writes, but hand-written entries sometimes do).
 */
export function normalizeEndpoint(text: string): string {
  const t = text.trim();
  let host: string;
  let port: string;
  const bracketed = /^\[([0-9a-fA-F:.%a-zA-Z]+)\]:(\d+)$/.exec(t);
  if (bracketed) {
    host = bracketed[1]!;
    port = bracketed[2]!;
  } else {
    const i = t.lastIndexOf(':');
    if (i <= 0) throw new DocumentError('KBR-DISC001', `endpoint '${text}' is not host:port`);
    host = t.slice(0, i);
    port = t.slice(i + 1);
  }
  if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) throw new DocumentError('KBR-DISC001', `endpoint '${text}' has no port between 1 and 65535`);
  host = host.toLowerCase();
  if (host.includes(':')) {
    if (!/^[0-9a-f:.]+(%[0-9a-z._-]+)?$/.test(host)) throw new DocumentError('KBR-DISC001', `endpoint '${text}' has an invalid IPv6 host`);
    return `[${host}]:${Number(port)}`;
  }
  if (!/^[0-9a-z]([0-9a-z._-]*[0-9a-z])?$/.test(host.replace(/\.$/, ''))) throw new DocumentError('KBR-DISC001', `endpoint '${text}' has an invalid host '${host}'`);
  return `${host.replace(/\.$/, '')}:${Number(port)}`;
}

/** `host:port` from a host (IP, IPv6 or DNS name) and a port. */
export function endpoint(host: string, port: number): string {
  return normalizeEndpoint(host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`);
}

export function canonicalEntry(e: ServiceEntry): ServiceEntry {
  if (typeof e.name !== 'string' || e.name.trim() === '') throw new DocumentError('KBR-DISC002', 'a service entry needs a non-empty name');
  return {
    name: e.name.trim(),
    description: typeof e.description === 'string' ? e.description : '',
    endpoints: [...new Set((e.endpoints ?? []).map(normalizeEndpoint))].sort(byCodeUnit),
  };
}

/** Sorted by name; two entries of one name are an error (a name is the key readers look up). */
export function canonicalDocument(doc: ServiceDocument): ServiceDocument {
  const services = doc.services.map(canonicalEntry).sort((a, b) => byCodeUnit(a.name, b.name));
  for (let i = 1; i < services.length; i++) {
    if (services[i]!.name === services[i - 1]!.name) throw new DocumentError('KBR-DISC002', `the directory lists '${services[i]!.name}' twice`);
  }
  return { services };
}

/**
 * Canonical bytes. Endpoints that do not parse (hand-written entries of other owners) are kept as
 * written, sorted with the rest; only the three published fields of an entry are written.
 */
export function encodeDocument(doc: ServiceDocument): Buffer {
  const services = doc.services
    .map((s) => ({ name: s.name, description: s.description ?? '', endpoints: [...new Set(s.endpoints.map(tryNormalize))].sort(byCodeUnit) }))
    .sort((a, b) => byCodeUnit(a.name, b.name));
  for (let i = 1; i < services.length; i++) {
    if (services[i]!.name === services[i - 1]!.name) throw new DocumentError('KBR-DISC002', `the directory lists '${services[i]!.name}' twice`);
  }
  const c = { services };
  if (!c.services.length) return Buffer.from('{"services":[]}\n');
  const lines = c.services.map((s) => JSON.stringify({ name: s.name, description: s.description, endpoints: s.endpoints }));
  return Buffer.from(`{"services":[\n${lines.join(',\n')}\n]}\n`);
}

export function encodeOwners(owners: Owners): Buffer {
  const keys = Object.keys(owners).sort(byCodeUnit);
  if (!keys.length) return Buffer.from('{}\n');
  return Buffer.from(`{\n${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(owners[k])}`).join(',\n')}\n}\n`);
}

/**
 * Reads a document as found. Absent or empty data is an empty directory. Entries that cannot be
 * normalised are kept as written: they belong to someone else, and rewriting them is not ours to do.
 */
export function decodeDocument(data: Buffer | undefined): ServiceDocument {
  if (!data || data.length === 0) return { services: [] };
  let raw: unknown;
  try {
    raw = JSON.parse(data.toString('utf8'));
  } catch (e) {
    throw new DocumentError('KBR-DISC003', `the directory document is not JSON: ${(e as Error).message}`);
  }
  const list = (raw as { services?: unknown } | null)?.services;
  if (!Array.isArray(list)) throw new DocumentError('KBR-DISC003', 'the directory document has no "services" array');
  const services: ServiceEntry[] = [];
  for (const [i, item] of list.entries()) {
    const o = item as { name?: unknown; description?: unknown; endpoints?: unknown } | null;
    if (!o || typeof o.name !== 'string' || !o.name) throw new DocumentError('KBR-DISC003', `services[${i}] of the directory document has no name`);
    const endpoints = Array.isArray(o.endpoints) ? o.endpoints.filter((x): x is string => typeof x === 'string') : [];
    services.push({ name: o.name, description: typeof o.description === 'string' ? o.description : '', endpoints: endpoints.map((x) => tryNormalize(x)) });
  }
  return { services: dedupeByName(services) };
}

function tryNormalize(x: string): string {
  try {
    return normalizeEndpoint(x);
  } catch {
    return x;
  }
}

/** A hand-edited document may repeat a name; the first one wins, as a reader scanning it would. */
function dedupeByName(services: ServiceEntry[]): ServiceEntry[] {
  const seen = new Set<string>();
  return services.filter((s) => (seen.has(s.name) ? false : (seen.add(s.name), true))).map((s) => ({ ...s, endpoints: [...new Set(s.endpoints)].sort(byCodeUnit) }));
}

export function decodeOwners(data: Buffer | undefined): Owners {
  if (!data || data.length === 0) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(data.toString('utf8'));
  } catch (e) {
    throw new DocumentError('KBR-DISC003', `the directory owners node is not JSON: ${(e as Error).message}`);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new DocumentError('KBR-DISC003', 'the directory owners node is not a JSON object');
  const out: Owners = {};
  for (const [k, v] of Object.entries(raw)) if (typeof v === 'string') out[k] = v;
  return out;
}

// ---- merging one owner's entries into the shared directory ----

export interface Change {
  /** Entries this owner wants present, replacing its own entries of the same name. */
  upsert: readonly ServiceEntry[];
  /** Names this owner wants gone (only its own are removed). */
  remove: readonly string[];
}

export interface MergeResult {
  document: ServiceDocument;
  owners: Owners;
  added: string[];
  updated: string[];
  removed: string[];
  /** Names wanted by this owner but held by another owner, or by nobody (left untouched). */
  conflicts: Array<{ name: string; heldBy: string | null }>;
}

/**
 * Applies one owner's change. Entries of other owners, and entries without an owner, are never
 * changed or removed; an upsert of such a name is reported as a conflict instead.
 */
export function mergeOwned(current: ServiceDocument, currentOwners: Owners, owner: string, change: Change): MergeResult {
  const byName = new Map(current.services.map((s) => [s.name, s]));
  const owners: Owners = { ...currentOwners };
  const added: string[] = [];
  const updated: string[] = [];
  const removed: string[] = [];
  const conflicts: MergeResult['conflicts'] = [];

  for (const name of change.remove) {
    if (owners[name] !== owner) continue;
    if (byName.delete(name)) removed.push(name);
    delete owners[name];
  }
  for (const wanted of change.upsert) {
    const e = canonicalEntry(wanted);
    const holder = owners[e.name];
    const existing = byName.get(e.name);
    if (holder !== undefined && holder !== owner) {
      conflicts.push({ name: e.name, heldBy: holder });
      continue;
    }
    if (holder === undefined && existing) {
      conflicts.push({ name: e.name, heldBy: null });
      continue;
    }
    owners[e.name] = owner;
    if (!existing) added.push(e.name);
    else if (!sameEntry(existing, e)) updated.push(e.name);
    byName.set(e.name, e);
  }
  const sort = (xs: string[]) => xs.sort(byCodeUnit);
  return {
    document: { services: [...byName.values()].sort((a, b) => byCodeUnit(a.name, b.name)) },
    owners,
    added: sort(added),
    updated: sort(updated),
    removed: sort(removed),
    conflicts: conflicts.sort((a, b) => byCodeUnit(a.name, b.name)),
  };
}

/** Names this owner holds. */
export function ownedBy(owners: Owners, owner: string): string[] {
  return Object.keys(owners)
    .filter((k) => owners[k] === owner)
    .sort(byCodeUnit);
}

function sameEntry(a: ServiceEntry, b: ServiceEntry): boolean {
  return a.description === b.description && a.endpoints.length === b.endpoints.length && a.endpoints.every((x, i) => x === b.endpoints[i]);
}
