import { describe, expect, it } from 'vitest';
import { roundStatus, sampleSites, type SiteReply } from './sampling.js';

const sites = Array.from({ length: 10 }, (_, i) => `site-${String(i).padStart(2, '0')}`);

describe('sampleSites', () => {
  it('asks max(minimum, ceil(fraction n)) distinct sites, all when fewer', () => {
    expect(sampleSites(sites, { fraction: 0.25, minimum: 2 }, 7, 1)).toHaveLength(3);
    expect(sampleSites(sites, { fraction: 0.1, minimum: 4 }, 7, 1)).toHaveLength(4);
    expect(sampleSites(sites, { fraction: 1, minimum: 1 }, 7, 1)).toEqual(sites);
    const chosen = sampleSites(sites, { fraction: 0.5, minimum: 1 }, 7, 3);
    expect(new Set(chosen).size).toBe(5);
    expect(chosen.every((s) => sites.includes(s))).toBe(true);
  });

  it('draws the same sites for the same seed and round, whatever the order of the list', () => {
    const config = { fraction: 0.3, minimum: 2 };
    const a = sampleSites(sites, config, 42, 5);
    expect(sampleSites([...sites].reverse(), config, 42, 5)).toEqual(a);
    const draws = new Set(
      Array.from({ length: 10 }, (_, r) => sampleSites(sites, config, 42, r).join()),
    );
    expect(draws.size).toBeGreaterThan(5);
  });

  it('asks every site about equally often over many rounds', () => {
    const counts = new Map<string, number>();
    const rounds = 4000;
    for (let r = 0; r < rounds; r++) {
      for (const s of sampleSites(sites, { fraction: 0.3, minimum: 1 }, 9, r))
        counts.set(s, (counts.get(s) ?? 0) + 1);
    }
    // Each site is asked with p = 0.3: sd of the count is sqrt(4000·0.3·0.7) ≈ 29; allow 5 sd.
    for (const s of sites) expect(Math.abs((counts.get(s) ?? 0) - 1200)).toBeLessThan(145);
  });

  it('refuses when fewer sites are available than the minimum, and bad settings', () => {
    expect(() => sampleSites(sites.slice(0, 2), { fraction: 1, minimum: 3 }, 1, 4)).toThrow(
      'round 4: 2 sites available, the minimum is 3',
    );
    expect(() => sampleSites(sites, { fraction: 0, minimum: 1 }, 1, 1)).toThrow('fraction 0');
    expect(() => sampleSites(sites, { fraction: 0.5, minimum: 0 }, 1, 1)).toThrow('minimum');
    expect(() => sampleSites(['a', 'a'], { fraction: 1, minimum: 1 }, 1, 1)).toThrow('twice');
  });
});

describe('roundStatus', () => {
  const selected = ['a', 'b', 'c', 'd'];
  const replies = (r: Record<string, SiteReply>): Map<string, SiteReply> =>
    new Map(Object.entries(r));

  it('waits while replies are due and the minimum is reachable', () => {
    const s = roundStatus(selected, replies({ a: 'ok', b: 'failed' }), 3, false);
    expect(s).toEqual({
      state: 'waiting',
      completed: ['a'],
      failed: ['b'],
      timedOut: [],
      pending: ['c', 'd'],
    });
  });

  it('completes without a failed site while the minimum holds', () => {
    const s = roundStatus(selected, replies({ a: 'ok', b: 'failed', c: 'ok', d: 'ok' }), 3, false);
    expect(s.state).toBe('complete');
    expect(s.completed).toEqual(['a', 'c', 'd']);
    expect(s.failed).toEqual(['b']);
  });

  it('at the deadline, reports the silent sites as timed out and settles', () => {
    const s = roundStatus(selected, replies({ a: 'ok', c: 'ok' }), 2, true);
    expect(s).toMatchObject({ state: 'complete', timedOut: ['b', 'd'], pending: [] });
    expect(roundStatus(selected, replies({ a: 'ok' }), 2, true).state).toBe('short');
  });

  it('settles short early once the minimum can no longer be reached', () => {
    const s = roundStatus(selected, replies({ a: 'failed', b: 'failed' }), 3, false);
    expect(s.state).toBe('short');
    expect(s.pending).toEqual(['c', 'd']);
  });

  it('ignores replies from sites it did not ask', () => {
    const s = roundStatus(['a'], replies({ a: 'ok', z: 'ok' }), 1, false);
    expect(s.completed).toEqual(['a']);
  });
});
