import { describe, expect, it } from 'vitest';
import { expectWithin, GAUSSIAN, LAPLACE, noiseSd, plainAndNoisy } from '../../test/support/dp.js';
import { createRng } from '../numerics/random.js';
import { simulateJob } from '../simulate.js';
import { categoricalColumn, makeTable, numberColumn } from '../table-info.js';
import type { Table } from '../table.js';
import { summary } from './index.js';
import type { CategoricalSummary, NumericSummary, SummaryResult } from './schemas.js';

function site(seed: number, rows: number, rare = 0): Table {
  const rng = createRng(seed);
  const age = Array.from({ length: rows }, () =>
    rng.uniform() < 0.1 ? null : 50 + rng.normal() * 12,
  );
  const sex = Array.from({ length: rows }, () => (rng.uniform() < 0.5 ? 'F' : 'M'));
  // `rare` rows of a level of their own: a small cell, suppressed at this site.
  return makeTable({
    age: numberColumn([...age, ...new Array<number>(rare).fill(40)]),
    sex: categoricalColumn([...sex, ...new Array<string>(rare).fill('X')]),
  });
}

const PARAMS = { variables: ['age', 'sex'] };
const TABLES = [site(1, 800), site(2, 600), site(3, 400, 3)];
const BOUNDS = { age: [0, 120] as [number, number] };

describe('summary with dp', () => {
  it.each([
    ['laplace', LAPLACE],
    ['gaussian', GAUSSIAN],
  ] as const)('%s: noisy counts, levels, mean and sd within 6 sd of the exact ones', (_, spec) => {
    const dp = { ...spec, bounds: BOUNDS };
    const { plain, noisy } = plainAndNoisy<SummaryResult>(summary, PARAMS, dp, TABLES);
    const p = noisy.privacy;
    expect(p).toMatchObject({ mechanism: spec.mechanism, epsilonPerSite: 1, sites: 3 });
    expect(p.deltaPerSite).toBeCloseTo(spec.delta ?? 0, 15);
    expect(Object.keys(p.noiseScale).sort()).toEqual([
      'age.count',
      'age.sum',
      'age.sumOfSquares',
      'sex.levels',
    ]);
    if (spec.mechanism === 'laplace') {
      // ε/4 each: counts Δ = 1 → 4; centred sums Δ = 60 → 240; squares Δ = 3600 → 14400.
      expect(p.noiseScale['age.count']).toBeCloseTo(4, 6);
      expect((p.noiseScale['age.sum'] ?? 0) / 240 - 1).toBeLessThan(1e-4);
      expect((p.noiseScale['age.sumOfSquares'] ?? 0) / 14_400 - 1).toBeLessThan(1e-4);
    }
    const sd = (name: string): number =>
      Math.sqrt(3) * noiseSd(spec.mechanism, p.noiseScale[name] ?? 0);
    const a = plain.variables['age'] as NumericSummary;
    const b = noisy.variables['age'] as NumericSummary;
    expectWithin(b.count, a.count, sd('age.count'), 'age count');
    expectWithin(b.missing, a.missing, sd('age.count'), 'age missing');
    const sdMean = (sd('age.sum') + Math.abs(a.mean - 60) * sd('age.count')) / a.count;
    expectWithin(b.mean, a.mean, sdMean, 'age mean');
    expect(b.mean).not.toBe(a.mean);
    // var = (Q − n·c²)/(n − 1): the sum of squares' noise over n dominates.
    const sdVar =
      (sd('age.sumOfSquares') + 2 * Math.abs(a.mean - 60) * sd('age.sum')) / a.count +
      (((a.mean - 60) ** 2 + (a.sd ?? 0) ** 2) * sd('age.count')) / a.count;
    expectWithin((b.sd ?? 0) ** 2, (a.sd ?? 0) ** 2, sdVar, 'age variance');
    expect(b.min).toBeUndefined();
    const s = plain.variables['sex'] as CategoricalSummary;
    const t = noisy.variables['sex'] as CategoricalSummary;
    for (const [level, n] of Object.entries(s.levels)) {
      expectWithin(t.levels[level] ?? Number.NaN, n, sd('sex.levels'), `sex ${level}`);
    }
    expect(noisy.n).not.toBe(plain.n);
  });

  it('keeps a level suppressed at a site suppressed, and releases no min or max', () => {
    const dp = { ...LAPLACE, bounds: BOUNDS };
    const { plain, noisy } = plainAndNoisy<SummaryResult>(summary, PARAMS, dp, TABLES, {
      policy: { minCount: 10, allowMinMax: true },
    });
    const s = plain.variables['sex'] as CategoricalSummary;
    const t = noisy.variables['sex'] as CategoricalSummary;
    expect(s.suppressed).toContain('X');
    expect(t.suppressed).toEqual(s.suppressed);
    expect(Object.keys(t.levels)).toEqual(Object.keys(s.levels));
    expect((plain.variables['age'] as NumericSummary).min).toBeDefined();
    expect((noisy.variables['age'] as NumericSummary).min).toBeUndefined();
    expect(noisy.minMax).toBeUndefined();
  });

  it('refuses INVALID_PARAMS at the node when a number variable has no bounds', () => {
    const run = simulateJob(summary, { ...PARAMS, dp: LAPLACE }, TABLES);
    expect(run.rounds[0]?.[0]).toMatchObject({
      status: 'refused',
      code: 'INVALID_PARAMS',
      reason: 'dp needs bounds for the number variable age',
    });
  });

  it('refuses dp with groupBy or quantiles, and bounds of variables it does not read', () => {
    const dp = { ...LAPLACE, bounds: BOUNDS };
    expect(summary.params.safeParse({ ...PARAMS, groupBy: 'sex', dp }).success).toBe(false);
    expect(summary.params.safeParse({ ...PARAMS, quantiles: [0.5], dp }).success).toBe(false);
    const stray = summary.params.safeParse({ ...PARAMS, dp: { ...dp, bounds: { bmi: [0, 1] } } });
    expect(stray.error?.issues[0]?.message).toMatch(/bmi/);
  });
});
