import { describe, expect, it } from 'vitest';
import { firstStepResults, jobResult } from '../../test/support/fixtures.js';
import type { SiteResult } from '../framework.js';
import { createRng } from '../numerics/random.js';
import { getAlgorithm } from '../registry.js';
import { categoricalColumn, makeTable, numberColumn } from '../table-info.js';
import type { Table } from '../table.js';
import { ttest } from './index.js';
import type { TtestParams, TtestResult } from './schemas.js';
import { simulateJob } from '../simulate.js';

interface Row {
  y: number | null;
  arm: string | null;
}

function siteTable(rows: readonly Row[], levels = ['A', 'B']): Table {
  return makeTable({
    y: numberColumn(rows.map((r) => r.y)),
    arm: categoricalColumn(
      rows.map((r) => r.arm),
      levels,
    ),
  });
}

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);
const params: TtestParams = { variable: 'y', group: 'arm' };

describe('ttest', () => {
  it('is registered as a built-in', () => {
    expect(getAlgorithm('ttest')).toBe(ttest);
  });

  it('matches SciPy 1.17 ttest_ind(equal_var=False) on a fixed data set within 1e-9', () => {
    // Reference: scipy.stats.ttest_ind(a, b, equal_var=False) and its confidence_interval(0.95).
    const a = [5.1, 4.9, 6.2, 5.8, 6.0, 5.5, 5.3, 6.4, 4.7, 5.9, 6.1, 5.6];
    const b = [4.2, 4.8, 5.0, 3.9, 4.4, 5.2, 4.6, 4.1, 4.9, 5.3, 4.0, 4.5, 4.7, 3.8, 5.1];
    const rows: Row[] = [
      ...a.map((y) => ({ y, arm: 'A' })),
      ...b.map((y) => ({ y, arm: 'B' })),
      { y: null, arm: 'A' },
      { y: 9, arm: null },
    ];
    const r = jobResult(ttest, params, [siteTable(rows)]) as TtestResult;
    expect(r.n).toBe(27);
    expect(r.groups.A?.count).toBe(12);
    expect(r.groups.B?.count).toBe(15);
    expect(rel(r.statistic, 5.292800482295793)).toBeLessThan(1e-9);
    expect(rel(r.df, 22.566542886760978)).toBeLessThan(1e-9);
    expect(rel(r.pValue, 2.4012180052387066e-5)).toBeLessThan(1e-9);
    expect(rel(r.ci[0], 0.6442503567075057)).toBeLessThan(1e-9);
    expect(rel(r.ci[1], 1.4724163099591614)).toBeLessThan(1e-9);
    expect(Object.keys(r)).toEqual([
      'n',
      'groups',
      'difference',
      'standardError',
      'statistic',
      'df',
      'pValue',
      'ci',
    ]);
  });

  it('pools uneven sites to the concatenated computation within 1e-12 relative', () => {
    const rng = createRng(31);
    const rows: Row[] = Array.from({ length: 3000 }, () => {
      const arm = rng.uniform() < 0.4 ? 'A' : 'B';
      const y = rng.uniform() < 0.05 ? null : 1e3 + (arm === 'A' ? 2 : 0) + 5 * rng.normal();
      return { y, arm };
    });
    const cuts = [0, 120, 1500, 1700, 3000];
    const tables = cuts.slice(1).map((end, i) => siteTable(rows.slice(cuts[i], end)));
    const r = jobResult(ttest, params, tables) as TtestResult;
    // Independent reference: plain two-pass formulas over all rows.
    const stat = (arm: string) => {
      const v = rows.filter((x) => x.arm === arm && x.y !== null).map((x) => x.y ?? 0);
      const mean = v.reduce((s, x) => s + x, 0) / v.length;
      const varc = v.reduce((s, x) => s + (x - mean) ** 2, 0) / (v.length - 1);
      return { n: v.length, mean, varc };
    };
    const A = stat('A');
    const B = stat('B');
    const se = Math.sqrt(A.varc / A.n + B.varc / B.n);
    const df = se ** 4 / ((A.varc / A.n) ** 2 / (A.n - 1) + (B.varc / B.n) ** 2 / (B.n - 1));
    expect(r.n).toBe(A.n + B.n);
    expect(rel(r.difference, A.mean - B.mean)).toBeLessThan(1e-10);
    expect(rel(r.standardError, se)).toBeLessThan(1e-12);
    expect(rel(r.df, df)).toBeLessThan(1e-12);
    expect(rel(r.groups.B?.sd ?? 0, Math.sqrt(B.varc))).toBeLessThan(1e-12);
  });

  it('refuses MIN_COUNT when a group is small at a site, and the others still pool', () => {
    const rng = createRng(2);
    const big: Row[] = Array.from({ length: 60 }, (_, i) => ({
      y: rng.normal(),
      arm: i % 2 ? 'A' : 'B',
    }));
    const small: Row[] = [
      ...Array.from({ length: 30 }, () => ({ y: rng.normal(), arm: 'A' })),
      ...Array.from({ length: 9 }, () => ({ y: rng.normal(), arm: 'B' })),
    ];
    const { rounds, decision } = simulateJob(ttest, params, [siteTable(small), siteTable(big)]);
    expect(rounds[0]?.[0]).toEqual({
      trust: 'site-1',
      status: 'refused',
      code: 'MIN_COUNT',
      reason: 'group B has fewer than 10 values',
    });
    expect(decision.kind === 'done' && decision.result).toMatchObject({ n: 60 });
  });

  it('uses the named levels, and refuses a group with other than two levels unnamed', () => {
    const rng = createRng(5);
    const rows: Row[] = Array.from({ length: 90 }, (_, i) => ({
      y: rng.normal() + (i % 3),
      arm: ['A', 'B', 'C'][i % 3] ?? 'A',
    }));
    const t = siteTable(rows, ['A', 'B', 'C']);
    expect(firstStepResults(ttest, params, [t])[0]).toMatchObject({
      status: 'refused',
      code: 'INVALID_PARAMS',
    });
    const p: TtestParams = { ...params, levels: ['C', 'A'] };
    const r = jobResult(ttest, p, [t]) as TtestResult;
    expect(Object.keys(r.groups)).toEqual(['C', 'A']);
    expect(r.difference).toBeGreaterThan(0);
    expect(JSON.stringify(firstStepResults(ttest, p, [t]))).not.toMatch(/min|max/i);
  });

  it('fails NO_SITES, INVALID_OUTPUT and LEVEL_MISMATCH at the hub', () => {
    const g = { count: 10, mean: 1, m2: 2 };
    expect(ttest.aggregate(params, null, 'groups', [])).toMatchObject({ code: 'NO_SITES' });
    const bad: SiteResult[] = [{ trust: 's', status: 'ok', output: { levels: ['A'] } }];
    expect(ttest.aggregate(params, null, 'groups', bad)).toMatchObject({ code: 'INVALID_OUTPUT' });
    const mixed: SiteResult[] = [
      { trust: 's1', status: 'ok', output: { levels: ['A', 'B'], groups: [g, g] } },
      { trust: 's2', status: 'ok', output: { levels: ['B', 'A'], groups: [g, g] } },
    ];
    expect(ttest.aggregate(params, null, 'groups', mixed)).toMatchObject({
      code: 'LEVEL_MISMATCH',
    });
  });

  it.each([
    ['an unknown field', { ...params, extra: 1 }],
    ['paired true', { ...params, paired: true }],
    ['equal levels', { ...params, levels: ['A', 'A'] }],
    ['variable equal to group', { variable: 'y', group: 'y' }],
  ])('refuses params with %s', (_w, p) => {
    expect(ttest.params.safeParse(p).success).toBe(false);
  });
});
