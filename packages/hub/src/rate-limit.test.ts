import { describe, expect, it } from 'vitest';
import { manualClock } from './clock.js';
import { createRateLimiter } from './rate-limit.js';

describe('rate limiter', () => {
  it('limits a key after `limit` hits in a window, per key, and forgets after the window or a reset', () => {
    const clock = manualClock();
    const l = createRateLimiter({ limit: 2, windowMs: 1_000, clock });
    l.hit('a');
    expect(l.isLimited('a')).toBe(false);
    l.hit('a');
    expect(l.isLimited('a')).toBe(true);
    expect(l.isLimited('b')).toBe(false);
    clock.advance(1_000);
    expect(l.isLimited('a')).toBe(false);
    l.hit('a');
    l.hit('a');
    l.reset('a');
    expect(l.isLimited('a')).toBe(false);
  });
});
