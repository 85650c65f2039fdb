// The bridge: keeps this cluster's entries of the shared directory equal to what its Services
// announce, and touches nothing else.
//
// A sync computes the wanted entries from the cached Services and runs the compare-and-set loop
// (store.ts) that merges them under the bridge's owner id. Full syncs relist first; event syncs
// follow Service changes, document changes made by others, and new ZooKeeper sessions. The
// scheduler (scheduler.ts) decides when; failures are retried with backoff and never end the loop.
import type { Clock } from '../common/clock.js';
import type { Health } from '../common/server.js';
import type { Counter, Gauge, Histogram, Registry } from '../common/metrics.js';
import { mergeOwned, ownedBy } from './document.js';
import { type RunKind, SyncScheduler } from './scheduler.js';
import { desiredEntries, type MappingOptions } from './services.js';
import type { ServiceInformer } from './service-watch.js';
import { type DirectoryStore, updateDirectory, type UpdateResult } from './store.js';

export type Policy = 'sync' | 'upsert-only';

export interface BridgeOptions {
  /** `k8s:<cluster-id>`. */
  owner: string;
  /** sync: remove entries whose Service went; upsert-only: never remove. */
  policy: Policy;
  mapping: MappingOptions;
  intervalMs: number;
  minEventIntervalMs: number;
  dryRun: boolean;
  maxBytes: number;
  clock: Clock;
  metrics?: Registry;
  /** Everything worth a log line. */
  log?: (e: BridgeLog) => void;
}

export type BridgeLog =
  | { type: 'sync'; kind: RunKind; report: SyncReport }
  | { type: 'sync-failed'; kind: RunKind; error: string; failures: number }
  | { type: 'directory'; why: 'document' | 'session' };

export interface SyncReport {
  written: boolean;
  changed: boolean;
  added: string[];
  updated: string[];
  removed: string[];
  /** Names this cluster wants but another owner (or nobody) holds. */
  conflicts: Array<{ name: string; heldBy: string | null }>;
  /** Names several Services claim. */
  duplicates: Array<{ name: string; services: string[] }>;
  /** Concurrent writes met on the way. */
  casRetries: number;
  /** Entries this cluster holds after the sync. */
  owned: number;
  version?: number;
  /** The document as written (or as it would be, with --dry-run). */
  document: string;
}

interface BridgeMetrics {
  syncs: Counter;
  casRetries: Counter;
  writes: Counter;
  conflicts: Gauge;
  owned: Gauge;
  bytes: Gauge;
  lastSuccess: Gauge;
  duration: Histogram;
}

export class DiscoveryBridge {
  readonly scheduler: SyncScheduler;
  private readonly startedAt: number;
  private wake: AbortController | undefined;
  private readonly m: BridgeMetrics | undefined;

  constructor(
    private readonly store: DirectoryStore,
    private readonly informer: ServiceInformer,
    private readonly opts: BridgeOptions,
  ) {
    this.startedAt = opts.clock.now();
    this.scheduler = new SyncScheduler(this.startedAt, { intervalMs: opts.intervalMs, minEventIntervalMs: opts.minEventIntervalMs });
    const r = opts.metrics;
    this.m = r && {
      syncs: r.counter('kuberator_discovery_syncs_total', 'Directory syncs by kind (full, event) and result (ok, error).', ['kind', 'result']),
      casRetries: r.counter('kuberator_discovery_cas_retries_total', 'Directory writes that met a concurrent change and were retried.'),
      writes: r.counter('kuberator_discovery_writes_total', 'Directory writes (unchanged documents are not written).'),
      conflicts: r.gauge('kuberator_discovery_ownership_conflicts', 'Entry names this cluster wants that another owner holds.'),
      owned: r.gauge('kuberator_discovery_owned_entries', 'Directory entries this cluster holds.'),
      bytes: r.gauge('kuberator_discovery_document_bytes', 'Size of the directory document; writes above --max-document-bytes are refused.'),
      lastSuccess: r.gauge('kuberator_discovery_last_success_timestamp_seconds', 'When the last sync succeeded.'),
      duration: r.histogram('kuberator_discovery_sync_duration_seconds', 'Duration of a sync, relist included.', ['kind'], [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]),
    };
  }

