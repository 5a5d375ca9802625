import { describe, expect, it } from 'vitest';
import { firstStepResults, jobResult } from '../../test/support/fixtures.js';
import type { SiteResult } from '../framework.js';
import { createRng } from '../numerics/random.js';
import { getAlgorithm } from '../registry.js';
import { categoricalColumn, makeTable, numberColumn } from '../table-info.js';
import type { Table } from '../table.js';
import { binIndex, histogram, histogramEdges, type HistogramParams } from './index.js';
import type { HistogramResult } from './schemas.js';

const table = (xs: readonly (number | null)[]): Table => makeTable({ x: numberColumn(xs) });

/** Independent reference: a linear scan over the concatenated values (no binary search). */
function reference(xs: readonly (number | null)[], edges: readonly number[]) {
  const k = edges.length - 1;
  const counts = new Array<number>(k).fill(0);
  let below = 0;
  let above = 0;
  let missing = 0;
  for (const x of xs) {
    if (x === null) missing++;
    else if (x < (edges[0] ?? 0)) below++;
    else if (x > (edges[k] ?? 0)) above++;
    else {
      let i = 0;
      while (i < k - 1 && !(x < (edges[i + 1] ?? 0))) i++;
      counts[i] = (counts[i] ?? 0) + 1;
    }
  }
  return { counts, below, above, missing };
}

/** Splits `xs` at `parts - 1` random cut points (uneven sites of at least 40 rows). */
function split<T>(xs: readonly T[], parts: number, seed: number): T[][] {
  const rng = createRng(seed);
  const cuts = new Set<number>();
  while (cuts.size < parts - 1) cuts.add(40 * (1 + rng.int(Math.floor(xs.length / 40) - 1)));
  const sorted = [0, ...[...cuts].sort((a, b) => a - b), xs.length];
  return sorted.slice(1).map((end, i) => xs.slice(sorted[i], end));
}

