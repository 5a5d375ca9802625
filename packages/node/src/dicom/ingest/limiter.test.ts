import { describe, expect, it } from 'vitest';
import { createLimiter } from './limiter.js';

describe('createLimiter', () => {
  it('never runs more than its concurrency at once, in arrival order', async () => {
    const limiter = createLimiter(2);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    const job = (i: number) => async () => {
      running++;
      peak = Math.max(peak, running);
      order.push(i);
      await new Promise((r) => setImmediate(r));
      running--;
      return i * 10;
    };
    const results = await Promise.all([0, 1, 2, 3, 4, 5, 6].map((i) => limiter.run(job(i))));
    expect(results).toEqual([0, 10, 20, 30, 40, 50, 60]);
    expect(peak).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(limiter.pending).toBe(0);
  });

  it('frees the slot of a job that throws', async () => {
    const limiter = createLimiter(1);
    await expect(limiter.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await limiter.run(() => 7)).toBe(7);
  });

  it('lets timers and I/O run between queued jobs', async () => {
    const limiter = createLimiter(1);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    const seen: number[] = [];
    await Promise.all(
      [0, 1, 2, 3].map(() =>
        limiter.run(() => {
          const until = Date.now() + 5;
          while (Date.now() < until) {
            // busy: a synchronous CPU job
          }
          seen.push(ticks);
        }),
      ),
    );
    clearInterval(timer);
    // Each job started on a fresh turn of the event loop, after the timer had a chance to fire.
    expect(new Set(seen).size).toBeGreaterThan(1);
  });
});
