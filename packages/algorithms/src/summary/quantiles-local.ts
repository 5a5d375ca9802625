import type { LocalOutcome, LocalStepContext } from '../framework.js';
import { gridPosition } from './grid.js';
import {
  quantilesInputSchema,
  type Cell,
  type QuantilesLocalOutput,
  type SummaryParams,
} from './schemas.js';

/** Raw counts of the step 'quantiles' before disclosure: per variable, one count per position. */
export interface QuantilesRaw {
  readonly variables: Record<string, { count: number; positions: number[] }>;
}

/**
 * Local step 'quantiles': counts every numeric variable's values on the fine grid the hub sent
 * (positions 0 = below lo, 1..bins, bins + 1 = above hi). Nothing is merged here;
 * {@link discloseQuantiles} does that.
 *
 * @throws Error when the input does not fit the step, or a variable is absent or not numeric.
 */
export function runQuantiles(ctx: LocalStepContext<SummaryParams>): QuantilesRaw {
  const parsed = quantilesInputSchema.safeParse(ctx.input);
  if (!parsed.success) throw new Error('the quantiles step input is not a set of grids');
  const variables: QuantilesRaw['variables'] = {};
  for (const [name, grid] of Object.entries(parsed.data.grids)) {
    const col = Object.hasOwn(ctx.table.columns, name) ? ctx.table.columns[name] : undefined;
    if (col === undefined) throw new Error(`variable ${name} is not in the dataset`);
    if (col.kind === 'categorical') throw new Error(`variable ${name} is not numeric`);
    const positions = new Array<number>(grid.bins + 2).fill(0);
    let count = 0;
    for (const x of col.values) {
      if (Number.isNaN(x)) continue;
      const at = gridPosition(grid, x);
      positions[at] = (positions[at] ?? 0) + 1;
      count++;
    }
    variables[name] = { count, positions };
  }
  return { variables };
}

/**
 * Merges adjacent positions until every cell holds 0 or at least `minCount` values (boundaries
 * stay on the grid; the open bins merge like any other). Left to right, a cell below minCount
 * takes in the next position; a small cell left at the end gives back its trailing empty
 * positions and joins the cells before it. Unless `tightEnds`, the lowest non-empty cell is
 * stretched down to position 0 and the highest up to the last position, so the cells do not give
 * away the minimum or maximum to within a bin. Returns the non-empty cells only, as
 * `[from, to, count]` (positions from..to−1).
 *
 * @throws RangeError when the counts add up to between 1 and minCount − 1 (nothing can be released).
 */
export function mergeSmallBins(
  counts: readonly number[],
  minCount: number,
  tightEnds: boolean,
): Cell[] {
  const cells: Cell[] = [];
  let cur: Cell | null = null;
  for (let i = 0; i < counts.length; i++) {
    const k = counts[i] ?? 0;
    if (cur !== null && ((cur[2] === 0 && k === 0) || (cur[2] > 0 && cur[2] < minCount))) {
      cur = [cur[0], i + 1, cur[2] + k];
      continue;
    }
    if (cur !== null) cells.push(cur);
    cur = [i, i + 1, k];
  }
  if (cur !== null) {
    let to = cur[1];
    while (to > cur[0] + 1 && (counts[to - 1] ?? 0) === 0) to--;
    cells.push([cur[0], to, cur[2]]);
  }
  for (let last = cells.at(-1); last !== undefined && last[2] > 0 && last[2] < minCount;) {
    cells.pop();
    const prev = cells.pop();
    if (prev === undefined)
      throw new RangeError(`fewer than ${String(minCount)} values to release`);
    last = [prev[0], last[1], prev[2] + last[2]];
    cells.push(last);
  }
  const out = cells.filter((c) => c[2] > 0);
  const first = out[0];
  const end = out.at(-1);
  if (!tightEnds && first !== undefined && end !== undefined) {
    first[0] = 0;
    end[1] = counts.length;
  }
  return out;
}

/**
 * Disclosure check of 'quantiles' (DESIGN "Disclosure control at the node"): refuses (MIN_COUNT)
 * when a variable has fewer than minCount values; otherwise releases each variable's counts on
 * cells of the fine grid, merged so that no released cell holds 1..minCount − 1 values, with open
 * outer cells unless the policy allows min and max.
 */
export function discloseQuantiles(
  raw: QuantilesRaw,
  ctx: LocalStepContext<SummaryParams>,
): LocalOutcome {
  const min = ctx.policy.minCount;
  const variables: QuantilesLocalOutput['variables'] = {};
  for (const [name, v] of Object.entries(raw.variables)) {
    if (v.count < min) {
      return {
        status: 'refused',
        code: 'MIN_COUNT',
        reason: `variable ${name} has fewer than ${min} non-missing values`,
      };
    }
    variables[name] = {
      count: v.count,
      cells: mergeSmallBins(v.positions, min, ctx.policy.allowMinMax),
    };
  }
  const output: QuantilesLocalOutput = { variables };
  return { status: 'ok', output };
}
