import type { LocalOutcome, LocalStepContext } from '../framework.js';
import type { Unfit } from '../table-columns.js';
import { moments, type Moments } from '../numerics/moments.js';
import type { AnovaLocalOutput, AnovaParams } from './schemas.js';

type RunOutput = AnovaLocalOutput | Unfit;

/**
 * Local step 'groups': count, mean and m2 of `variable` for every level of `group` that has a
 * value, over rows where both are present.
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
  g.levels.forEach((level, k) => {
    const m = moments(values[k] ?? []);
    if (m.count > 0) groups[level] = m;
  });
  return { groups };
}

/**
 * Disclosure check of 'groups': refuses INVALID_PARAMS for an unfit job and MIN_COUNT when any
 * level has between 1 and minCount − 1 values (naming the level, not the count).
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
  return { status: 'ok', output };
}
