// Where the directory lives, as the bridge and the registrants see it: two nodes (the document and
// its owners) read together and written together only if neither changed since the read. The
// ZooKeeper implementation is zookeeper-store.ts; MemoryDirectoryStore below has the same
// version semantics for unit tests.
//
// updateDirectory() is the compare-and-set loop every writer uses: read, merge its own entries,
// write against the versions read, and on a conflict read again after a short jittered wait.
import { KuberatorError } from '../../errors.js';
import { backoff } from '../common/backoff.js';
import type { Clock } from '../common/clock.js';
import { DEFAULT_MAX_DOCUMENT_BYTES, decodeDocument, decodeOwners, DocumentError, encodeDocument, encodeOwners, type MergeResult, type Owners, type ServiceDocument } from './document.js';

export interface StoredNode {
  data: Buffer;
  /** ZooKeeper's data version of the node. */
  version: number;
}

/** Both nodes as read; an absent node is undefined. */
export interface Snapshot {
  document?: StoredNode;
  owners?: StoredNode;
}

export type CommitResult = { ok: true; documentVersion: number } | { ok: false; conflict: string };

export interface DirectoryStore {
  readonly documentPath: string;
  readonly ownersPath: string;
  read(): Promise<Snapshot>;
  /**
   * Writes the nodes given (undefined: leave that node as it is, but still require it unchanged),
   * creating absent ones, all or nothing, provided both are as in `base`. A conflict (a version moved,
   * a node appeared or vanished) is a result, not an error.
   */
  commit(base: Snapshot, document: Buffer | undefined, owners: Buffer | undefined): Promise<CommitResult>;
  /**
   * Calls `listener` when the document node changes, and with 'session' after a new session was
   * established (the old one expired or was abandoned), when changes may have been missed.
   */
  onChange(listener: (why: 'document' | 'session') => void): () => void;
  close(): Promise<void>;
}

/** The store cannot be reached now (connection loss, timeout, expired session); worth retrying. */
export class DirectoryUnavailable extends KuberatorError {
  constructor(message: string) {
    super('KBR-DISC010', message);
  }
}

/** Every compare-and-set attempt met a concurrent write. */
export class DirectoryContended extends KuberatorError {
  constructor(tries: number) {
    super('KBR-DISC011', `the directory changed under each of ${tries} write attempts; giving up for now`);
  }
}

export class DocumentTooLarge extends KuberatorError {
  constructor(
    readonly bytes: number,
    readonly limit: number,
  ) {
    super('KBR-DISC012', `the directory document would be ${bytes} bytes, above the limit of ${limit} (ZooKeeper refuses nodes near 1 MiB); nothing was written`);
  }
}

export interface UpdateOptions {
  clock: Clock;
  signal?: AbortSignal;
  /** @default 10 */
  maxTries?: number;
  /** @default DEFAULT_MAX_DOCUMENT_BYTES */
  maxBytes?: number;
  /** Compute but do not write. */
  dryRun?: boolean;
  /** For tests: the source of jitter. */
  random?: () => number;
}

export interface UpdateResult {
  /** The merge as applied to the last read. */
  merge: MergeResult;
  /** The bytes written (or, with dryRun or no change, that would be / are there). */
  document: Buffer;
  /** Whether a write happened. */
  written: boolean;
  /** Whether the merged document differs from the stored one. */
  changed: boolean;
  /** Write attempts that met a concurrent change. */
  conflicts: number;
  /** The document's version after this update (undefined when it does not exist). */
  version?: number;
}

/**
 * The compare-and-set loop. `merge` gets the decoded directory and returns what it should become;
 * nothing is written when neither node's bytes change.
 */
