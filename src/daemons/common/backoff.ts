// Exponential backoff with full jitter: the n-th wait (n from 0) is uniform in
// [min, min(max, min·factor^(n+1))], so clients retrying the same failure spread out instead of
// arriving together, and the spread doubles (by default) until it reaches the ceiling.

export interface BackoffOptions {
  /** The smallest wait, ms. @default 100 */
  minMs?: number;
  /** The ceiling of the wait, ms. @default 30000 */
  maxMs?: number;
  /** Growth per attempt. @default 2 */
  factor?: number;
  /** A source of uniform numbers in [0, 1); injected by tests. @default Math.random */
  random?: () => number;
}

export interface Backoff {
  /** The wait before the next attempt, ms; each call counts one attempt. */
  next(): number;
  /** Starts over after a success. */
  reset(): void;
  /** Attempts counted since the last reset. */
  readonly attempts: number;
}

export function backoff(opts: BackoffOptions = {}): Backoff {
  const min = opts.minMs ?? 100;
  const max = Math.max(min, opts.maxMs ?? 30_000);
  const factor = opts.factor ?? 2;
  const random = opts.random ?? Math.random;
  if (!(min > 0) || !(factor >= 1)) throw new RangeError(`backoff needs minMs > 0 and factor >= 1, got minMs ${min}, factor ${factor}`);
  let n = 0;
  return {
    next() {
      const ceiling = Math.min(max, min * factor ** (n + 1));
      n++;
      return Math.round(min + random() * (ceiling - min));
    },
    reset() {
      n = 0;
    },
    get attempts() {
      return n;
    },
  };
}

/** The wait for attempt `n` (0-based) without keeping state. */
export function backoffDelay(n: number, opts: BackoffOptions = {}): number {
  const b = backoff(opts);
  for (let i = 0; i < n; i++) b.next();
  return b.next();
}
