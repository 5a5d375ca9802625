import { describe, expect, it } from 'vitest';
import { createRng } from '../numerics/random.js';
import { simulateJob } from '../simulate.js';
import { makeTable, numberColumn } from '../table-info.js';
import { gridEdge, gridPosition } from './grid.js';
import { summary } from './index.js';
import { mergeSmallBins } from './quantiles-local.js';
import { orderRange, pooledQuantiles } from './quantiles-hub.js';
import type { Cell, Grid, NumericSummary, SummaryResult } from './schemas.js';

/** R's type 1 and type 7 quantiles of sorted values. */
function exactQuantiles(sorted: readonly number[], p: number): [number, number] {
  const n = sorted.length;
  const t1 = sorted[Math.max(1, Math.ceil(n * p - 1e-12)) - 1] ?? NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const a = sorted[lo] ?? NaN;
  const b = sorted[Math.min(n - 1, lo + 1)] ?? NaN;
  return [t1, a + (h - lo) * (b - a)];
}

function histogram(grid: Grid, xs: readonly number[]): number[] {
  const out = new Array<number>(grid.bins + 2).fill(0);
  for (const x of xs) {
    const at = gridPosition(grid, x);
    out[at] = (out[at] ?? 0) + 1;
  }
  return out;
}

describe('gridPosition', () => {
  it('puts every value between the edges of its bin, and edges in the bin they open', () => {
    const grid: Grid = { lo: -0.3, hi: 0.7, bins: 10 };
    const rng = createRng(5);
    for (let i = 0; i < 2000; i++) {
      const x = i < 11 ? gridEdge(grid, i) : -0.5 + 1.5 * rng.uniform();
      const at = gridPosition(grid, x);
      if (at === 0) expect(x).toBeLessThan(grid.lo);
      else if (at === grid.bins + 1) expect(x).toBeGreaterThan(grid.hi);
      else {
        expect(x).toBeGreaterThanOrEqual(gridEdge(grid, at - 1));
        if (at < grid.bins) expect(x).toBeLessThan(gridEdge(grid, at));
        else expect(x).toBeLessThanOrEqual(grid.hi);
      }
    }
    expect(gridPosition(grid, 0.7)).toBe(10);
    expect(gridPosition(grid, -0.3)).toBe(1);
  });
});

describe('mergeSmallBins', () => {
  it('releases no cell holding 1..minCount − 1 values, keeps the total, stays on the grid', () => {
    const rng = createRng(17);
    for (let trial = 0; trial < 200; trial++) {
      const counts = Array.from({ length: 40 }, () => (rng.uniform() < 0.5 ? 0 : rng.int(12)));
      counts[rng.int(40)] = 20;
      const tight = trial % 2 === 0;
      const cells = mergeSmallBins(counts, 10, tight);
      let at = 0;
      for (const [from, to, n] of cells) {
        expect(n).toBeGreaterThanOrEqual(10);
        expect(from).toBeGreaterThanOrEqual(at);
        expect(to).toBeGreaterThan(from);
        expect(counts.slice(from, to).reduce((a, b) => a + b, 0)).toBe(n);
        at = to;
      }
      expect(at).toBeLessThanOrEqual(40);
      expect(cells.reduce((s, c) => s + c[2], 0)).toBe(counts.reduce((a, b) => a + b, 0));
    }
  });

  it('leaves cells of minCount or more alone and merges a small last cell backwards', () => {
    expect(mergeSmallBins([0, 12, 0, 0, 10, 3], 10, true)).toEqual([
      [1, 2, 12],
      [4, 6, 13],
    ]);
    expect(mergeSmallBins([4, 0, 7, 0, 0], 10, true)).toEqual([[0, 3, 11]]);
  });

  it('opens the outer cells unless min and max may be released', () => {
    expect(mergeSmallBins([0, 0, 12, 0, 15, 0, 0], 10, false)).toEqual([
      [0, 3, 12],
      [4, 7, 15],
    ]);
  });

  it('refuses to release fewer than minCount values', () => {
    expect(() => mergeSmallBins([3, 0, 2], 10, true)).toThrow(RangeError);
  });
});

