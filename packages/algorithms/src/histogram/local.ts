import { makeNoiser } from '../dp-release.js';
import type { LocalOutcome, LocalStepContext } from '../framework.js';
import { tableColumn } from '../table-columns.js';
import { suppressSmallCells } from '../summary/local.js';
import { histogramEdges, type HistogramLocalOutput, type HistogramParams } from './schemas.js';

/** Raw local counts before disclosure: every cell a plain number. */
export interface HistogramRawCounts {
  rows: number;
  missing: number;
  counts: number[];
  below: number;
  above: number;
}

/**
 * Index of the bin holding `x`: bins are [e_i, e_{i+1}) except the last, which is closed
 * [e_{k-1}, e_k] (as NumPy and R's `hist(right = FALSE, include.lowest = TRUE)` do);
 * -1 below the first edge, `k` above the last one.
 */
export function binIndex(edges: readonly number[], x: number): number {
  const k = edges.length - 1;
  if (x < (edges[0] ?? 0)) return -1;
  if (x > (edges[k] ?? 0)) return k;
  if (x === edges[k]) return k - 1;
  let lo = 0;
  let hi = k; // invariant: edges[lo] <= x < edges[hi]
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (x < (edges[mid] ?? 0)) hi = mid;
    else lo = mid;
  }
  return lo;
}

/**
 * Local step 'counts': counts per bin, below, above and missing of a number or date variable.
 *
 * @throws Error when the variable is absent or categorical.
 */
export function runHistogram(ctx: LocalStepContext<HistogramParams>): HistogramRawCounts {
  const name = ctx.params.variable;
  const col = tableColumn(ctx.table, name);
  if (col.kind === 'categorical') throw new Error(`variable ${name} is not numeric`);
  const edges = histogramEdges(ctx.params);
  const k = edges.length - 1;
  const counts = new Array<number>(k).fill(0);
  let below = 0;
  let above = 0;
  let missing = 0;
  for (const x of col.values) {
    if (Number.isNaN(x)) missing++;
    else {
      const b = binIndex(edges, x);
      if (b < 0) below++;
      else if (b >= k) above++;
      else counts[b] = (counts[b] ?? 0) + 1;
    }
  }
  return { rows: ctx.table.rows, missing, counts, below, above };
}

/**
 * Disclosure check of 'counts': refuses (MIN_COUNT) when the variable has fewer than minCount
 * non-missing values; otherwise suppresses small cells (bins, below and above alike) with
 * summary's primary and secondary suppression, so no hidden cell follows from the total.
 */
export function discloseHistogram(
  raw: HistogramRawCounts,
  ctx: LocalStepContext<HistogramParams>,
): LocalOutcome {
  const min = ctx.policy.minCount;
  if (raw.rows - raw.missing < min) {
    return {
      status: 'refused',
      code: 'MIN_COUNT',
      reason: `variable ${ctx.params.variable} has fewer than ${min} non-missing values`,
    };
  }
  const levels: Record<string, number> = { below: raw.below, above: raw.above };
  raw.counts.forEach((n, i) => (levels[String(i)] = n));
  const total = raw.rows - raw.missing;
  const kept = suppressSmallCells(
    { kind: 'categorical', count: total, missing: raw.missing, levels, suppressed: [] },
    min,
  ).levels;
  const cell = (key: string): number | null => (Object.hasOwn(kept, key) ? (kept[key] ?? 0) : null);
  const output: HistogramLocalOutput = {
    rows: raw.rows,
    missing: raw.missing,
    counts: raw.counts.map((_, i) => cell(String(i))),
    below: cell('below'),
    above: cell('above'),
  };
  const { dp } = ctx.params;
  return { status: 'ok', output: dp === undefined ? output : addNoise(raw, output, ctx, dp) };
}

/**
 * The released cells with noise (issue 5 point 3): bins, below, above and missing partition the
 * rows, so one release of Δ = 1 covers them all. Cells suppressed above stay null; their noisy
 * values only enter `rows`, the sum of every noisy cell, so no exact count is released.
 */
function addNoise(
  raw: HistogramRawCounts,
  released: HistogramLocalOutput,
  ctx: LocalStepContext<HistogramParams>,
  dp: NonNullable<HistogramParams['dp']>,
): HistogramLocalOutput & { privacy: unknown } {
  const noiser = makeNoiser(dp, 1, ctx.randomBytes);
  const k = raw.counts.length;
  const noisy = noiser.cells('cells', [...raw.counts, raw.below, raw.above, raw.missing]);
  const at = (i: number): number => noisy[i] ?? 0;
  const keep = (exact: number | null, i: number): number | null => (exact === null ? null : at(i));
  return {
    rows: noisy.reduce((a, b) => a + b, 0),
    missing: at(k + 2),
    counts: released.counts.map((c, i) => keep(c, i)),
    below: keep(released.below, k),
    above: keep(released.above, k + 1),
    privacy: noiser.report(),
  };
}
