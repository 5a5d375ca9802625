import { clipAll, makeNoiser } from '../dp-release.js';
import type { LocalOutcome, LocalStepContext } from '../framework.js';
import { moments } from '../numerics/moments.js';
import type { Table } from '../table.js';
import { disclosePaired, runPaired } from './paired.js';
import type {
  TtestLocalOutput,
  TtestPairedLocalOutput,
  TtestParams,
  TtestTwoSampleParams,
} from './schemas.js';

/** Returned by the local step when the job does not fit this site's data; disclose refuses it. */
export interface Unfit {
  readonly unfit: string;
}
type RunOutput = TtestLocalOutput | TtestPairedLocalOutput | Unfit;

/**
 * Local step 'groups': for a paired test the moments of the differences ({@link runPaired}), else
 * count, mean and m2 per group ({@link runTwoSample}).
 *
 * @throws Error when a variable is not in the table (the node checks with checkVariables first).
 */
export function runGroups(ctx: LocalStepContext<TtestParams>): RunOutput {
  const p = ctx.params;
  return p.paired === true ? runPaired(ctx.table, p) : runTwoSample(ctx.table, p);
}

/**
 * Two-sample local step: count, mean and m2 of `variable` in each of the two levels of `group`,
 * over the rows where both are present. Returns an `unfit` marker (refused by disclose as
 * INVALID_PARAMS) when the variables have the wrong kinds or the levels cannot be determined.
 *
 * @throws Error when a variable is not in the table (the node checks with checkVariables first).
 */
function runTwoSample(table: Table, params: TtestTwoSampleParams): RunOutput {
  const { variable, group } = params;
  const cols = table.columns;
  const y = Object.hasOwn(cols, variable) ? cols[variable] : undefined;
  const g = Object.hasOwn(cols, group) ? cols[group] : undefined;
  if (y === undefined || g === undefined) throw new Error('a variable is not in the dataset');
  if (y.kind !== 'number') return { unfit: `variable ${variable} is not a number variable` };
  if (g.kind !== 'categorical') return { unfit: `group ${group} is not categorical` };
  const levels = params.levels ?? g.levels;
  const [a, b] = levels;
  if (levels.length !== 2 || a === undefined || b === undefined) {
    return { unfit: `group ${group} does not have exactly two levels; name them in levels` };
  }
  const codes = [g.levels.indexOf(a), g.levels.indexOf(b)];
  // Also keeps missing rows (code -1) from matching an absent level below.
  if (codes.includes(-1)) return { unfit: `group ${group} lacks a requested level` };
  const values: [number[], number[]] = [[], []];
  for (let i = 0; i < g.codes.length; i++) {
    const k = codes.indexOf(g.codes[i] ?? -1);
    const v = y.values[i] ?? Number.NaN;
    if (k < 0 || Number.isNaN(v)) continue;
    values[k]?.push(v);
  }
  // With dp the moments are of clipped values, so that one row's weight is bounded.
  const bounds = params.dp?.bounds[variable];
  const m = (v: number[]) => moments(bounds === undefined ? v : clipAll(v, bounds));
  return { levels: [a, b], groups: [m(values[0]), m(values[1])] };
}

/**
 * Disclosure check of 'groups': refuses INVALID_PARAMS for an unfit job and MIN_COUNT when either
 * group has fewer than minCount values (naming the level, not the count). Means and m2 of groups
 * at or above minCount are released; nothing row-level is. With `dp`, each group's count,
 * centred sum and sum of squares of clipped values get noise (ε split three ways).
 */
export function discloseGroups(
  output: RunOutput,
  ctx: LocalStepContext<TtestParams>,
): LocalOutcome {
  if ('unfit' in output) return { status: 'refused', code: 'INVALID_PARAMS', reason: output.unfit };
  const min = ctx.policy.minCount;
  if ('paired' in output) return disclosePaired(output, min, ctx);
  for (let k = 0; k < 2; k++) {
    if ((output.groups[k]?.count ?? 0) < min) {
      return {
        status: 'refused',
        code: 'MIN_COUNT',
        reason: `group ${output.levels[k] ?? ''} has fewer than ${min} values`,
      };
    }
  }
  const { dp } = ctx.params;
  const bounds = dp?.bounds[ctx.params.variable];
  if (dp === undefined || bounds === undefined) return { status: 'ok', output };
  // The two groups are disjoint: their counts are one histogram, their sums noised per group.
  const noiser = makeNoiser(dp, 3, ctx.randomBytes);
  const counts = noiser.cells(
    'count',
    output.groups.map((g) => g.count),
  );
  const [a, b] = noiser.moments(ctx.params.variable, output.groups, counts, bounds);
  if (a === undefined || b === undefined) throw new Error('two groups in, two out');
  const noisy: TtestLocalOutput = { levels: output.levels, groups: [a, b] };
  return { status: 'ok', output: { ...noisy, privacy: noiser.report() } };
}
