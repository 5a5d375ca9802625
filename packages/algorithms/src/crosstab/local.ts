import { makeNoiser } from '../dp-release.js';
import type { LocalOutcome, LocalStepContext } from '../framework.js';
import { tableColumn } from '../table-columns.js';
import { suppressSmallCells } from '../summary/local.js';
import type { Column } from '../table.js';
import { asCategorical } from '../table-info.js';
import type { CrosstabLocalOutput, CrosstabParams } from './schemas.js';

/** Raw local counts before disclosure. */
export interface CrosstabRawCounts {
  rows: number;
  missing: number;
  rowLevels: string[];
  columnLevels: string[];
  counts: number[][];
}

type Categorical = Extract<Column, { kind: 'categorical' }>;

function categorical(ctx: LocalStepContext<CrosstabParams>, name: string): Categorical {
  const col = tableColumn(ctx.table, name);
  const cat = asCategorical(col);
  if (cat === null) {
    throw new Error(`variable ${name} is neither categorical nor an integer code with few values`);
  }
  return cat;
}

/**
 * Local step 'table': the count of every (row level, column level) pair over the rows holding
 * both values, with every level of the dataset (zeros included).
 *
 * @throws Error when a variable is absent or neither categorical nor an integer code (asCategorical).
 */
export function runCrosstab(ctx: LocalStepContext<CrosstabParams>): CrosstabRawCounts {
  const r = categorical(ctx, ctx.params.rows);
  const c = categorical(ctx, ctx.params.columns);
  const width = c.levels.length;
  const flat = new Array<number>(r.levels.length * width).fill(0);
  let missing = 0;
  for (let i = 0; i < ctx.table.rows; i++) {
    const a = r.codes[i] ?? -1;
    const b = c.codes[i] ?? -1;
    if (a < 0 || b < 0) missing++;
    else flat[a * width + b] = (flat[a * width + b] ?? 0) + 1;
  }
  const counts = r.levels.map((_, a) => flat.slice(a * width, (a + 1) * width));
  return {
    rows: ctx.table.rows,
    missing,
    rowLevels: [...r.levels],
    columnLevels: [...c.levels],
    counts,
  };
}

/**
 * Disclosure check of 'table': refuses (MIN_COUNT) when fewer than minCount rows hold both
 * values; otherwise suppresses small cells with summary's primary and secondary suppression, so
 * no hidden cell follows from the released total.
 */
export function discloseCrosstab(
  raw: CrosstabRawCounts,
  ctx: LocalStepContext<CrosstabParams>,
): LocalOutcome {
  const min = ctx.policy.minCount;
  const total = raw.rows - raw.missing;
  if (total < min) {
    const { rows, columns } = ctx.params;
    const reason = `fewer than ${min} rows have both ${rows} and ${columns}`;
    return { status: 'refused', code: 'MIN_COUNT', reason };
  }
  const key = (a: number, b: number): string => `${a}:${b}`;
  const levels: Record<string, number> = {};
  raw.counts.forEach((row, a) => {
    row.forEach((n, b) => (levels[key(a, b)] = n));
  });
  const kept = suppressSmallCells(
    { kind: 'categorical', count: total, missing: raw.missing, levels, suppressed: [] },
    min,
  ).levels;
  const output: CrosstabLocalOutput = {
    ...raw,
    counts: raw.counts.map((row, a) =>
      row.map((_, b) => (Object.hasOwn(kept, key(a, b)) ? (kept[key(a, b)] ?? 0) : null)),
    ),
  };
  const { dp } = ctx.params;
  return { status: 'ok', output: dp === undefined ? output : addNoise(raw, output, ctx, dp) };
}

/**
 * The released table with noise (issue 5 point 3): the cells and the missing count partition the
 * rows, so one release of Δ = 1 covers them all. Suppressed cells stay null; their noisy values
 * only enter `rows`, the sum of every noisy cell.
 */
function addNoise(
  raw: CrosstabRawCounts,
  released: CrosstabLocalOutput,
  ctx: LocalStepContext<CrosstabParams>,
  dp: NonNullable<CrosstabParams['dp']>,
): CrosstabLocalOutput & { privacy: unknown } {
  const noiser = makeNoiser(dp, 1, ctx.randomBytes);
  const noisy = noiser.cells('cells', [...raw.counts.flat(), raw.missing]);
  const width = raw.columnLevels.length;
  return {
    ...released,
    rows: noisy.reduce((a, b) => a + b, 0),
    missing: noisy[noisy.length - 1] ?? 0,
    counts: released.counts.map((row, a) =>
      row.map((n, b) => (n === null ? null : (noisy[a * width + b] ?? 0))),
    ),
    privacy: noiser.report(),
  };
}
