// The bridge's view of every Service in the cluster: a cache filled by a list and kept current by a
// watch from the list's resourceVersion (an informer, written out because client-node's own stops
// for good on most errors and re-watches in a tight loop after clean closes).
//
// - A watch asks the server to end it after 5–10 minutes (random, so replicas do not reconnect
//   together) and to send bookmarks, so the resourceVersion stays fresh on quiet clusters.
// - A watch that ends cleanly (its timeout) is resumed from the last resourceVersion; if it lasted
//   under a second, only after a backoff wait.
// - 410 Gone (as a status code or an ERROR event): the version is too old; list again at once.
// - Any other error (refused, reset, 5xx): wait with backoff (1 s doubling to 30 s, jittered), then
//   list again, as client-go's reflector does: whatever happened meanwhile, deletions included, is
//   in the new list.
// - A watchdog ends a watch that has been silent longer than its timeout plus a minute (a stalled
//   connection the kernel has not noticed) and lists again.
// - relist() restarts from a fresh list: the bridge's periodic full resync.
import { backoff, type Backoff } from '../common/backoff.js';
import type { Clock } from '../common/clock.js';
import { KuberatorError } from '../../errors.js';
import { type KubeConfigOptions, kubeHttp, loadKubeConfig, statusMessage } from '../common/kube.js';
import { type KubeService, serviceKey } from './services.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/** The API server, as far as Services go. */
export interface ServiceSource {
  list(signal?: AbortSignal): Promise<{ items: KubeService[]; resourceVersion: string }>;
  /**
   * Streams events after `resourceVersion` until the server ends the watch (resolves), or it fails
   * (rejects; WatchGone for 410), or `signal` aborts (rejects with the abort reason).
   */
  watch(resourceVersion: string, timeoutSeconds: number, onEvent: (type: WatchEventType, object: unknown) => void, signal: AbortSignal): Promise<void>;
  close(): void;
}

/** The resourceVersion is older than the server keeps: list again. */
export class WatchGone extends Error {
  constructor() {
    super('the watch resourceVersion is too old (410 Gone)');
    this.name = 'WatchGone';
  }
}

export class KubeRequestError extends KuberatorError {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super('KBR-DISC030', message);
  }
}

export interface InformerOptions {
  clock: Clock;
  /** Called after a list ('list') and after each change of a Service ('event'). */
  onChange?: (why: 'list' | 'event') => void;
  /** Watch restarts and errors, for logs and metrics. */
  onWatch?: (e: { type: 'restart'; reason: 'closed' | 'gone' | 'error' | 'watchdog' | 'relist'; error?: string } | { type: 'listed'; count: number }) => void;
  /** @default 1 s doubling to 30 s */
  retry?: Backoff;
  /** The server-side watch timeout range, seconds. @default [300, 600] */
  watchTimeoutSeconds?: [number, number];
  /** Silence after which a watch is abandoned, ms. @default watch timeout + 60 s */
  watchdogMs?: number;
  random?: () => number;
}

export class ServiceInformer {
  private items = new Map<string, KubeService>();
  private resourceVersion = '';
  private needList = true;
  private relistWanted = false;
  private current: AbortController | undefined;
  private waiters: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  private readonly retry: Backoff;
  private readonly random: () => number;
  /** Whether a list has completed. */
  synced = false;

  constructor(
    private readonly source: ServiceSource,
    private readonly opts: InformerOptions,
  ) {
    this.retry = opts.retry ?? backoff({ minMs: 1000, maxMs: 30_000, random: opts.random });
    this.random = opts.random ?? Math.random;
  }

  /** Every cached Service. */
  services(): KubeService[] {
    return [...this.items.values()];
  }

  /** One list into the cache, no watch (for --once). */
  async loadOnce(signal?: AbortSignal): Promise<void> {
    const r = await this.source.list(signal);
    this.replace(r.items, r.resourceVersion);
  }

