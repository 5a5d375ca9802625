import { describe, expect, it } from 'vitest';
import { firstStepResults, jobResult } from '../../test/support/fixtures.js';
import type { SiteResult } from '../framework.js';
import { evaluateCohort, filterTable } from '../cohort-eval.js';
import { createRng } from '../numerics/random.js';
import { getAlgorithm } from '../registry.js';
import { checkVariables } from '../run-local-step.js';
import { categoricalColumn, makeTable, numberColumn, tableVariables } from '../table-info.js';
import type { Table } from '../table.js';
import { summary } from './index.js';
import { suppressSmallCells } from './local.js';
import {
  summaryLocalOutputSchema,
  type CategoricalStats,
  type CategoricalSummary,
  type NumericSummary,
  type SummaryParams,
  type SummaryResult,
} from './schemas.js';
import { simulateJob } from '../simulate.js';

interface Row {
  age: number | null;
  sbp: number | null;
  sex: string | null;
}

function makeRows(n: number, seed: number): Row[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => ({
    age: rng.uniform() < 0.03 ? null : 60 + 12 * rng.normal(),
    sbp: 1e4 + 130 + 18 * rng.normal(),
    sex: rng.uniform() < 0.02 ? null : rng.uniform() < 0.52 ? 'F' : 'M',
  }));
}

function makeSiteTable(rows: readonly Row[], levels?: string[]): Table {
  return makeTable({
    age: numberColumn(rows.map((r) => r.age)),
    sbp: numberColumn(rows.map((r) => r.sbp)),
    sex: categoricalColumn(
      rows.map((r) => r.sex),
      levels ?? ['F', 'M'],
    ),
  });
}

/** Straightforward two-pass reference over the concatenated rows. */
function reference(xs: readonly (number | null)[]) {
  const v = xs.filter((x): x is number => x !== null);
  const mean = v.reduce((s, x) => s + x, 0) / v.length;
  const sd = Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / (v.length - 1));
  return { count: v.length, missing: xs.length - v.length, mean, sd };
}

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);
const params: SummaryParams = { variables: ['age', 'sbp', 'sex'] };

describe('summary', () => {
  it('is registered as a built-in', () => {
    expect(getAlgorithm('summary')).toBe(summary);
  });

  it('pools uneven sites to the concatenated computation within 1e-12 relative', () => {
    const rows = makeRows(5000, 11);
    const cuts = [0, 37, 1237, 1290, 4100, 5000];
    const tables = cuts.slice(1).map((end, i) => makeSiteTable(rows.slice(cuts[i], end)));
    const result = jobResult(summary, params, tables) as SummaryResult;
    expect(result.n).toBe(5000);
    expect(result.sites).toBe(5);
    for (const name of ['age', 'sbp'] as const) {
      const ref = reference(rows.map((r) => r[name]));
      const got = result.variables[name] as NumericSummary;
      expect(got.count).toBe(ref.count);
      expect(got.missing).toBe(ref.missing);
      expect(rel(got.mean, ref.mean)).toBeLessThan(1e-12);
      expect(rel(got.sd ?? Number.NaN, ref.sd)).toBeLessThan(1e-12);
    }
    const females = rows.filter((r) => r.sex === 'F').length;
    const males = rows.filter((r) => r.sex === 'M').length;
    expect(result.variables.sex).toEqual({
      count: females + males,
      missing: 5000 - females - males,
      levels: { F: females, M: males },
    });
    expect(Object.keys(result)).toEqual(['n', 'sites', 'variables', 'minMax']);
    expect(result.minMax).toBe('withheld by every site');
  });

  it('refuses a site whose cohort is below minCount, and reports it, while others pool', () => {
    const rows = makeRows(200, 3);
    const tables = [makeSiteTable(rows.slice(0, 9)), makeSiteTable(rows.slice(9))];
    const { rounds, decision } = simulateJob(summary, params, tables);
    expect(rounds[0]?.[0]).toEqual({
      trust: 'site-1',
      status: 'refused',
      code: 'MIN_COUNT',
      reason: 'cohort has fewer than 10 rows',
    });
    expect(decision.kind === 'done' && decision.result).toMatchObject({ n: 191, sites: 1 });
  });

  it('refuses a site whose cohort filter leaves fewer than minCount rows', () => {
    const table = makeSiteTable(makeRows(300, 4).map((r, i) => ({ ...r, age: i < 6 ? 90 : 40 })));
    const mask = evaluateCohort(table, { variable: 'age', op: '>=', value: 85 });
    const [out] = firstStepResults(summary, params, [filterTable(table, mask)]);
    expect(out).toEqual({
      trust: 'site-1',
      status: 'refused',
      code: 'MIN_COUNT',
      reason: 'cohort has fewer than 10 rows',
    });
  });

  it('refuses the whole site output when one variable has fewer than minCount values', () => {
    const rows = makeRows(30, 5).map((r, i) => ({ ...r, age: i < 22 ? null : 50 }));
    const [out] = firstStepResults(summary, params, [makeSiteTable(rows)]);
    expect(out).toEqual({
      trust: 'site-1',
      status: 'refused',
      code: 'MIN_COUNT',
      reason: 'variable age has fewer than 10 non-missing values',
    });
  });

  it('suppresses small level cells at the site and reports them as suppressed when pooled', () => {
    const rows = makeRows(400, 9).map((r, i) => ({ ...r, sex: i < 3 ? 'X' : (r.sex ?? 'F') }));
    const tables = [
      makeSiteTable(rows.slice(0, 150), ['F', 'M', 'X']),
      makeSiteTable(rows.slice(150), ['F', 'M', 'X']),
    ];
    const results = firstStepResults(summary, params, tables);
    const site0 = summaryLocalOutputSchema.parse(results[0]?.output);
    const sex0 = site0.variables.sex as CategoricalStats;
    expect(Object.keys(sex0.levels)).not.toContain('X');
    expect(sex0.suppressed).toContain('X');
    expect(JSON.stringify(site0)).not.toMatch(/"X":/);
    const sex = (jobResult(summary, params, tables) as SummaryResult).variables
      .sex as CategoricalSummary;
    expect(sex.count).toBe(400);
    expect(sex.suppressed).toContain('X');
    expect(Object.keys(sex.levels)).not.toContain('X');
  });

  it('fails with NO_SITES naming each site when none released', () => {
    const rows = makeRows(20, 1);
    const results: SiteResult[] = [
      ...firstStepResults(summary, params, [makeSiteTable(rows.slice(0, 5))]),
      {
        trust: 'site-b',
        status: 'failed',
        code: 'TIMEOUT',
        reason: 'the local step ran out of time',
      },
    ];
    expect(summary.aggregate(params, null, 'stats', results)).toEqual({
      kind: 'failed',
      code: 'NO_SITES',
      reason:
        'site-1: MIN_COUNT (cohort has fewer than 10 rows); site-b: TIMEOUT (the local step ran out of time)',
    });
  });

  it('fails with INVALID_OUTPUT when a site output does not fit', () => {
    const results: SiteResult[] = [{ trust: 'site-a', status: 'ok', output: { rows: 'many' } }];
    expect(summary.aggregate(params, null, 'stats', results)).toMatchObject({
      kind: 'failed',
      code: 'INVALID_OUTPUT',
    });
  });

  it('never releases min or max, and reports sd null for a single value', () => {
    const rows = makeRows(50, 2);
    const out = firstStepResults(summary, params, [makeSiteTable(rows)]);
    expect(JSON.stringify(out)).not.toMatch(/min|max/i);
    const one = makeTable({ x: numberColumn([4]) });
    const p: SummaryParams = { variables: ['x'] };
    expect(jobResult(summary, p, [one], { minCount: 1, allowMinMax: false })).toEqual({
      n: 1,
      sites: 1,
      variables: { x: { count: 1, missing: 0, mean: 4, sd: null } },
      minMax: 'withheld by every site',
    });
  });
});

