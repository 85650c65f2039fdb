// The directory in ZooKeeper, through node-zookeeper-client (pure JavaScript, loaded on first use).
//
// That client needs help in three places, which this wrapper adds:
// - It never times out a request: a server that hangs (stopped, partitioned) leaves callbacks
//   pending while the client still says it is connected. Every operation here has a deadline
//   (2/3 of the session timeout by default) and fails with DirectoryUnavailable when it passes.
// - For the same reason it does not notice a hung server. A probe (`exists('/')`) runs every third
//   of the session timeout; two failures in a row while the client claims to be connected, or a
//   disconnection that outlasts twice the session timeout, replace the client with a new one.
// - After `expired` the client is finished. A new client is created, which starts a new session.
// Each new session re-arms the document watch and tells listeners ('session'), because changes
// during the gap were not seen; a reconnection within the same session does too.
//
// Writes are one multi-operation transaction over the document and owners nodes: setData with the
// version read (or create, when the node was absent), or a bare version check for a node left
// as is. BAD_VERSION, NODE_EXISTS and NO_NODE mean someone else wrote first: a conflict.
import type * as Zk from 'node-zookeeper-client';
import { KuberatorError } from '../../errors.js';
import { type Clock, isAbortError } from '../common/clock.js';
import { type CommitResult, type DirectoryStore, DirectoryUnavailable, type Snapshot, type StoredNode } from './store.js';

type ZkModule = typeof Zk;

export interface ZooKeeperStoreOptions {
  /** host:port[,host:port…][/chroot] */
  connect: string;
  documentPath: string;
  /** @default `${documentPath}.owners` */
  ownersPath?: string;
  /** @default 30000 */
  sessionTimeoutMs?: number;
  /** Deadline of one operation. @default 2/3 of the session timeout */
  operationTimeoutMs?: number;
  /** @default 1/3 of the session timeout */
  probeIntervalMs?: number;
  clock: Clock;
  /** Session events, for logs and metrics. */
  onEvent?: (e: StoreEvent) => void;
}

export type StoreEvent =
  | { type: 'connected'; generation: number }
  | { type: 'disconnected'; generation: number }
  | { type: 'expired'; generation: number }
  | { type: 'replaced'; generation: number; reason: string };

export function ownersPathFor(documentPath: string): string {
  return `${documentPath}.owners`;
}

let zkModule: Promise<ZkModule> | undefined;
function loadZk(): Promise<ZkModule> {
  zkModule ??= import('node-zookeeper-client').then((m) => ((m as unknown as { default?: ZkModule }).default ?? m) as ZkModule);
  return zkModule;
}

export class ZooKeeperDirectoryStore implements DirectoryStore {
  readonly documentPath: string;
  readonly ownersPath: string;
  private readonly sessionTimeout: number;
  private readonly opTimeout: number;
  private readonly probeInterval: number;
  private client!: Zk.Client;
  private generation = 0;
  private connectedOnce = false;
  private disconnectedAt: number | undefined;
  private listeners = new Set<(why: 'document' | 'session') => void>();
  private readonly stop = new AbortController();
  private parentReady = false;
  /** Fails the operations pending on a client that is being replaced (its callbacks may never come). */
  private abandon = new Set<(reason: string) => void>();

  private constructor(
    private readonly zk: ZkModule,
    private readonly opts: ZooKeeperStoreOptions,
  ) {
    this.documentPath = opts.documentPath;
    this.ownersPath = opts.ownersPath ?? ownersPathFor(opts.documentPath);
    this.sessionTimeout = opts.sessionTimeoutMs ?? 30_000;
    this.opTimeout = opts.operationTimeoutMs ?? Math.max(500, Math.round((this.sessionTimeout * 2) / 3));
    this.probeInterval = opts.probeIntervalMs ?? Math.max(200, Math.round(this.sessionTimeout / 3));
  }

  /** Starts connecting and returns at once; operations wait for the connection up to their deadline. */
  static async open(opts: ZooKeeperStoreOptions): Promise<ZooKeeperDirectoryStore> {
    for (const p of [opts.documentPath, opts.ownersPath]) {
      if (p !== undefined && (!p.startsWith('/') || p.endsWith('/') || p.includes('//'))) throw new KuberatorError('KBR-DISC013', `'${p}' is not an absolute ZooKeeper path`);
    }
    const store = new ZooKeeperDirectoryStore(await loadZk(), opts);
    store.newClient('start');
    void store.probeLoop();
    return store;
  }

  /** The session generation: 1 for the first client, one more per replacement. */
  get sessions(): number {
    return this.generation;
  }

