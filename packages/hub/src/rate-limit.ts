import type { Clock } from './clock.js';

/**
 * Counts failures per key in fixed windows (login throttling, node-key guessing). In memory, per
 * process: a restart forgets, which is acceptable for throttling, not for lockout.
 */
export interface RateLimiter {
  /** True when `key` has reached the limit in the current window. */
  isLimited(key: string): boolean;
  /** Records one failure for `key`. */
  hit(key: string): void;
  /** Forgets `key` (after a success). */
  reset(key: string): void;
}

const MAX_KEYS = 50_000;

/** A limiter of `limit` failures per `windowMs` per key. */
export function createRateLimiter(o: {
  limit: number;
  windowMs: number;
  clock: Clock;
}): RateLimiter {
  const windows = new Map<string, { count: number; resetAt: number }>();
  const current = (key: string) => {
    const w = windows.get(key);
    if (w === undefined || w.resetAt <= o.clock.now().getTime()) return undefined;
    return w;
  };
  const prune = () => {
    const now = o.clock.now().getTime();
    for (const [k, w] of windows) if (w.resetAt <= now) windows.delete(k);
    // Still full: an attacker spraying keys; drop the oldest rather than grow without bound.
    while (windows.size >= MAX_KEYS) {
      const first = windows.keys().next();
      if (first.done === true) break;
      windows.delete(first.value);
    }
  };
  return {
    isLimited: (key) => (current(key)?.count ?? 0) >= o.limit,
    hit(key) {
      const w = current(key);
      if (w !== undefined) {
        w.count++;
        return;
      }
      if (windows.size >= MAX_KEYS) prune();
      windows.set(key, { count: 1, resetAt: o.clock.now().getTime() + o.windowMs });
    },
    reset(key) {
      windows.delete(key);
    },
  };
}
