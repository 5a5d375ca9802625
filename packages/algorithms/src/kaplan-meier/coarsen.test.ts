import { describe, expect, it } from 'vitest';
import { createRng } from '../numerics/random.js';
import { coarsenCurve, type RawCurve } from './coarsen.js';

const MIN = 10;
const small = (x: number): boolean => x > 0 && x < MIN;

/** Every number the hub sees or derives from a released curve: cells and at-risk counts. */
function derivedCounts(curve: { events: number[]; censored: number[] }): number[] {
  const out = [...curve.events, ...curve.censored];
  let following = 0;
  for (let j = curve.events.length - 1; j >= 0; j--) {
    following += (curve.events[j] ?? 0) + (curve.censored[j] ?? 0);
    out.push(following);
  }
  return out;
}

describe('coarsenCurve (small-cell control of one curve)', () => {
  it('releases the raw counts unchanged when no cell is small', () => {
    const raw: RawCurve = { events: [12, 0, 15], censored: [10, 0, 20], beyond: 30 };
    expect(coarsenCurve(raw, MIN)).toEqual({
      n: 87,
      events: [12, 0, 15],
      censored: [10, 0, 50],
      deferred: 0,
    });
  });

  it('carries a small event cell forward to the next point, and says so', () => {
    const raw: RawCurve = { events: [3, 12, 15], censored: [0, 0, 10], beyond: 0 };
    expect(coarsenCurve(raw, MIN)).toEqual({
      n: 40,
      events: [0, 15, 15],
      censored: [0, 0, 10],
      deferred: 1,
    });
  });

  it('carries small censored cells separately from events', () => {
    const raw: RawCurve = { events: [12, 11, 0], censored: [4, 4, 4], beyond: 20 };
    expect(coarsenCurve(raw, MIN)).toEqual({
      n: 55,
      events: [12, 11, 0],
      censored: [0, 0, 32],
      deferred: 2,
    });
  });

  it('stops the curve before events that can never be released, censoring the rest there', () => {
    const raw: RawCurve = { events: [12, 0, 4], censored: [0, 10, 0], beyond: 0 };
    expect(coarsenCurve(raw, MIN)).toEqual({
      n: 26,
      events: [12, 0],
      censored: [0, 14],
      deferred: 0,
    });
  });

  it('reports no point at all when every cut would leave a small count', () => {
    const raw: RawCurve = { events: [20], censored: [0], beyond: 3 };
    expect(coarsenCurve(raw, MIN)).toEqual({ n: 23, events: [], censored: [], deferred: 0 });
  });

  it('never releases, nor lets the hub derive, a count between 1 and minCount − 1', () => {
    const rng = createRng(99);
    for (let trial = 0; trial < 2000; trial++) {
      const k = 1 + rng.int(12);
      const cell = (): number => (rng.uniform() < 0.3 ? 0 : rng.int(rng.uniform() < 0.5 ? 12 : 40));
      const raw: RawCurve = {
        events: Array.from({ length: k }, cell),
        censored: Array.from({ length: k }, cell),
        beyond: cell(),
      };
      const out = coarsenCurve(raw, MIN);
      if (out.n >= MIN) expect(derivedCounts(out).filter(small)).toEqual([]);
      const released = derivedCounts(out).slice(-1)[0] ?? 0;
      expect(released).toBe(out.events.length > 0 ? out.n : 0);
      // Events are only ever moved later: released events up to t_j never exceed the raw ones.
      let rawSoFar = 0;
      let outSoFar = 0;
      out.events.forEach((e, j) => {
        rawSoFar += raw.events[j] ?? 0;
        outSoFar += e;
        expect(outSoFar).toBeLessThanOrEqual(rawSoFar);
      });
    }
  });
});
