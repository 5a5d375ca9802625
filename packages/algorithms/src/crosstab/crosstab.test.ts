import { describe, expect, it } from 'vitest';
import { firstStepResults, jobResult } from '../../test/support/fixtures.js';
import type { SiteResult } from '../framework.js';
import { createRng } from '../numerics/random.js';
import { getAlgorithm } from '../registry.js';
import { categoricalColumn, makeTable, numberColumn } from '../table-info.js';
import type { Table } from '../table.js';
import { crosstab, pearsonChiSquare, type CrosstabParams, type CrosstabResult } from './index.js';

type Pair = [string | null, string | null];
const params: CrosstabParams = { rows: 'sex', columns: 'party' };
const SEX = ['female', 'male'];
const PARTY = ['dem', 'ind', 'rep'];

const table = (pairs: readonly Pair[], rowLevels = SEX, colLevels = PARTY): Table =>
  makeTable({
    sex: categoricalColumn(
      pairs.map((p) => p[0]),
      rowLevels,
    ),
    party: categoricalColumn(
      pairs.map((p) => p[1]),
      colLevels,
    ),
  });

/** Rows with the given cell counts, shuffled so sites get a mix. */
function pairsFromCounts(counts: number[][], seed: number): Pair[] {
  const pairs: Pair[] = counts.flatMap((row, a) =>
    row.flatMap((n, b) => Array.from({ length: n }, (): Pair => [SEX[a] ?? '', PARTY[b] ?? ''])),
  );
  const rng = createRng(seed);
  for (let i = pairs.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [pairs[i], pairs[j]] = [pairs[j] as Pair, pairs[i] as Pair];
  }
  return pairs;
}

function split<T>(xs: readonly T[], parts: number, seed: number): T[][] {
  const rng = createRng(seed);
  const cuts = new Set<number>();
  while (cuts.size < parts - 1) cuts.add(100 * (1 + rng.int(Math.floor(xs.length / 100) - 1)));
  const sorted = [0, ...[...cuts].sort((a, b) => a - b), xs.length];
  return sorted.slice(1).map((end, i) => xs.slice(sorted[i], end));
}

/**
 * Independent reference statistic: X² = n (Σ O² / (R_i C_j) − 1), algebraically equal to
 * Σ (O − E)² / E but computed differently.
 */
function referenceStatistic(counts: number[][]): number {
  const rs = counts.map((r) => r.reduce((s, x) => s + x, 0));
  const cs = (counts[0] ?? []).map((_, b) => counts.reduce((s, r) => s + (r[b] ?? 0), 0));
  const n = rs.reduce((s, x) => s + x, 0);
  let sum = 0;
  counts.forEach((r, a) => {
    r.forEach((o, b) => (sum += (o * o) / ((rs[a] ?? 0) * (cs[b] ?? 0))));
  });
  return n * (sum - 1);
}

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

/*
 * Agresti (2007), An Introduction to Categorical Data Analysis, 2nd ed., Table 2.5: party
 * identification by gender, the example of R's ?chisq.test, which prints X-squared = 30.07,
 * df = 2, p-value = 2.954e-07. Full precision from SciPy 1.17.1
 * chi2_contingency(correction=False): 30.070149095754672, p 2.9535891832117595e-07.
 */
const AGRESTI = [
  [762, 327, 468],
  [484, 239, 477],
];

