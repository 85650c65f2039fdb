// When the bridge syncs. Pure: every method takes the time.
//
// Two kinds of run: a full one (relist every Service, then write) every `intervalMs`, and an event
// one (write from the cached Services) soon after a change was seen, on either side. Events are a
// trigger only: the full runs make a missed event harmless. Bursts of events collapse into one run,
// and event runs are at least `minEventIntervalMs` apart. A failed run is retried with exponential
// backoff, keeping its kind; a full run due covers any event run due.
import { backoff, type Backoff } from '../common/backoff.js';

export type RunKind = 'full' | 'event';

export interface SchedulerOptions {
  /** @default 60000 */
  intervalMs?: number;
  /** @default 5000 */
  minEventIntervalMs?: number;
  /** Retry waits after failures. @default 1 s doubling to 30 s, full jitter */
  retry?: Backoff;
}

export class SyncScheduler {
  readonly intervalMs: number;
  readonly minEventIntervalMs: number;
  private readonly retry: Backoff;
  private nextFullAt: number;
  private nextEventAt: number | undefined;
  private lastRunAt: number | undefined;
  /** Last successful run of any kind. */
  lastSuccessAt: number | undefined;
  /** Failures in a row. */
  failures = 0;

  constructor(now: number, opts: SchedulerOptions = {}) {
    this.intervalMs = opts.intervalMs ?? 60_000;
    this.minEventIntervalMs = opts.minEventIntervalMs ?? 5_000;
    this.retry = opts.retry ?? backoff({ minMs: 1000, maxMs: 30_000 });
    // The first run is a full one, at once.
    this.nextFullAt = now;
  }

  /** Something changed: an event run at the earliest allowed time, unless one is due sooner. */
  event(now: number): void {
    const earliest = this.lastRunAt === undefined ? now : Math.max(now, this.lastRunAt + this.minEventIntervalMs);
    if (this.nextFullAt <= earliest) return;
    this.nextEventAt = this.nextEventAt === undefined ? earliest : Math.min(this.nextEventAt, earliest);
  }

  /** Ask for a full run now (after a new ZooKeeper session, say). */
  full(now: number): void {
    this.nextFullAt = Math.min(this.nextFullAt, now);
  }

  /** The run due at `now`, if any. */
  due(now: number): RunKind | undefined {
    if (this.nextFullAt <= now) return 'full';
    if (this.nextEventAt !== undefined && this.nextEventAt <= now) return 'event';
    return undefined;
  }

  /** When the next run is due. */
  nextAt(): number {
    return this.nextEventAt === undefined ? this.nextFullAt : Math.min(this.nextFullAt, this.nextEventAt);
  }

  /**
   * A run starts: it reads the state as of now, so every change seen so far is covered. Changes seen
   * while it runs ask for another run through event().
   */
  begin(kind: RunKind, now: number): void {
    this.lastRunAt = now;
    this.nextEventAt = undefined;
    if (kind === 'full') this.nextFullAt = Number.POSITIVE_INFINITY;
  }

  /** Records the end of the run begun at `startedAt`. */
  finished(kind: RunKind, startedAt: number, now: number, ok: boolean): void {
    if (ok) {
      this.failures = 0;
      this.retry.reset();
      this.lastSuccessAt = now;
      if (kind === 'full') this.nextFullAt = startedAt + this.intervalMs;
      return;
    }
    this.failures++;
    const at = now + this.retry.next();
    if (kind === 'full') this.nextFullAt = Math.min(this.nextFullAt, at);
    else this.nextEventAt = this.nextEventAt === undefined ? at : Math.min(this.nextEventAt, at);
  }

  /** Healthy while the last success is recent (within `factor` intervals) or the first run is still pending. */
  healthy(now: number, startedAt: number, factor = 3): boolean {
    const since = this.lastSuccessAt ?? startedAt;
    return now - since <= factor * this.intervalMs;
  }
}