describe('pooledQuantiles', () => {
  const ps = [0.01, 0.1, 0.25, 0.5, 0.73, 0.9, 0.99];

  it('brackets the pooled type 1 and type 7 quantiles of merged site histograms', () => {
    const rng = createRng(3);
    for (let trial = 0; trial < 60; trial++) {
      const sites = 1 + rng.int(5);
      const data = Array.from({ length: sites }, () =>
        Array.from({ length: 20 + rng.int(300) }, () => Math.round(50 + 15 * rng.normal())),
      );
      const grid: Grid = { lo: 0, hi: 100, bins: 10 + rng.int(300) };
      const minCount = 1 + rng.int(15);
      const cells: Cell[][] = data.map((xs) =>
        mergeSmallBins(histogram(grid, xs), minCount, trial % 2 === 0),
      );
      const all = data.flat().sort((a, b) => a - b);
      const out = pooledQuantiles(grid, cells, all.length, ps);
      out.forEach((q) => {
        const [t1, t7] = exactQuantiles(all, q.p);
        const lo = q.lower ?? -Infinity;
        const hi = q.upper ?? Infinity;
        expect(lo <= t1 && t1 <= hi && lo <= t7 && t7 <= hi, `trial ${String(trial)}`).toBe(true);
        if (q.estimate !== null) expect(Math.abs(q.estimate - t7)).toBeLessThanOrEqual(hi - lo);
      });
    }
  });

  it('is exact to within one or two fine bins when no cell is merged', () => {
    const xs = Array.from({ length: 2000 }, (_, i): number => (i * 7919) % 1000);
    const grid: Grid = { lo: 0, hi: 1000, bins: 100 };
    const out = pooledQuantiles(grid, [mergeSmallBins(histogram(grid, xs), 1, true)], 2000, ps);
    for (const q of out) expect(q.errorBound).toBeLessThanOrEqual(20);
  });

  it('gives null bounds with the reason when a quantile may lie in an open bin', () => {
    const xs = [...Array.from({ length: 30 }, () => -5), ...Array.from({ length: 70 }, () => 5)];
    const grid: Grid = { lo: 0, hi: 10, bins: 10 };
    const [low] = pooledQuantiles(
      grid,
      [mergeSmallBins(histogram(grid, xs), 10, true)],
      100,
      [0.1],
    );
    expect(low).toEqual({
      p: 0.1,
      estimate: null,
      lower: null,
      upper: 0,
      errorBound: null,
      reason: 'may lie in a cell open below (values under 0, or the minimum withheld)',
    });
    const known = pooledQuantiles(
      grid,
      [mergeSmallBins(histogram(grid, xs), 10, true)],
      100,
      [0.1],
      {
        min: -5,
        max: 5,
      },
    );
    expect(known[0]).toMatchObject({ lower: -5, upper: 0 });
  });

  it('covers the order statistics of both R types', () => {
    expect(orderRange(10, 0.5)).toEqual([5, 6]);
    expect(orderRange(100, 0.25)).toEqual([25, 26]);
    expect(orderRange(1, 0.9)).toEqual([1, 1]);
  });
});

describe('summary quantiles as a job', () => {
  const rng = createRng(8);
  const tables = [0, 1, 2].map(() =>
    makeTable({ x: numberColumn(Array.from({ length: 200 }, () => 10 + 2 * rng.normal())) }),
  );

  it('asks for a second step only when quantiles are asked for', () => {
    expect(simulateJob(summary, { variables: ['x'] }, tables).steps).toEqual(['stats']);
    const run = simulateJob(summary, { variables: ['x'], quantiles: [0.5] }, tables);
    expect(run.steps).toEqual(['stats', 'quantiles']);
    for (const r of run.rounds[1] ?? []) {
      const cells = (r.output as { variables: { x: { cells: Cell[] } } }).variables.x.cells;
      expect(cells.every(([, , n]) => n >= 10)).toBe(true);
    }
  });

  it('reports every quantile unavailable when a site did not release the quantile step', () => {
    const params = summary.params.parse({ variables: ['x'], quantiles: [0.5] });
    const first = simulateJob(summary, params, tables).rounds[0] ?? [];
    const step = summary.aggregate(params, null, 'stats', first);
    if (step.kind !== 'step' || step.state === null) throw new Error('expected a second step');
    const second = simulateJob(summary, params, tables).rounds[1] ?? [];
    const results = second.map((r, i) =>
      i === 1 ? { trust: r.trust, status: 'failed' as const, code: 'TIMEOUT' } : r,
    );
    const done = summary.aggregate(params, step.state, 'quantiles', results);
    const x = (done.kind === 'done' ? (done.result as SummaryResult) : null)?.variables
      .x as NumericSummary;
    expect(x.quantiles).toEqual([
      {
        p: 0.5,
        estimate: null,
        lower: null,
        upper: null,
        errorBound: null,
        reason: 'site-2 did not release the quantile step (TIMEOUT)',
      },
    ]);
  });

  it('fails with INVALID_OUTPUT when a histogram does not add up to the site count', () => {
    const params = summary.params.parse({ variables: ['x'], quantiles: [0.5] });
    const run = simulateJob(summary, params, tables);
    const step = summary.aggregate(params, null, 'stats', run.rounds[0] ?? []);
    if (step.kind !== 'step' || step.state === null) throw new Error('expected a second step');
    const bad = (run.rounds[1] ?? []).map((r) => ({
      ...r,
      output: { variables: { x: { count: 200, cells: [[0, 3, 12]] } } },
    }));
    expect(summary.aggregate(params, step.state, 'quantiles', bad)).toMatchObject({
      kind: 'failed',
      code: 'INVALID_OUTPUT',
    });
  });
});
