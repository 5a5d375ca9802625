import { clipAll, makeNoiser } from '../dp-release.js';
import type { LocalOutcome, LocalStepContext } from '../framework.js';
import type { Unfit } from '../table-columns.js';
import { moments, type Moments } from '../numerics/moments.js';
import type { AnovaLocalOutput, AnovaParams } from './schemas.js';

type RunOutput = AnovaLocalOutput | Unfit;

/**
 * Local step 'groups': count, mean and m2 of `variable` for every level of `group` that has a
 * value, over rows where both are present (values clipped to the dp bounds when dp is asked).
 *
 * @throws Error when a variable is not in the table (the node checks with checkVariables first).
 */
export function runAnovaGroups(ctx: LocalStepContext<AnovaParams>): RunOutput {
  const { variable, group } = ctx.params;
  const cols = ctx.table.columns;
  const y = Object.hasOwn(cols, variable) ? cols[variable] : undefined;
  const g = Object.hasOwn(cols, group) ? cols[group] : undefined;
  if (y === undefined || g === undefined) throw new Error('a variable is not in the dataset');
  if (y.kind !== 'number') return { unfit: `variable ${variable} is not a number variable` };
  if (g.kind !== 'categorical') return { unfit: `group ${group} is not categorical` };
  const values = g.levels.map((): number[] => []);
  for (let i = 0; i < g.codes.length; i++) {
    const v = y.values[i] ?? Number.NaN;
    if (!Number.isNaN(v)) values[g.codes[i] ?? -1]?.push(v);
  }
  const groups: Record<string, Moments> = {};
  const bounds = ctx.params.dp?.bounds[variable];
  g.levels.forEach((level, k) => {
    const v = values[k] ?? [];
    // With dp the moments are of clipped values, so that one row's weight is bounded.
    const m = moments(bounds === undefined ? v : clipAll(v, bounds));
    if (m.count > 0) groups[level] = m;
  });
  return { groups };
}

/**
 * Disclosure check of 'groups': refuses INVALID_PARAMS for an unfit job and MIN_COUNT when any
 * level has between 1 and minCount − 1 values (naming the level, not the count). With `dp`,
 * each level's count, centred sum and sum of squares get noise (ε split three ways); a level
 * whose noisy count is 0 is released with count 0, and the hub leaves it out.
 */
export function discloseAnovaGroups(
  output: RunOutput,
  ctx: LocalStepContext<AnovaParams>,
): LocalOutcome {
  if ('unfit' in output) return { status: 'refused', code: 'INVALID_PARAMS', reason: output.unfit };
  const min = ctx.policy.minCount;
  for (const [level, m] of Object.entries(output.groups)) {
    if (m.count < min) {
      return {
        status: 'refused',
        code: 'MIN_COUNT',
        reason: `group ${level} has fewer than ${min} values`,
      };
    }
  }
  const { dp } = ctx.params;
  const bounds = dp?.bounds[ctx.params.variable];
  if (dp === undefined || bounds === undefined) return { status: 'ok', output };
  // Groups are disjoint, so the counts are one histogram and each sum is noised per group.
  const noiser = makeNoiser(dp, 3, ctx.randomBytes);
  const levels = Object.keys(output.groups);
  const exact = levels.map((l) => output.groups[l] ?? { count: 0, mean: 0, m2: 0 });
  const counts = noiser.cells(
    'count',
    exact.map((m) => m.count),
  );
  const noisy = noiser.moments(ctx.params.variable, exact, counts, bounds);
  const groups = Object.fromEntries(levels.map((l, i) => [l, noisy[i]]));
  return { status: 'ok', output: { groups, privacy: noiser.report() } };
}
