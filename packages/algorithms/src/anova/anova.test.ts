import { describe, expect, it } from 'vitest';
import { firstStepResults, jobResult } from '../../test/support/fixtures.js';
import type { SiteResult } from '../framework.js';
import { createRng } from '../numerics/random.js';
import { getAlgorithm } from '../registry.js';
import { categoricalColumn, makeTable, numberColumn } from '../table-info.js';
import type { Table } from '../table.js';
import { anova } from './index.js';
import type { AnovaParams, AnovaResult } from './schemas.js';

interface Row {
  y: number | null;
  arm: string | null;
}

const LEVELS = ['A', 'B', 'C'];
const siteTable = (rows: readonly Row[]): Table =>
  makeTable({
    y: numberColumn(rows.map((r) => r.y)),
    arm: categoricalColumn(
      rows.map((r) => r.arm),
      LEVELS,
    ),
  });

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);
const params: AnovaParams = { variable: 'y', group: 'arm' };

describe('anova', () => {
  it('is registered as a built-in', () => {
    expect(getAlgorithm('anova')).toBe(anova);
  });

  it('matches SciPy 1.17 f_oneway on a fixed data set within 1e-9, split over two sites', () => {
    // Reference: scipy.stats.f_oneway(a, b, c) → F 16.240538804772576, p 1.1201462580976807e-05;
    // SS between 7.6854369369369415, SS within 8.044833333333335 (numpy, direct).
    const a = [5.1, 4.9, 6.2, 5.8, 6.0, 5.5, 5.3, 6.4, 4.7, 5.9, 6.1, 5.6];
    const b = [4.2, 4.8, 5.0, 3.9, 4.4, 5.2, 4.6, 4.1, 4.9, 5.3, 4.0, 4.5, 4.7, 3.8, 5.1];
    const c = [5.0, 5.5, 4.6, 5.9, 5.2, 4.8, 5.4, 5.1, 5.7, 4.9];
    const rows: Row[] = [
      ...a.map((y) => ({ y, arm: 'A' })),
      ...b.map((y) => ({ y, arm: 'B' })),
      { y: null, arm: 'B' },
    ];
    const site2: Row[] = [...c.map((y) => ({ y, arm: 'C' })), { y: 3, arm: null }];
    const r = jobResult(anova, params, [rows, site2].map(siteTable)) as AnovaResult;
    expect(r.n).toBe(37);
    expect(Object.keys(r.groups)).toEqual(['A', 'B', 'C']);
    expect(r.between.df).toBe(2);
    expect(r.within.df).toBe(34);
    expect(rel(r.between.ss, 7.6854369369369415)).toBeLessThan(1e-9);
    expect(rel(r.within.ss, 8.044833333333335)).toBeLessThan(1e-9);
    expect(rel(r.statistic, 16.240538804772576)).toBeLessThan(1e-9);
    expect(rel(r.pValue, 1.1201462580976807e-5)).toBeLessThan(1e-9);
  });

  it('pools uneven sites to the concatenated computation within 1e-10 relative', () => {
    const rng = createRng(17);
    const rows: Row[] = Array.from({ length: 4000 }, () => {
      const arm = LEVELS[Math.floor(rng.uniform() * 3)] ?? 'A';
      const y = rng.uniform() < 0.05 ? null : 500 + LEVELS.indexOf(arm) * 0.3 + 4 * rng.normal();
      return { y, arm };
    });
    const cuts = [0, 150, 2200, 2500, 4000];
    const tables = cuts.slice(1).map((end, i) => siteTable(rows.slice(cuts[i], end)));
    const r = jobResult(anova, params, tables) as AnovaResult;
    const kept = rows.filter((x) => x.y !== null);
    const grand = kept.reduce((s, x) => s + (x.y ?? 0), 0) / kept.length;
    let ssb = 0;
    let ssw = 0;
    for (const l of LEVELS) {
      const v = kept.filter((x) => x.arm === l).map((x) => x.y ?? 0);
      const mean = v.reduce((s, x) => s + x, 0) / v.length;
      ssb += v.length * (mean - grand) ** 2;
      ssw += v.reduce((s, x) => s + (x - mean) ** 2, 0);
    }
    expect(r.n).toBe(kept.length);
    expect(rel(r.between.ss, ssb)).toBeLessThan(1e-10);
    expect(rel(r.within.ss, ssw)).toBeLessThan(1e-12);
  });

  it('refuses MIN_COUNT when a level has 1 to minCount − 1 values at a site', () => {
    const rows: Row[] = Array.from({ length: 40 }, (_, i) => ({ y: i, arm: i < 5 ? 'C' : 'A' }));
    expect(firstStepResults(anova, params, [siteTable(rows)])[0]).toEqual({
      trust: 'site-1',
      status: 'refused',
      code: 'MIN_COUNT',
      reason: 'group C has fewer than 10 values',
    });
  });

  it('fails NO_SITES, INVALID_OUTPUT and DEGENERATE at the hub', () => {
    expect(anova.aggregate(params, null, 'groups', [])).toMatchObject({ code: 'NO_SITES' });
    const bad: SiteResult[] = [{ trust: 's', status: 'ok', output: { groups: 1 } }];
    expect(anova.aggregate(params, null, 'groups', bad)).toMatchObject({ code: 'INVALID_OUTPUT' });
    const one: SiteResult[] = [
      { trust: 's', status: 'ok', output: { groups: { A: { count: 20, mean: 1, m2: 3 } } } },
    ];
    expect(anova.aggregate(params, null, 'groups', one)).toMatchObject({ code: 'DEGENERATE' });
  });

  it('refuses params with an unknown field', () => {
    expect(anova.params.safeParse({ ...params, levels: ['A'] }).success).toBe(false);
  });
});
