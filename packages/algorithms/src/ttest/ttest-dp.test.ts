import { describe, expect, it } from 'vitest';
import { expectWithin, LAPLACE, noiseSd, plainAndNoisy } from '../../test/support/dp.js';
import { createRng } from '../numerics/random.js';
import { categoricalColumn, makeTable, numberColumn } from '../table-info.js';
import type { Table } from '../table.js';
import { ttest } from './index.js';
import type { TtestPairedResult, TtestResult } from './schemas.js';

function site(seed: number, rows: number): Table {
  const rng = createRng(seed);
  const g = Array.from({ length: rows }, (_, i) => (i % 2 === 0 ? 'a' : 'b'));
  const x = g.map((l) => 60 + (l === 'b' ? 4 : 0) + rng.normal() * 10);
  const x2 = x.map((v) => v - 2 + rng.normal() * 3);
  return makeTable({ x: numberColumn(x), x2: numberColumn(x2), g: categoricalColumn(g) });
}

const TABLES = [site(1, 800), site(2, 600), site(3, 400)];
const BOUNDS = { x: [0, 120] as [number, number], x2: [0, 120] as [number, number] };

describe('ttest with dp', () => {
  it('two-sample: noisy counts and means within 6 sd, the report states ε and scales', () => {
    const params = { variable: 'x', group: 'g' };
    const dp = { ...LAPLACE, bounds: BOUNDS };
    const { plain, noisy } = plainAndNoisy<TtestResult>(ttest, params, dp, TABLES);
    const p = noisy.privacy;
    expect(p).toMatchObject({ mechanism: 'laplace', epsilonPerSite: 1, deltaPerSite: 0 });
    expect(p.noiseScale['count']).toBeCloseTo(3, 6);
    expect((p.noiseScale['x.sum'] ?? 0) / 180 - 1).toBeLessThan(1e-4);
    const sdN = Math.sqrt(3) * noiseSd('laplace', p.noiseScale['count'] ?? 0);
    const sdS = Math.sqrt(3) * noiseSd('laplace', p.noiseScale['x.sum'] ?? 0);
    for (const level of ['a', 'b']) {
      const e = plain.groups[level];
      const n = noisy.groups[level];
      if (e === undefined || n === undefined) throw new Error(`no group ${level}`);
      expectWithin(n.count, e.count, sdN, `${level} count`);
      expectWithin(n.mean, e.mean, (sdS + Math.abs(e.mean - 60) * sdN) / e.count, `${level} mean`);
    }
    expect(noisy.difference).not.toBe(plain.difference);
  });

  it('paired: noisy differences within 6 sd; bounds of the difference from both variables', () => {
    const params = { paired: true, variable: 'x', variable2: 'x2' };
    const dp = { ...LAPLACE, bounds: BOUNDS };
    const { plain, noisy } = plainAndNoisy<TtestPairedResult>(ttest, params, dp, TABLES);
    const p = noisy.privacy;
    // clip(x) − clip(x2) lies in [−120, 120]: centred sums have Δ = 120, at ε/3 a scale of 360.
    expect((p.noiseScale['difference.sum'] ?? 0) / 360 - 1).toBeLessThan(1e-4);
    const sdN = Math.sqrt(3) * noiseSd('laplace', p.noiseScale['count'] ?? 0);
    const sdS = Math.sqrt(3) * noiseSd('laplace', p.noiseScale['difference.sum'] ?? 0);
    expectWithin(noisy.n, plain.n, sdN, 'n');
    const sdMean = (sdS + Math.abs(plain.difference) * sdN) / plain.n;
    expectWithin(noisy.difference, plain.difference, sdMean, 'difference');
    expect(noisy.difference).not.toBe(plain.difference);
  });

  it('refuses dp without bounds for a variable it sums', () => {
    const two = ttest.params.safeParse({ variable: 'x', group: 'g', dp: LAPLACE });
    expect(two.success).toBe(false);
    const paired = ttest.params.safeParse({
      paired: true,
      variable: 'x',
      variable2: 'x2',
      dp: { ...LAPLACE, bounds: { x: [0, 1] } },
    });
    expect(paired.success).toBe(false);
    expect(JSON.stringify(paired.error?.issues)).toMatch(/bounds for variable and variable2/);
  });
});
