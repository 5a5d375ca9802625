import { describe, expect, it } from 'vitest';
import { expectWithin, GAUSSIAN, LAPLACE, noiseSd, plainAndNoisy } from '../../test/support/dp.js';
import { createRng } from '../numerics/random.js';
import { simulateJob } from '../simulate.js';
import { categoricalColumn, makeTable, numberColumn } from '../table-info.js';
import type { Table } from '../table.js';
import { anova } from './index.js';
import type { AnovaResult } from './schemas.js';

function site(seed: number, rows: number, groups = ['a', 'b', 'c']): Table {
  const rng = createRng(seed);
  const g = Array.from({ length: rows }, (_, i) => groups[i % groups.length] ?? 'a');
  const y = g.map((l) => 100 + (l === 'b' ? 5 : l === 'c' ? -5 : 0) + rng.normal() * 15);
  return makeTable({ y: numberColumn(y), g: categoricalColumn(g) });
}

const PARAMS = { variable: 'y', group: 'g' };
const TABLES = [site(1, 600), site(2, 450), site(3, 300)];
const BOUNDS = { y: [0, 200] as [number, number] };

describe('anova with dp', () => {
  it.each([
    ['laplace', LAPLACE],
    ['gaussian', GAUSSIAN],
  ] as const)('%s: noisy group counts and means within 6 sd of the exact ones', (_, dp) => {
    const { plain, noisy } = plainAndNoisy<AnovaResult>(
      anova,
      PARAMS,
      { ...dp, bounds: BOUNDS },
      TABLES,
    );
    const p = noisy.privacy;
    expect(p).toMatchObject({ mechanism: dp.mechanism, epsilonPerSite: 1, sites: 3 });
    expect(p.deltaPerSite).toBeCloseTo(dp.delta ?? 0, 15);
    expect(Object.keys(p.noiseScale).sort()).toEqual(['count', 'y.sum', 'y.sumOfSquares']);
    if (dp.mechanism === 'laplace') {
      // ε/3 each: counts Δ = 1, centred sums Δ = 100 (half the bounds' width), squares 100².
      expect(p.noiseScale['count']).toBeCloseTo(3, 6);
      expect((p.noiseScale['y.sum'] ?? 0) / 300 - 1).toBeLessThan(1e-4);
      expect((p.noiseScale['y.sumOfSquares'] ?? 0) / 30_000 - 1).toBeLessThan(1e-4);
    }
    const sdN = Math.sqrt(3) * noiseSd(dp.mechanism, p.noiseScale['count'] ?? 0);
    const sdS = Math.sqrt(3) * noiseSd(dp.mechanism, p.noiseScale['y.sum'] ?? 0);
    for (const [level, g] of Object.entries(plain.groups)) {
      const n = noisy.groups[level];
      expectWithin(n?.count ?? Number.NaN, g.count, sdN, `${level} count`);
      // mean = mid + S/n: the sum's noise over n, plus the count's noise times |mean − mid| / n.
      const sdMean = (sdS + Math.abs(g.mean - 100) * sdN) / g.count;
      expectWithin(n?.mean ?? Number.NaN, g.mean, sdMean, `${level} mean`);
      expect(n?.mean).not.toBe(g.mean);
    }
    expect(noisy.statistic).toBeGreaterThan(0);
  });

  it('refuses dp without bounds for the variable, naming the field', () => {
    const r = anova.params.safeParse({ ...PARAMS, dp: { mechanism: 'laplace', epsilon: 1 } });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['dp', 'bounds']);
    expect(r.error?.issues[0]?.message).toMatch(/bounds for the variable/);
  });

  it('still refuses a small group (MIN_COUNT) before any noise', () => {
    const tables = [
      site(1, 600),
      makeTable({
        y: numberColumn([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]),
        g: categoricalColumn(['a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'b']),
      }),
    ];
    const run = simulateJob(anova, { ...PARAMS, dp: { ...LAPLACE, bounds: BOUNDS } }, tables);
    expect(run.rounds[0]?.[1]).toMatchObject({ status: 'refused', code: 'MIN_COUNT' });
    expect(run.decision.kind).toBe('done');
  });
});