describe('crosstab', () => {
  it('is registered as a built-in', () => {
    expect(getAlgorithm('crosstab')).toBe(crosstab);
  });

  it.each([1, 3, 5])('matches the textbook table and test over %i uneven sites', (parts) => {
    const pairs = pairsFromCounts(AGRESTI, parts);
    const sites = split(pairs, parts, 3 * parts).map((p) => table(p));
    const res = jobResult(crosstab, params, sites) as CrosstabResult;
    expect(res).toMatchObject({ n: 2757, sites: parts, missing: 0, rows: SEX, columns: PARTY });
    expect(res.counts).toEqual(AGRESTI);
    expect(res.note).toBeUndefined();
    expect(res.chiSquare?.df).toBe(2);
    expect(rel(res.chiSquare?.statistic ?? 0, 30.070149095754672)).toBeLessThan(1e-10);
    expect(rel(res.chiSquare?.pValue ?? 0, 2.9535891832117595e-7)).toBeLessThan(1e-6);
  });

  it('computes a 2×2 test equal to the closed form and SciPy', () => {
    // X² = n (ad − bc)² / (r1 r2 c1 c2) = 100·250² / (35·65·50·50) = 1.098901…; SciPy 1.17.1
    // chi2_contingency([[20, 15], [30, 35]], correction=False) gives p 0.29450739368010714.
    const t = pearsonChiSquare([
      [20, 15],
      [30, 35],
    ]);
    expect(typeof t === 'string' ? null : t.df).toBe(1);
    expect(rel(typeof t === 'string' ? 0 : t.statistic, 6250000 / 5687500)).toBeLessThan(1e-12);
    expect(rel(typeof t === 'string' ? 0 : t.pValue, 0.29450739368010714)).toBeLessThan(1e-6);
  });

  it('pools random rows with missing values to the concatenated table within 1e-12', () => {
    const rng = createRng(99);
    const pick = (ls: string[], p: number[]): string => {
      const u = rng.uniform();
      let acc = 0;
      return ls.find((_, i) => (acc += p[i] ?? 0) > u) ?? ls[ls.length - 1] ?? '';
    };
    const pairs: Pair[] = Array.from({ length: 6000 }, () => [
      rng.uniform() < 0.02 ? null : pick(SEX, [0.55, 0.45]),
      rng.uniform() < 0.03 ? null : pick(PARTY, [0.3, 0.2, 0.5]),
    ]);
    const ref = SEX.map((s) =>
      PARTY.map((p) => pairs.filter((x) => x[0] === s && x[1] === p).length),
    );
    const complete = ref.flat().reduce((s, x) => s + x, 0);
    for (const parts of [1, 3, 5]) {
      const sites = split(pairs, parts, parts + 40).map((p) => table(p));
      const res = jobResult(crosstab, params, sites) as CrosstabResult;
      expect(res.counts).toEqual(ref);
      expect(res.missing).toBe(6000 - complete);
      expect(rel(res.chiSquare?.statistic ?? 0, referenceStatistic(ref))).toBeLessThan(1e-12);
    }
  });

  it('takes the union of levels over sites; a level a site lacks counts zero there', () => {
    const a = pairsFromCounts(
      [
        [30, 30, 30],
        [30, 30, 30],
      ],
      1,
    );
    const b: Pair[] = [
      ...Array<Pair>(40).fill(['other', 'dem']),
      ...Array<Pair>(40).fill(['male', 'ind']),
    ];
    const sites = [table(a), table(b, ['male', 'other'], ['dem', 'ind'])];
    const res = jobResult(crosstab, params, sites) as CrosstabResult;
    expect(res.rows).toEqual(['female', 'male', 'other']);
    expect(res.counts).toEqual([
      [30, 30, 30],
      [30, 70, 30],
      [40, 0, 0],
    ]);
    expect(res.chiSquare?.df).toBe(4);
  });

  it('suppresses small cells per site (with a second cell) and then withholds the test', () => {
    const counts = [
      [50, 3, 40],
      [60, 20, 45],
    ];
    const sites = [table(pairsFromCounts(counts, 2))];
    const results = firstStepResults(crosstab, params, sites);
    // Primary: 3; secondary: the smallest released non-zero cell, 20.
    expect((results[0]?.output as { counts: unknown }).counts).toEqual([
      [50, null, 40],
      [60, null, 45],
    ]);
    const res = jobResult(crosstab, params, sites) as CrosstabResult;
    expect(res.chiSquare).toBeNull();
    expect(res.note).toMatch(/suppressed/);
    expect(JSON.stringify(results)).not.toMatch(/\b3\b|\b20\b/);
  });

  it('returns chiSquare null with a note when the table has one non-empty column', () => {
    const counts = [
      [30, 0, 0],
      [20, 0, 0],
    ];
    const res = jobResult(crosstab, params, [table(pairsFromCounts(counts, 3))]) as CrosstabResult;
    expect(res.chiSquare).toBeNull();
    expect(res.note).toMatch(/at least 2 non-empty/);
  });

  it('refuses MIN_COUNT when fewer than minCount rows hold both values', () => {
    const pairs: Pair[] = [
      ...Array<Pair>(6).fill(['male', 'dem']),
      ...Array<Pair>(20).fill(['male', null]),
    ];
    expect(firstStepResults(crosstab, params, [table(pairs)])[0]).toMatchObject({
      status: 'refused',
      code: 'MIN_COUNT',
      reason: 'fewer than 10 rows have both sex and party',
    });
  });

  it('reads an integer code as categories, throws on a measurement, fails a ragged table', () => {
    const coded = makeTable({
      sex: categoricalColumn(Array<string>(20).fill('male'), SEX),
      flag: numberColumn(Array.from({ length: 20 }, (_, i) => (i < 10 ? 0 : 1))),
    });
    const [out] = firstStepResults(crosstab, { rows: 'sex', columns: 'flag' }, [coded]);
    expect(out).toMatchObject({ status: 'ok', output: { columnLevels: ['0', '1'] } });
    const t = makeTable({
      sex: categoricalColumn(Array<string>(20).fill('male'), SEX),
      party: numberColumn(Array.from({ length: 20 }, (_, i) => i + 0.5)),
    });
    const [thrown] = firstStepResults(crosstab, params, [t]);
    expect(thrown).toMatchObject({ status: 'failed', code: 'STEP_FAILED' });
    expect(thrown?.reason).toMatch(/neither categorical nor an integer code/);
    const bad: SiteResult = {
      trust: 'a',
      status: 'ok',
      output: { rows: 20, missing: 0, rowLevels: ['x'], columnLevels: ['y', 'z'], counts: [[20]] },
    };
    expect(crosstab.aggregate(params, null, 'table', [bad])).toMatchObject({
      code: 'INVALID_OUTPUT',
    });
  });
});

describe('crosstab params', () => {
  const parse = (p: unknown) => crosstab.params.safeParse(p).success;
  it('accepts two variables and an optional minCount', () => {
    expect(parse({ rows: 'sex', columns: 'party', minCount: 15 })).toBe(true);
  });
  it.each([
    ['the same variable twice', { rows: 'sex', columns: 'sex' }],
    ['a missing field', { rows: 'sex' }],
    ['an unknown field', { rows: 'sex', columns: 'party', extra: 1 }],
    ['a prototype key', { rows: '__proto__', columns: 'party' }],
  ])('refuses %s', (_w, p) => {
    expect(parse(p)).toBe(false);
  });
});