describe('summary params', () => {
  const parse = (p: unknown) => summary.params.safeParse(p);

  it('accepts the contract form and an optional minCount', () => {
    expect(parse({ variables: ['age', 'sex'] }).success).toBe(true);
    expect(parse({ variables: ['age'], minCount: 20 }).success).toBe(true);
  });

  it.each([
    ['an unknown field', { variables: ['age'], extra: 1 }],
    ['an empty list', { variables: [] }],
    ['duplicates', { variables: ['age', 'age'] }],
    ['a bad name', { variables: ['1age'] }],
    ['a prototype key', { variables: ['__proto__'] }],
    ['minCount 0', { variables: ['age'], minCount: 0 }],
    ['a fractional minCount', { variables: ['age'], minCount: 2.5 }],
    ['more than 200 variables', { variables: Array.from({ length: 201 }, (_, i) => `v${i}`) }],
  ])('refuses %s', (_what, p) => {
    expect(parse(p).success).toBe(false);
  });
});

describe('summary and checkVariables', () => {
  it('refuses with VARIABLE_MISSING when a variable is not in the table', () => {
    const vars = tableVariables(makeSiteTable(makeRows(10, 1)));
    expect(checkVariables(summary, { variables: ['age', 'weight'] }, vars)).toEqual({
      code: 'VARIABLE_MISSING',
      reason: 'variable not in the dataset: weight',
    });
  });
});

describe('suppressSmallCells', () => {
  const stats = (levels: Record<string, number>) => ({
    kind: 'categorical' as const,
    count: Object.values(levels).reduce((s, n) => s + n, 0),
    missing: 0,
    levels,
    suppressed: [],
  });

  it('releases zero cells and cells at minCount', () => {
    expect(suppressSmallCells(stats({ A: 10, B: 0, C: 25 }), 10).suppressed).toEqual([]);
  });

  it('suppresses a second cell so a single small cell cannot be derived from the total', () => {
    const s = suppressSmallCells(stats({ A: 50, B: 45, C: 3 }), 10);
    expect(s.levels).toEqual({ A: 50 });
    expect(s.suppressed).toEqual(['B', 'C']);
  });

  it('keeps suppressing until the suppressed cells add up to minCount', () => {
    const s = suppressSmallCells(stats({ A: 4, B: 7, C: 11, D: 40 }), 10);
    expect(s.levels).toEqual({ C: 11, D: 40 });
    expect(s.suppressed).toEqual(['A', 'B']);
    // 2 + 3 < 10, so C is suppressed too.
    const t = suppressSmallCells(stats({ A: 2, B: 3, C: 11, D: 40 }), 10);
    expect(t.levels).toEqual({ D: 40 });
    expect(t.suppressed).toEqual(['A', 'B', 'C']);
  });
});