  /** Resolves once a list that started after this call has completed; rejects if that list fails. */
  relist(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.relistWanted = true;
      this.current?.abort(new RelistRequested());
    });
  }

  /** Lists and watches until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        if (this.needList || this.relistWanted) {
          const waiting = this.waiters.splice(0);
          this.relistWanted = false;
          try {
            const r = await this.source.list(signal);
            this.replace(r.items, r.resourceVersion);
            this.needList = false;
            for (const w of waiting) w.resolve();
          } catch (e) {
            for (const w of waiting) w.reject(e);
            throw e;
          }
        }
        await this.watchOnce(signal);
      } catch (e) {
        if (signal.aborted) break;
        if (e instanceof RelistRequested) {
          this.opts.onWatch?.({ type: 'restart', reason: 'relist' });
          continue;
        }
        if (e instanceof WatchdogFired) {
          this.needList = true;
          this.opts.onWatch?.({ type: 'restart', reason: 'watchdog' });
          continue;
        }
        if (e instanceof WatchGone) {
          this.needList = true;
          this.opts.onWatch?.({ type: 'restart', reason: 'gone' });
          continue;
        }
        this.needList = true;
        this.opts.onWatch?.({ type: 'restart', reason: 'error', error: (e as Error)?.message ?? String(e) });
        await this.opts.clock.sleep(this.retry.next(), signal).catch(() => undefined);
      }
    }
    for (const w of this.waiters.splice(0)) w.reject(new Error('the informer stopped'));
  }

  private async watchOnce(signal: AbortSignal): Promise<void> {
    const [lo, hi] = this.opts.watchTimeoutSeconds ?? [300, 600];
    const timeoutSeconds = Math.round(lo + this.random() * (hi - lo));
    const watchdogMs = this.opts.watchdogMs ?? timeoutSeconds * 1000 + 60_000;
    const ac = new AbortController();
    const onOuter = () => ac.abort(signal.reason);
    signal.addEventListener('abort', onOuter, { once: true });
    if (this.relistWanted) {
      signal.removeEventListener('abort', onOuter);
      throw new RelistRequested();
    }
    this.current = ac;
    let lastActivity = this.opts.clock.now();
    const started = lastActivity;
    const dog = new AbortController();
    const watchdog = (async () => {
      while (!dog.signal.aborted) {
        const left = lastActivity + watchdogMs - this.opts.clock.now();
        if (left <= 0) {
          ac.abort(new WatchdogFired());
          return;
        }
        await this.opts.clock.sleep(left, dog.signal).catch(() => undefined);
      }
    })();
    try {
      let gone = false;
      await this.source.watch(
        this.resourceVersion,
        timeoutSeconds,
        (type, object) => {
          lastActivity = this.opts.clock.now();
          // A watch that delivers is a connection that works: the next failure starts a new backoff.
          this.retry.reset();
          const o = object as KubeService & { code?: number };
          if (type === 'ERROR') {
            if (o?.code === 410) gone = true;
            ac.abort(o?.code === 410 ? new WatchGone() : new Error(`watch error event: ${statusMessage(o, 'unknown')}`));
            return;
          }
          const rv = o?.metadata?.resourceVersion;
          if (typeof rv === 'string' && rv) this.resourceVersion = rv;
          if (type === 'BOOKMARK') return;
          const key = serviceKey(o);
          if (type === 'DELETED') this.items.delete(key);
          else this.items.set(key, o);
          this.opts.onChange?.('event');
        },
        ac.signal,
      );
      if (ac.signal.aborted) throw ac.signal.reason;
      if (gone) throw new WatchGone();
      // A clean end; resume at once unless it ended suspiciously soon.
      this.opts.onWatch?.({ type: 'restart', reason: 'closed' });
      if (this.opts.clock.now() - started < 1000) await this.opts.clock.sleep(this.retry.next(), signal).catch(() => undefined);
      else this.retry.reset();
    } catch (e) {
      throw ac.signal.aborted ? (ac.signal.reason ?? e) : e;
    } finally {
      dog.abort();
      await watchdog;
      signal.removeEventListener('abort', onOuter);
      if (this.current === ac) this.current = undefined;
    }
  }

  private replace(items: KubeService[], resourceVersion: string): void {
    this.items = new Map(items.map((s) => [serviceKey(s), s]));
    this.resourceVersion = resourceVersion;
    this.synced = true;
    this.opts.onWatch?.({ type: 'listed', count: items.length });
    this.opts.onChange?.('list');
  }
}

class RelistRequested extends Error {
  constructor() {
    super('relist requested');
    this.name = 'RelistRequested';
  }
}

class WatchdogFired extends Error {
  constructor() {
    super('the watch was silent for too long');
    this.name = 'WatchdogFired';
  }
}

// ---- the API server through a kubeconfig ----

const PAGE = 500;

/** Services of the cluster of a kubeconfig context: lists through a JSON client, watches through client-node's streaming Watch. */
export async function kubeServiceSource(opts: KubeConfigOptions): Promise<ServiceSource & { where: string }> {
  const loaded = await loadKubeConfig(opts);
  const http = await kubeHttp(loaded, 8);
  const watcher = new loaded.k8s.Watch(loaded.kc);
  return {
    where: loaded.where,
    async list(signal) {
      const items: KubeService[] = [];
      let next = '';
      let rv = '';
      do {
        const r = await http.request<{ items?: KubeService[]; metadata?: { continue?: string; resourceVersion?: string } }>(
          `/api/v1/services?limit=${PAGE}${next ? `&continue=${encodeURIComponent(next)}` : ''}`,
          { signal, timeoutMs: 30_000 },
        );
        if (r.status !== 200) throw new KubeRequestError(r.status, `listing Services on ${loaded.where} answered ${r.status}${statusMessage(r.body) ? `: ${statusMessage(r.body)}` : ''}`);
        items.push(...(r.body?.items ?? []));
        next = r.body?.metadata?.continue ?? '';
        rv = r.body?.metadata?.resourceVersion ?? rv;
      } while (next);
      return { items, resourceVersion: rv };
    },
    watch(resourceVersion, timeoutSeconds, onEvent, signal) {
      return new Promise<void>((resolve, reject) => {
        if (signal.aborted) return reject(signal.reason);
        let settled = false;
        const settle = (f: () => void) => {
          if (settled) return;
          settled = true;
          signal.removeEventListener('abort', onAbort);
          f();
        };
        let controller: AbortController | undefined;
        const onAbort = () => {
          controller?.abort();
          settle(() => reject(signal.reason));
        };
        signal.addEventListener('abort', onAbort, { once: true });
        watcher
          .watch(
            '/api/v1/services',
            { resourceVersion, allowWatchBookmarks: true, timeoutSeconds },
            (type: string, object: unknown) => {
              if (!settled) onEvent(type as WatchEventType, object);
            },
            (err: unknown) => {
              if (!err) return settle(resolve);
              const status = (err as { statusCode?: number }).statusCode;
              settle(() => reject(status === 410 ? new WatchGone() : err));
            },
          )
          .then((c) => {
            controller = c;
            if (settled) c.abort();
          })
          .catch((e: unknown) => settle(() => reject(e)));
      });
    },
    close: () => http.close(),
  };
}
