import type { Grid } from './schemas.js';

/**
 * Edge j (0..bins) of a grid: lo + (hi − lo)·j/bins, exactly hi for j = bins. Sites and hub use
 * this one function, so a value's bin and the bounds the hub derives from it always agree.
 */
export function gridEdge(grid: Grid, j: number): number {
  return j >= grid.bins ? grid.hi : grid.lo + ((grid.hi - grid.lo) * j) / grid.bins;
}

/**
 * The grid position of a value: 0 below lo, 1..bins for bin j = position − 1 (e_j ≤ x < e_j+1, the
 * last bin closed at hi), bins + 1 above hi. The first guess is corrected against gridEdge, so
 * rounding in the division never puts a value on the wrong side of an edge.
 */
export function gridPosition(grid: Grid, x: number): number {
  if (x < grid.lo) return 0;
  if (x > grid.hi) return grid.bins + 1;
  const last = grid.bins - 1;
  let j = Math.min(
    last,
    Math.max(0, Math.floor(((x - grid.lo) / (grid.hi - grid.lo)) * grid.bins)),
  );
  while (j > 0 && x < gridEdge(grid, j)) j--;
  while (j < last && x >= gridEdge(grid, j + 1)) j++;
  return j + 1;
}

/** Half-width of the mean ± k·sd grid, in standard deviations (README "summary"). */
export const SD_SPAN = 10;

/** The smallest span used around a value: 1, or a millionth of it for huge values. */
function minimalSpan(x: number): number {
  return Math.max(1, Math.abs(x) * 1e-6);
}

/** What the hub knows of a numeric variable after 'stats' when it chooses the grid. */
export interface GridEvidence {
  readonly range?: readonly [number, number];
  readonly min?: number;
  readonly max?: number;
  readonly mean: number;
  readonly sd: number | null;
}

/**
 * The shared grid of one variable for the step 'quantiles': the job's `range` if given; else the
 * pooled [min, max] when every site released them (a single value gets [min, min + 1]); else
 * mean ± 10·sd (mean ± 1 when sd is 0 or unknown), with open bins beyond. By Cantelli's
 * inequality at most 1/101 of the values lie beyond each side of mean ± 10·sd.
 */
export function chooseGrid(
  evidence: GridEvidence,
  bins: number,
): { grid: Grid; source: 'range' | 'minMax' | 'meanSd' } {
  if (evidence.range !== undefined) {
    return { grid: { lo: evidence.range[0], hi: evidence.range[1], bins }, source: 'range' };
  }
  if (evidence.min !== undefined && evidence.max !== undefined) {
    const hi =
      evidence.max > evidence.min ? evidence.max : evidence.min + minimalSpan(evidence.min);
    return { grid: { lo: evidence.min, hi, bins }, source: 'minMax' };
  }
  const wide = evidence.sd !== null ? SD_SPAN * evidence.sd : 0;
  // A spread too small to separate lo from hi in floating point is widened.
  const m = evidence.mean;
  const half = m - wide < m + wide ? wide : minimalSpan(m);
  return {
    grid: { lo: evidence.mean - half, hi: evidence.mean + half, bins },
    source: 'meanSd',
  };
}
