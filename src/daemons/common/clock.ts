// Time as the daemons see it. Everything that waits or reads the time takes a Clock, so tests can
// run minutes of daemon time in milliseconds (see `manualClock` in test/helpers or a fake of your own).

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason (an AbortError) when it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** An error shaped like the one Node's timers/promises raise on abort. */
export function abortError(signal?: AbortSignal): Error {
  const reason = signal?.reason as unknown;
  if (reason instanceof Error) return reason;
  const e = new Error('the operation was aborted');
  e.name = 'AbortError';
  return e;
}

export function isAbortError(e: unknown): boolean {
  return e instanceof Error && e.name === 'AbortError';
}

/** The wall clock and real timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep(ms, signal) {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(abortError(signal));
      const onAbort = () => {
        clearTimeout(timer);
        reject(abortError(signal));
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, Math.max(0, ms));
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  },
};

/**
 * A clock whose time moves only when told to: `advance(ms)` runs every sleeper due by then, in
 * order of wake-up time. For tests of loops that would otherwise wait for real.
 */
export interface ManualClock extends Clock {
  advance(ms: number): Promise<void>;
  /** Sets the time (never backwards) and wakes the sleepers due. */
  set(ms: number): Promise<void>;
  /** How many sleepers are waiting. */
  pending(): number;
}

export function manualClock(start = 0): ManualClock {
  let t = start;
  let seq = 0;
  const sleepers: Array<{ at: number; seq: number; wake: () => void }> = [];
  const flush = () => new Promise<void>((r) => setImmediate(r));
  const clock: ManualClock = {
    now: () => t,
    sleep(ms, signal) {
      return new Promise((resolve, reject) => {
        if (signal?.aborted) return reject(abortError(signal));
        const entry = { at: t + Math.max(0, ms), seq: seq++, wake: () => resolve() };
        sleepers.push(entry);
        signal?.addEventListener(
          'abort',
          () => {
            const i = sleepers.indexOf(entry);
            if (i >= 0) sleepers.splice(i, 1);
            reject(abortError(signal));
          },
          { once: true },
        );
      });
    },
    async advance(ms) {
      await clock.set(t + ms);
    },
    async set(target) {
      for (;;) {
        await flush();
        sleepers.sort((a, b) => a.at - b.at || a.seq - b.seq);
        const next = sleepers[0];
        if (!next || next.at > target) break;
        sleepers.shift();
        t = Math.max(t, next.at);
        next.wake();
      }
      t = Math.max(t, target);
      await flush();
    },
    pending: () => sleepers.length,
  };
  return clock;
}