  onChange(listener: (why: 'document' | 'session') => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async read(): Promise<Snapshot> {
    const [document, owners] = await Promise.all([this.getData(this.documentPath), this.getData(this.ownersPath)]);
    return { ...(document ? { document } : {}), ...(owners ? { owners } : {}) };
  }

  async commit(base: Snapshot, document: Buffer | undefined, owners: Buffer | undefined): Promise<CommitResult> {
    if (!base.document || !base.owners) await this.ensureParent();
    const c = this.client;
    const tx = c.transaction();
    const step = (path: string, was: StoredNode | undefined, data: Buffer | undefined) => {
      if (!was) tx.create(path, data ?? Buffer.alloc(0), this.zk.CreateMode.PERSISTENT);
      else if (data) exactVersion(tx.setData(path, data, was.version), was.version);
      else exactVersion(tx.check(path, was.version), was.version);
    };
    step(this.ownersPath, base.owners, owners);
    step(this.documentPath, base.document, document);
    try {
      const results = await this.call<Array<{ stat?: Zk.Stat }>>('commit', (cb) => tx.commit(cb as never));
      // The document's result is the last one; a create has no stat (its version is 0).
      const last = results[results.length - 1];
      return { ok: true, documentVersion: last?.stat?.version ?? (document && base.document ? base.document.version + 1 : base.document ? base.document.version : 0) };
    } catch (e) {
      const code = (e as { code?: number }).code;
      const E = this.zk.Exception;
      if (code === E.NO_NODE) this.parentReady = false;
      if (code === E.BAD_VERSION || code === E.NODE_EXISTS || code === E.NO_NODE) return { ok: false, conflict: (e as Error).message ?? String(code) };
      throw e;
    }
  }

  async close(): Promise<void> {
    this.stop.abort();
    for (const fail of [...this.abandon]) fail('the store was closed');
    this.listeners.clear();
    // No events from a client being closed on purpose.
    this.client.removeAllListeners();
    try {
      this.client.close();
    } catch {
      // already closed
    }
  }

  // ---- plumbing ----

  private newClient(reason: string): void {
    const old = this.client as Zk.Client | undefined;
    for (const fail of [...this.abandon]) fail(reason);
    if (old) {
      old.removeAllListeners();
      try {
        old.close();
      } catch {
        // a client that never connected may throw on close
      }
    }
    const gen = ++this.generation;
    const c = this.zk.createClient(this.opts.connect, { sessionTimeout: this.sessionTimeout, spinDelay: 200, retries: 0 });
    guardFraming(c);
    this.client = c;
    this.disconnectedAt = this.opts.clock.now();
    if (gen > 1) this.opts.onEvent?.({ type: 'replaced', generation: gen, reason });
    // One watcher function per client: the library registers a function once per path, so re-arming
    // never stacks watchers.
    const watcher = (ev: Zk.Event) => {
      if (this.client !== c || this.stop.signal.aborted) return;
      this.emit('document');
      void this.arm(c, watcher, ev.getName());
    };
    c.on('connected', () => {
      if (this.client !== c) return;
      this.disconnectedAt = undefined;
      this.opts.onEvent?.({ type: 'connected', generation: gen });
      void this.arm(c, watcher, 'connected');
      // The first connection of the first client is not news; every later one may follow a gap.
      if (this.connectedOnce) this.emit('session');
      this.connectedOnce = true;
    });
    c.on('disconnected', () => {
      if (this.client !== c) return;
      this.disconnectedAt ??= this.opts.clock.now();
      this.opts.onEvent?.({ type: 'disconnected', generation: gen });
    });
    c.on('expired', () => {
      if (this.client !== c || this.stop.signal.aborted) return;
      this.opts.onEvent?.({ type: 'expired', generation: gen });
      this.newClient('session expired');
    });
    c.connect();
  }

  /** Sets the watch on the document (exists: it fires on create, change and delete). */
  private async arm(c: Zk.Client, watcher: (e: Zk.Event) => void, _why: string): Promise<void> {
    for (let i = 0; i < 5 && this.client === c && !this.stop.signal.aborted; i++) {
      try {
        await this.withDeadline<Zk.Stat>('watch', (cb) => c.exists(this.documentPath, watcher, cb as never), c);
        return;
      } catch {
        await this.opts.clock.sleep(Math.min(this.opTimeout, 200 * 2 ** i), this.stop.signal).catch(() => undefined);
      }
    }
  }

  private async probeLoop(): Promise<void> {
    let failures = 0;
    while (!this.stop.signal.aborted) {
      try {
        await this.opts.clock.sleep(this.probeInterval, this.stop.signal);
      } catch (e) {
        if (isAbortError(e)) return;
      }
      const c = this.client;
      const state = c.getState();
      const connected = state === this.zk.State.SYNC_CONNECTED || state === this.zk.State.CONNECTED_READ_ONLY;
      if (!connected) {
        failures = 0;
        const since = this.disconnectedAt;
        if (since !== undefined && this.opts.clock.now() - since > 2 * this.sessionTimeout) this.newClient('disconnected for longer than twice the session timeout');
        continue;
      }
      try {
        await this.withDeadline<Zk.Stat>('probe', (cb) => c.exists('/', cb as never), c, this.probeInterval);
        failures = 0;
      } catch {
        if (this.client !== c || this.stop.signal.aborted) continue;
        if (++failures >= 2) {
          failures = 0;
          this.newClient('the server did not answer two probes');
        }
      }
    }
  }

  private async ensureParent(): Promise<void> {
    if (this.parentReady) return;
    const parents = [...new Set([this.documentPath, this.ownersPath].map((p) => p.slice(0, p.lastIndexOf('/'))).filter((p) => p))];
    for (const p of parents) await this.call<string>('mkdirp', (cb) => this.client.mkdirp(p, cb as never));
    this.parentReady = true;
  }

  private async getData(path: string): Promise<StoredNode | undefined> {
    try {
      const [data, stat] = await this.call2<Buffer, Zk.Stat>('getData', (cb) => this.client.getData(path, cb as never));
      return { data: data ?? Buffer.alloc(0), version: stat.version };
    } catch (e) {
      if ((e as { code?: number }).code === this.zk.Exception.NO_NODE) return undefined;
      throw e;
    }
  }

  /** One operation on the current client, within the deadline; transport failures become DirectoryUnavailable. */
  private call<T>(what: string, op: (cb: (err: unknown, value: T) => void) => void): Promise<T> {
    return this.withDeadline(what, op, this.client);
  }

  private call2<A, B>(what: string, op: (cb: (err: unknown, a: A, b: B) => void) => void): Promise<[A, B]> {
    return this.withDeadline<[A, B]>(what, (cb) => op((err, a, b) => cb(err, [a, b])), this.client);
  }

  private withDeadline<T>(what: string, op: (cb: (err: unknown, value: T) => void) => void, c: Zk.Client, ms = this.opTimeout): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const ac = new AbortController();
      const abandon = (reason: string) => finish(() => reject(new DirectoryUnavailable(`ZooKeeper ${this.opts.connect}: ${what} abandoned: ${reason}`)));
      const finish = (f: () => void) => {
        if (settled) return;
        settled = true;
        ac.abort();
        this.abandon.delete(abandon);
        f();
      };
      if (c === this.client) this.abandon.add(abandon);
      this.opts.clock.sleep(ms, ac.signal).then(
        () => finish(() => reject(new DirectoryUnavailable(`ZooKeeper ${this.opts.connect} did not answer ${what} within ${ms} ms`))),
        () => undefined,
      );
      try {
        op((err, value) => {
          if (!err) return finish(() => resolve(value));
          const code = (err as { code?: number }).code;
          const E = this.zk.Exception;
          const transport = code === E.CONNECTION_LOSS || code === E.SESSION_EXPIRED || code === E.OPERATION_TIMEOUT || code === undefined;
          finish(() => reject(transport ? new DirectoryUnavailable(`ZooKeeper ${this.opts.connect}: ${what} failed: ${(err as Error).message ?? String(err)}`) : err));
        });
      } catch (e) {
        finish(() => reject(new DirectoryUnavailable(`ZooKeeper ${this.opts.connect}: ${what} failed: ${(e as Error).message}`)));
      }
    });
  }

  private emit(why: 'document' | 'session'): void {
    for (const l of this.listeners) l(why);
  }
}

