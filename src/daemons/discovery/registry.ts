// Registrants outside Kubernetes (databases, queues, legacy APIs): add, replace, remove and list
// entries of the shared directory under an owner id `static:<id>`, through the same
// compare-and-set loop as the bridge, so both can write at once without losing an update.
import { KuberatorError } from '../../errors.js';
import type { Clock } from '../common/clock.js';
import { canonicalEntry, decodeDocument, decodeOwners, mergeOwned, type ServiceEntry } from './document.js';
import { type DirectoryStore, updateDirectory, type UpdateResult } from './store.js';

export class OwnershipConflict extends KuberatorError {
  constructor(
    readonly entry: string,
    readonly heldBy: string | null,
  ) {
    super('KBR-DISC020', heldBy ? `'${entry}' is held by ${heldBy}; only its owner may change it` : `'${entry}' is in the directory without an owner (written by hand?); remove it by hand first`);
  }
}

export interface RegistryOptions {
  owner: string;
  clock: Clock;
  signal?: AbortSignal;
  maxBytes?: number;
  dryRun?: boolean;
}

/** Adds the entry, or replaces this owner's entry of that name. */
export async function register(store: DirectoryStore, entry: ServiceEntry, opts: RegistryOptions): Promise<UpdateResult> {
  const e = canonicalEntry(entry);
  const r = await updateDirectory(store, (doc, owners) => mergeOwned(doc, owners, opts.owner, { upsert: [e], remove: [] }), opts);
  const c = r.merge.conflicts[0];
  if (c) throw new OwnershipConflict(c.name, c.heldBy);
  return r;
}

/** Removes this owner's entry; a name held by another owner is an error, an absent one is not. */
export async function deregister(store: DirectoryStore, name: string, opts: RegistryOptions): Promise<UpdateResult> {
  let heldBy: string | null | undefined;
  const r = await updateDirectory(
    store,
    (doc, owners) => {
      const holder = owners[name];
      heldBy = holder !== undefined && holder !== opts.owner ? holder : holder === undefined && doc.services.some((s) => s.name === name) ? null : undefined;
      return mergeOwned(doc, owners, opts.owner, { upsert: [], remove: [name] });
    },
    opts,
  );
  if (heldBy !== undefined) throw new OwnershipConflict(name, heldBy);
  return r;
}

export interface ListedEntry extends ServiceEntry {
  owner: string | null;
}

export async function listDirectory(store: DirectoryStore): Promise<{ services: ListedEntry[]; version?: number }> {
  const snap = await store.read();
  const doc = decodeDocument(snap.document?.data);
  const owners = decodeOwners(snap.owners?.data);
  return { services: doc.services.map((s) => ({ ...s, owner: owners[s.name] ?? null })), ...(snap.document ? { version: snap.document.version } : {}) };
}
