import { describe, expect, it } from 'vitest';
import { firstStepResults, jobResult } from '../../test/support/fixtures.js';
import type { SiteResult } from '../framework.js';
import { createRng } from '../numerics/random.js';
import { makeTable, numberColumn } from '../table-info.js';
import type { Table } from '../table.js';
import { ttest } from './index.js';
import type { TtestPairedResult, TtestParams } from './schemas.js';

type Pair = [number | null, number | null];

const siteTable = (rows: readonly Pair[]): Table =>
  makeTable({
    pre: numberColumn(rows.map((r) => r[0])),
    post: numberColumn(rows.map((r) => r[1])),
  });

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);
const params: TtestParams = { paired: true, variable: 'pre', variable2: 'post' };

describe('ttest paired', () => {
  it('reads variable and variable2', () => {
    expect(ttest.variables(params)).toEqual(['pre', 'post']);
    expect(ttest.params.safeParse(params).success).toBe(true);
    expect(ttest.params.safeParse({ ...params, variable2: 'pre' }).success).toBe(false);
    expect(ttest.params.safeParse({ ...params, group: 'g' }).success).toBe(false);
  });

  it('matches SciPy 1.17 ttest_rel on a fixed data set within 1e-9', () => {
    // Reference: scipy.stats.ttest_rel(a, b) → t 4.530573152356945, p 0.0008570249583434707,
    // df 11, confidence_interval(0.95) = (0.5399024162331539, 1.5600975837668463).
    const a = [5.1, 4.9, 6.2, 5.8, 6.0, 5.5, 5.3, 6.4, 4.7, 5.9, 6.1, 5.6];
    const b = [4.2, 4.8, 5.0, 3.9, 4.4, 5.2, 4.6, 4.1, 4.9, 5.3, 4.0, 4.5];
    const rows: Pair[] = a.map((x, i) => [x, b[i] ?? null]);
    rows.push([3, null], [null, 4]);
    const r = jobResult(ttest, params, [siteTable(rows)]) as TtestPairedResult;
    expect(r.n).toBe(12);
    expect(r.df).toBe(11);
    expect(rel(r.statistic, 4.530573152356945)).toBeLessThan(1e-9);
    expect(rel(r.pValue, 0.0008570249583434707)).toBeLessThan(1e-9);
    expect(rel(r.ci[0], 0.5399024162331539)).toBeLessThan(1e-9);
    expect(rel(r.ci[1], 1.5600975837668463)).toBeLessThan(1e-9);
  });

  it('pools uneven sites to the concatenated differences within 1e-12 relative', () => {
    const rng = createRng(8);
    const rows: Pair[] = Array.from({ length: 2000 }, () => {
      const base = 120 + 15 * rng.normal();
      return [rng.uniform() < 0.05 ? null : base, base - 2 + 5 * rng.normal()];
    });
    const cuts = [0, 90, 1300, 2000];
    const tables = cuts.slice(1).map((end, i) => siteTable(rows.slice(cuts[i], end)));
    const r = jobResult(ttest, params, tables) as TtestPairedResult;
    const d = rows
      .filter((p) => p[0] !== null && p[1] !== null)
      .map((p) => (p[0] ?? 0) - (p[1] ?? 0));
    const mean = d.reduce((s, x) => s + x, 0) / d.length;
    const sd = Math.sqrt(d.reduce((s, x) => s + (x - mean) ** 2, 0) / (d.length - 1));
    expect(r.n).toBe(d.length);
    expect(rel(r.difference, mean)).toBeLessThan(1e-12);
    expect(rel(r.sd, sd)).toBeLessThan(1e-12);
    expect(rel(r.statistic, mean / (sd / Math.sqrt(d.length)))).toBeLessThan(1e-12);
  });

  it('refuses MIN_COUNT with fewer complete pairs than minCount; fails on a two-sample output', () => {
    const rows: Pair[] = Array.from({ length: 30 }, (_, i) => [i, i < 21 ? null : i + 1]);
    expect(firstStepResults(ttest, params, [siteTable(rows)])[0]).toEqual({
      trust: 'site-1',
      status: 'refused',
      code: 'MIN_COUNT',
      reason: 'fewer than 10 complete pairs',
    });
    const g = { count: 10, mean: 1, m2: 2 };
    const twoSample: SiteResult[] = [
      { trust: 's', status: 'ok', output: { levels: ['A', 'B'], groups: [g, g] } },
    ];
    expect(ttest.aggregate(params, null, 'groups', twoSample)).toMatchObject({
      code: 'INVALID_OUTPUT',
    });
  });
});