export async function updateDirectory(
  store: DirectoryStore,
  merge: (doc: ServiceDocument, owners: Owners) => MergeResult,
  opts: UpdateOptions,
): Promise<UpdateResult> {
  const maxTries = opts.maxTries ?? 10;
  const limit = opts.maxBytes ?? DEFAULT_MAX_DOCUMENT_BYTES;
  const wait = backoff({ minMs: 50, maxMs: 500, random: opts.random });
  let conflicts = 0;
  for (let attempt = 1; ; attempt++) {
    const snap = await store.read();
    const doc = decodeDocument(snap.document?.data);
    const owners = decodeOwners(snap.owners?.data);
    const m = merge(doc, owners);
    const docBytes = encodeDocument(m.document);
    const ownerBytes = encodeOwners(m.owners);
    const docChanged = !snap.document || !snap.document.data.equals(docBytes);
    const ownersChanged = !snap.owners || !snap.owners.data.equals(ownerBytes);
    // An absent document with nothing to put in it stays absent.
    const nothing = !snap.document && !snap.owners && m.document.services.length === 0;
    if ((!docChanged && !ownersChanged) || nothing) {
      return { merge: m, document: snap.document?.data ?? docBytes, written: false, changed: false, conflicts, version: snap.document?.version };
    }
    if (docBytes.length > limit) throw new DocumentTooLarge(docBytes.length, limit);
    if (opts.dryRun) return { merge: m, document: docBytes, written: false, changed: docChanged, conflicts, version: snap.document?.version };
    const r = await store.commit(snap, docChanged ? docBytes : undefined, ownersChanged ? ownerBytes : undefined);
    if (r.ok) return { merge: m, document: docBytes, written: true, changed: docChanged, conflicts, version: r.documentVersion };
    conflicts++;
    if (attempt >= maxTries) throw new DirectoryContended(attempt);
    await opts.clock.sleep(wait.next(), opts.signal);
  }
}

// ---- the in-memory store ----

/**
 * A DirectoryStore in memory with ZooKeeper's version rules: a node starts at version 0, each write
 * adds one, and a commit against stale versions is a conflict. `write()` changes a node as an
 * outside writer would (listeners hear of it); `failNext()` makes the next operations fail as an
 * unreachable server does; `expire()` tells listeners a new session began.
 */
export class MemoryDirectoryStore implements DirectoryStore {
  private nodes = new Map<string, StoredNode>();
  private listeners = new Set<(why: 'document' | 'session') => void>();
  private failures = 0;
  commits = 0;

  constructor(
    readonly documentPath = '/service-directory/services',
    readonly ownersPath = '/service-directory/services.owners',
  ) {}

  async read(): Promise<Snapshot> {
    this.maybeFail();
    const d = this.nodes.get(this.documentPath);
    const o = this.nodes.get(this.ownersPath);
    return { ...(d ? { document: { ...d } } : {}), ...(o ? { owners: { ...o } } : {}) };
  }

  async commit(base: Snapshot, document: Buffer | undefined, owners: Buffer | undefined): Promise<CommitResult> {
    this.maybeFail();
    const same = (path: string, n: StoredNode | undefined) => this.nodes.get(path)?.version === n?.version;
    if (!same(this.documentPath, base.document)) return { ok: false, conflict: this.documentPath };
    if (!same(this.ownersPath, base.owners)) return { ok: false, conflict: this.ownersPath };
    this.commits++;
    if (owners) this.put(this.ownersPath, owners);
    if (document) this.put(this.documentPath, document);
    if (document) this.emit('document');
    return { ok: true, documentVersion: this.nodes.get(this.documentPath)?.version ?? -1 };
  }

  onChange(listener: (why: 'document' | 'session') => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }

  /** Writes a node as another client would. */
  write(path: string, data: Buffer | string): void {
    this.put(path, Buffer.from(data));
    if (path === this.documentPath) this.emit('document');
  }

  node(path: string): StoredNode | undefined {
    return this.nodes.get(path);
  }

  failNext(n: number): void {
    this.failures = n;
  }

  expire(): void {
    this.emit('session');
  }

  private put(path: string, data: Buffer): void {
    const prev = this.nodes.get(path);
    this.nodes.set(path, { data: Buffer.from(data), version: prev ? prev.version + 1 : 0 });
  }

  private emit(why: 'document' | 'session'): void {
    for (const l of this.listeners) l(why);
  }

  private maybeFail(): void {
    if (this.failures > 0) {
      this.failures--;
      throw new DirectoryUnavailable('the in-memory store is set to fail');
    }
  }
}

export { DocumentError };