describe('histogram', () => {
  it('is registered as a built-in', () => {
    expect(getAlgorithm('histogram')).toBe(histogram);
  });

  it('bins half-open with a closed last bin, below and above outside the edges', () => {
    const edges = [0, 1, 2, 4];
    expect([-0.1, 0, 0.999, 1, 3.9, 4, 4.0001].map((x) => binIndex(edges, x))).toEqual([
      -1, 0, 0, 1, 2, 2, 3,
    ]);
    expect(histogramEdges({ variable: 'x', bins: 4, range: [-1, 1] })).toEqual([
      -1, -0.5, 0, 0.5, 1,
    ]);
    expect(histogramEdges({ variable: 'x', bins: 3, range: [0, 0.3] }).at(-1)).toBe(0.3);
  });

  it.each([1, 3, 5])('pools %i uneven sites to the concatenated counts exactly', (parts) => {
    const rng = createRng(7 + parts);
    const xs = Array.from({ length: 4000 }, () =>
      rng.uniform() < 0.03 ? null : 50 + 15 * rng.normal(),
    );
    for (const params of [
      { variable: 'x', bins: 12, range: [20, 80] as [number, number] },
      { variable: 'x', edges: [0, 30, 45, 50, 55, 70, 200] },
    ] satisfies HistogramParams[]) {
      const sites = split(xs, parts, parts).map(table);
      const policy = { minCount: 1, allowMinMax: false };
      const res = jobResult(histogram, params, sites, policy) as HistogramResult;
      const ref = reference(xs, histogramEdges(params));
      // Exact integer pooling: tolerance 0.
      expect(res).toEqual({
        n: 4000,
        sites: parts,
        edges: histogramEdges(params),
        counts: ref.counts,
        below: ref.below,
        above: ref.above,
        missing: ref.missing,
        suppressed: [],
      });
    }
  });

  it('suppresses small cells at a site, plus a second so the total does not reveal them', () => {
    // Site 0: bins 0..3 hold 30, 3, 25, 40 values; site 1: 20 in every bin.
    const site0 = [
      ...Array<number>(30).fill(0.5),
      ...Array<number>(3).fill(1.5),
      ...Array<number>(25).fill(2.5),
      ...Array<number>(40).fill(3.5),
    ];
    const site1 = [0.5, 1.5, 2.5, 3.5].flatMap((x) => Array<number>(20).fill(x));
    const params: HistogramParams = { variable: 'x', edges: [0, 1, 2, 3, 4] };
    const sites = [table(site0), table(site1)];
    const results = firstStepResults(histogram, params, sites);
    // Primary: bin 1 (3 < 10); secondary: the smallest released non-zero cell, bin 2 (25).
    expect(results[0]?.output).toEqual({
      rows: 98,
      missing: 0,
      counts: [30, null, null, 40],
      below: 0,
      above: 0,
    });
    const res = jobResult(histogram, params, sites) as HistogramResult;
    expect(res.counts).toEqual([50, null, null, 60]);
    expect(res.suppressed).toEqual([1, 2]);
    expect(res.n).toBe(178);
  });

  it('suppresses a small below/above cell like any other', () => {
    const xs = [-5, -5, ...Array<number>(40).fill(1), ...Array<number>(20).fill(3)];
    const params: HistogramParams = { variable: 'x', edges: [0, 2, 4] };
    const res = jobResult(histogram, params, [table(xs)]) as HistogramResult;
    expect(res).toMatchObject({ below: null, above: 0, counts: [40, null], suppressed: [1] });
  });

  it('refuses MIN_COUNT when fewer than minCount values are non-missing', () => {
    const xs = [...Array<number>(5).fill(1), ...Array<null>(20).fill(null)];
    const params: HistogramParams = { variable: 'x', bins: 2, range: [0, 2] };
    const [r] = firstStepResults(histogram, params, [table(xs)]);
    expect(r).toEqual({
      trust: 'site-1',
      status: 'refused',
      code: 'MIN_COUNT',
      reason: 'variable x has fewer than 10 non-missing values',
    });
    expect(histogram.aggregate(params, null, 'counts', r ? [r] : [])).toMatchObject({
      kind: 'failed',
      code: 'NO_SITES',
    });
  });

  it('fails INVALID_OUTPUT on a wrong number of bins, and the step throws on a categorical', () => {
    const params: HistogramParams = { variable: 'x', bins: 2, range: [0, 2] };
    const bad: SiteResult = {
      trust: 'a',
      status: 'ok',
      output: { rows: 20, missing: 0, counts: [20], below: 0, above: 0 },
    };
    expect(histogram.aggregate(params, null, 'counts', [bad])).toMatchObject({
      code: 'INVALID_OUTPUT',
    });
    const cat = makeTable({ x: categoricalColumn(Array<string>(20).fill('a'), ['a']) });
    const [thrown] = firstStepResults(histogram, params, [cat]);
    expect(thrown).toMatchObject({ status: 'failed', code: 'STEP_FAILED' });
    expect(thrown?.reason).toMatch(/not numeric/);
  });
});

describe('histogram params', () => {
  const parse = (p: unknown) => histogram.params.safeParse(p).success;
  it('accepts either form', () => {
    expect(parse({ variable: 'age', edges: [0, 18, 65, 120] })).toBe(true);
    expect(parse({ variable: 'age', bins: 10, range: [0, 100], minCount: 20 })).toBe(true);
  });
  it.each([
    ['both forms', { variable: 'age', edges: [0, 1], bins: 2, range: [0, 1] }],
    ['neither form', { variable: 'age' }],
    ['non-increasing edges', { variable: 'age', edges: [0, 1, 1] }],
    ['one edge', { variable: 'age', edges: [0] }],
    ['1002 edges', { variable: 'age', edges: Array.from({ length: 1002 }, (_, i) => i) }],
    ['0 bins', { variable: 'age', bins: 0, range: [0, 1] }],
    ['1001 bins', { variable: 'age', bins: 1001, range: [0, 1] }],
    ['an empty range', { variable: 'age', bins: 2, range: [1, 1] }],
    ['an infinite edge', { variable: 'age', edges: [0, Infinity] }],
    ['an unknown field', { variable: 'age', edges: [0, 1], extra: true }],
  ])('refuses %s', (_w, p) => {
    expect(parse(p)).toBe(false);
  });
});