  /** Something changed; an event sync follows (debounced by the scheduler). */
  notify(): void {
    this.scheduler.event(this.opts.clock.now());
    this.wake?.abort();
  }

  /** A full sync as soon as possible (a new ZooKeeper session may have missed changes). */
  requestFull(): void {
    this.scheduler.full(this.opts.clock.now());
    this.wake?.abort();
  }

  /** One sync: with 'full', relist the Services first. */
  async sync(kind: RunKind, signal?: AbortSignal): Promise<SyncReport> {
    const t0 = this.opts.clock.now();
    if (kind === 'full') await this.informer.relist();
    const desired = desiredEntries(this.informer.services(), this.opts.mapping);
    const wanted = new Set(desired.entries.map((e) => e.name));
    const { owner, policy } = this.opts;
    const r: UpdateResult = await updateDirectory(
      this.store,
      (doc, owners) => mergeOwned(doc, owners, owner, { upsert: desired.entries, remove: policy === 'sync' ? ownedBy(owners, owner).filter((n) => !wanted.has(n)) : [] }),
      { clock: this.opts.clock, signal, dryRun: this.opts.dryRun, maxBytes: this.opts.maxBytes },
    );
    const owned = ownedBy(r.merge.owners, owner).length;
    if (this.m) {
      this.m.casRetries.inc({}, r.conflicts);
      if (r.written) this.m.writes.inc();
      this.m.conflicts.set(r.merge.conflicts.length);
      this.m.owned.set(owned);
      this.m.bytes.set(r.document.length);
      this.m.duration.observe((this.opts.clock.now() - t0) / 1000, { kind });
    }
    return {
      written: r.written,
      changed: r.changed,
      added: r.merge.added,
      updated: r.merge.updated,
      removed: r.merge.removed,
      conflicts: r.merge.conflicts,
      duplicates: desired.duplicates,
      casRetries: r.conflicts,
      owned,
      ...(r.version !== undefined ? { version: r.version } : {}),
      document: r.document.toString('utf8'),
    };
  }

  /** Syncs as scheduled until `signal` aborts. The informer must be running (see startBridge). */
  async run(signal: AbortSignal): Promise<void> {
    const offStore = this.store.onChange((why) => {
      this.opts.log?.({ type: 'directory', why });
      if (why === 'session') this.requestFull();
      else this.notify();
    });
    try {
      while (!signal.aborted) {
        const now = this.opts.clock.now();
        const kind = this.scheduler.due(now);
        if (kind) {
          this.scheduler.begin(kind, now);
          let ok = false;
          try {
            const report = await this.sync(kind, signal);
            ok = true;
            this.opts.log?.({ type: 'sync', kind, report });
          } catch (e) {
            // Stopping interrupts a sync (its relist or its wait); that is no failure.
            if (signal.aborted) break;
            this.opts.log?.({ type: 'sync-failed', kind, error: (e as Error)?.message ?? String(e), failures: this.scheduler.failures + 1 });
          }
          const end = this.opts.clock.now();
          this.scheduler.finished(kind, now, end, ok);
          this.m?.syncs.inc({ kind, result: ok ? 'ok' : 'error' });
          if (ok) this.m?.lastSuccess.set(Math.round(end / 1000));
          continue;
        }
        const wake = (this.wake = new AbortController());
        await this.opts.clock.sleep(Math.max(0, this.scheduler.nextAt() - now), AbortSignal.any([signal, wake.signal])).catch(() => undefined);
        this.wake = undefined;
      }
    } finally {
      offStore();
    }
  }

  health(): Health {
    const now = this.opts.clock.now();
    if (this.scheduler.healthy(now, this.startedAt)) return { ok: true };
    const last = this.scheduler.lastSuccessAt;
    return { ok: false, reason: last === undefined ? `no sync has succeeded in ${Math.round((now - this.startedAt) / 1000)} s` : `the last successful sync was ${Math.round((now - last) / 1000)} s ago` };
  }
}
