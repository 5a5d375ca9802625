/*
 * `summary` against R (test/fixtures/summary/make-reference.R): count, missing, mean, sd, level
 * counts, per-group statistics, and the exact sample quantiles of R's types 1 and 7. Counts must
 * match exactly, moments within rtol 1e-6; every quantile's [lower, upper] must hold both R
 * quantiles and the estimate must be within errorBound of them. The same rows split over 1, 3
 * and 5 sites must give the same result (issue 3, "Done when").
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { DisclosurePolicy } from '../../src/framework.js';
import {
  summary,
  type CategoricalSummary,
  type GroupNumericSummary,
  type NumericSummary,
  type SummaryResult,
} from '../../src/summary/index.js';
import type { Table } from '../../src/table.js';
import {
  expectClose,
  fixtureSplits,
  jobResult,
  loadFixtureTable,
  readReference,
  siteLayouts,
} from '../support/fixtures.js';

interface RefNumeric {
  count: number;
  missing: number;
  mean: number;
  sd: number;
}
interface RefCategorical {
  count: number;
  missing: number;
  levels: Record<string, number>;
}
type RefVariables = Record<string, RefNumeric | RefCategorical>;
interface RefQuantiles {
  probs: number[];
  type1: number[];
  type7: number[];
  min: number;
  max: number;
}
interface Reference {
  n: number;
  variables: RefVariables;
  quantiles: Record<'age' | 'sbp' | 'crp', RefQuantiles>;
  groups: Record<string, { n: number; variables: RefVariables }>;
}

const table = loadFixtureTable('summary');
const ref = readReference<Reference>('summary');
const VARIABLES = ['age', 'sbp', 'crp', 'smoker', 'sex'];
const NUMERIC = ['age', 'sbp', 'crp'] as const;
const PROBS = ref.quantiles.age.probs;

/** 1 site, then random splits over 3 and 5 sites (150+ rows a site). */
const splits = fixtureSplits(table, siteLayouts(21), 150);

function run(params: unknown, tables: readonly Table[], policy?: DisclosurePolicy): SummaryResult {
  return jobResult(summary, params, tables, policy) as SummaryResult;
}

function expectVariables(
  got: Record<string, unknown>,
  want: RefVariables,
  where: string,
  exactLevels: boolean,
): void {
  for (const [name, r] of Object.entries(want)) {
    const g = got[name] as NumericSummary | GroupNumericSummary | CategoricalSummary | undefined;
    expect(g, `${where} ${name}`).toBeDefined();
    if (g === undefined) continue;
    expect([g.count, g.missing], `${where} ${name} count, missing`).toEqual([r.count, r.missing]);
    if ('levels' in r) {
      const levels = Object.fromEntries(
        Object.entries((g as CategoricalSummary).levels).filter(([, n]) => n > 0),
      );
      if (exactLevels) expect(levels, `${where} ${name} levels`).toEqual(r.levels);
      for (const [l, n] of Object.entries(levels))
        expect(n, `${where} ${name}=${l}`).toBe(r.levels[l]);
      const hidden = (g as CategoricalSummary).suppressed ?? [];
      expect([...Object.keys(levels), ...hidden].sort()).toEqual(Object.keys(r.levels).sort());
      expect(g.count).toBe(Object.values(r.levels).reduce((a, b) => a + b, 0));
    } else {
      const n = g as GroupNumericSummary;
      expectClose(n.mean, r.mean, `${where} ${name} mean`);
      expectClose(n.sd, r.sd, `${where} ${name} sd`);
    }
  }
}

/** Bracket widths in fine bins, for the report printed at the end. */
const widths: { what: string; bins: number }[] = [];