/**
 * node-zookeeper-client 1.1.3 builds transaction ops with `version || -1`, so a setData or check
 * against version 0 (every node just created) goes out as -1, "any version": the compare-and-set
 * would silently pass and overwrite a concurrent write. The op just added gets the version back.
 */
function exactVersion(tx: Zk.Transaction, version: number): void {
  const ops = (tx as unknown as { ops: Array<{ version: number }> }).ops;
  ops[ops.length - 1]!.version = version;
}

interface ConnectionInternals {
  pendingBuffer: Buffer | null;
  socket?: { destroy(): void };
  onSocketConnected(this: ConnectionInternals): void;
  onSocketData(this: ConnectionInternals, data: Buffer): void;
}

/**
 * Two weaknesses of node-zookeeper-client 1.1.3's connection, found by reading it: the bytes of a
 * reply cut off by a dropped connection stay buffered and are glued to the first reply of the next
 * connection, so every later reply is framed wrongly; and a reply it cannot decode (an error code it
 * does not know) throws from the socket's data handler, which would end the process. Each new
 * connection starts with an empty buffer here, and a reply that cannot be decoded drops the
 * connection instead: pending calls fail with a connection loss, which the store retries.
 * The handlers are looked up on every connect, so replacing them on the instance covers reconnects.
 */
function guardFraming(client: Zk.Client): void {
  const cm = (client as unknown as { connectionManager?: ConnectionInternals }).connectionManager;
  if (!cm || typeof cm.onSocketData !== 'function' || typeof cm.onSocketConnected !== 'function') return;
  const connected = cm.onSocketConnected;
  const data = cm.onSocketData;
  cm.onSocketConnected = function () {
    this.pendingBuffer = null;
    connected.call(this);
  };
  cm.onSocketData = function (chunk) {
    try {
      data.call(this, chunk);
    } catch {
      this.pendingBuffer = null;
      this.socket?.destroy();
    }
  };
}
