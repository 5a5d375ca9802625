import { setImmediate as yieldToLoop } from 'node:timers/promises';

/** Runs at most `concurrency` jobs at once; the rest wait in arrival order. */
export interface Limiter {
  run<T>(job: () => T | Promise<T>): Promise<T>;
  /** Jobs running or waiting. */
  readonly pending: number;
}

/**
 * A small FIFO limiter for the store's CPU work (parse, de-identify, encode). Each job starts on
 * a fresh turn of the event loop (setImmediate), so sockets are served between two instances
 * however many are queued: the receiver's C-STORE responses wait for their outcome, the event
 * loop does not starve.
 */
export function createLimiter(concurrency: number): Limiter {
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new RangeError('concurrency must be a positive integer');
  let running = 0;
  const waiting: (() => void)[] = [];
  // A finished job hands its slot straight to the next waiter, so a caller arriving in between
  // cannot take it too.
  const next = (): void => {
    const wake = waiting.shift();
    if (wake === undefined) running--;
    else wake();
  };
  return {
    get pending() {
      return running + waiting.length;
    },
    async run<T>(job: () => T | Promise<T>): Promise<T> {
      if (running >= concurrency) await new Promise<void>((r) => waiting.push(r));
      else running++;
      try {
        await yieldToLoop();
        return await job();
      } finally {
        next();
      }
    },
  };
}