function expectQuantiles(
  result: SummaryResult,
  name: (typeof NUMERIC)[number],
  where: string,
  extremesKnown = false,
) {
  const v = result.variables[name] as NumericSummary;
  const r = ref.quantiles[name];
  const grid = v.grid;
  expect(grid, `${where} ${name} grid`).toBeDefined();
  const width = grid?.binWidth ?? 0;
  expect(v.quantiles?.map((q) => q.p)).toEqual(r.probs);
  v.quantiles?.forEach((q, i) => {
    const what = `${where} ${name} p=${String(q.p)}`;
    const t1 = r.type1[i] ?? Number.NaN;
    const t7 = r.type7[i] ?? Number.NaN;
    const body = q.p >= 0.1 && q.p <= 0.9;
    if (body || extremesKnown) {
      expect(q.lower, `${what} lower`).not.toBeNull();
      expect(q.upper, `${what} upper`).not.toBeNull();
    }
    if (q.lower === null || q.upper === null) {
      expect([q.estimate, q.errorBound]).toEqual([null, null]);
      expect(q.reason).toMatch(/^may lie in a cell open (below|above)/);
    }
    const lo = q.lower ?? -Infinity;
    const hi = q.upper ?? Infinity;
    expect(lo <= t1 && t1 <= hi, `${what}: type 1 ${t1} in [${lo}, ${hi}]`).toBe(true);
    expect(lo <= t7 && t7 <= hi, `${what}: type 7 ${t7} in [${lo}, ${hi}]`).toBe(true);
    if (q.estimate !== null) {
      expect(q.errorBound).toBe(hi - lo);
      expect(Math.abs(q.estimate - t7), `${what}: estimate`).toBeLessThanOrEqual(hi - lo);
      widths.push({ what, bins: (hi - lo) / width });
    }
  });
}

describe('summary matches R', () => {
  for (const { sites, seed, tables } of splits) {
    const where = `${String(sites)} site(s), seed ${String(seed)}`;

    it(`counts, moments, levels and quantiles (grid mean ± 10 sd), ${where}`, () => {
      const result = run({ variables: VARIABLES, quantiles: PROBS }, tables);
      expect([result.n, result.sites]).toEqual([ref.n, sites]);
      expectVariables(result.variables, ref.variables, where, true);
      for (const name of NUMERIC) {
        expectQuantiles(result, name, where);
        const v = result.variables[name] as NumericSummary;
        expect(v.grid?.source).toBe('meanSd');
        expect('min' in v || 'max' in v).toBe(false);
      }
      expect(result.minMax).toBe('withheld by every site');
    });

    it(`min, max and quantiles on the [min, max] grid when every site allows them, ${where}`, () => {
      const result = run({ variables: VARIABLES, quantiles: PROBS }, tables, {
        minCount: 10,
        allowMinMax: true,
      });
      expect(result.minMax).toBeUndefined();
      for (const name of NUMERIC) {
        const v = result.variables[name] as NumericSummary;
        expect([v.min, v.max]).toEqual([ref.quantiles[name].min, ref.quantiles[name].max]);
        expect(v.grid?.source).toBe('minMax');
        expectQuantiles(result, name, where, true);
      }
    });

    it(`quantiles on a given range, integer ages on integer edges, ${where}`, () => {
      const params = { variables: ['age'], quantiles: PROBS, range: { age: [0, 120] }, bins: 120 };
      const result = run(params, tables);
      expect((result.variables.age as NumericSummary).grid).toEqual({
        lo: 0,
        hi: 120,
        bins: 120,
        binWidth: 1,
        source: 'range',
      });
      expectQuantiles(result, 'age', where);
    });

    it(`per-group summaries by sex, ${where}`, () => {
      const result = run({ variables: VARIABLES, groupBy: 'sex' }, tables);
      expect(result.groupBy).toBe('sex');
      expect(result.suppressedGroups).toBeUndefined();
      expect(Object.keys(result.groups ?? {})).toEqual(['F', 'M']);
      for (const [level, g] of Object.entries(ref.groups)) {
        const got = result.groups?.[level];
        expect(got?.n).toBe(g.n);
        expect(got?.suppressed).toBeUndefined();
        expectVariables(got?.variables ?? {}, g.variables, `${where} sex=${level}`, sites === 1);
      }
    });
  }
});

afterAll(() => {
  const sorted = widths.map((w) => w.bins).sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.floor(q * (sorted.length - 1))] ?? NaN;
  console.log(
    `summary quantile brackets, in fine bins: median ${String(at(0.5))}, 90% ${String(at(0.9))}, max ${String(at(1))}`,
  );
});
