import { clipAll } from '../dp-release.js';
import type { LocalOutcome, LocalStepContext } from '../framework.js';
import type { Bounds } from '../privacy/sensitivity.js';
import { moments } from '../numerics/moments.js';
import type { Column } from '../table.js';
import { suppressGroups } from './groups-disclose.js';
import { groupStats, type RawGroups } from './groups-local.js';
import { addNoise } from './noise.js';
import {
  MAX_GROUPS,
  type CategoricalStats,
  type SummaryLocalOutput,
  type SummaryParams,
  type VariableStats,
} from './schemas.js';

/** What 'stats' computes before disclosure: min and max included, groups when asked for. */
export interface RawStats {
  readonly rows: number;
  readonly variables: Record<string, VariableStats>;
  readonly groups?: RawGroups;
}

/**
 * Local step 'stats': per variable, the count of non-missing values, the missing count, and either
 * the mean, m2, min and max (number, date) or the count of every level (categorical); the same per
 * level of `groupBy` when given. Nothing is suppressed here; {@link discloseStats} does that.
 *
 * @throws Error when a variable is not in the table (the node checks with checkVariables first).
 */
export function runStats(ctx: LocalStepContext<SummaryParams>): RawStats {
  const variables: Record<string, VariableStats> = {};
  for (const name of ctx.params.variables) {
    const col = Object.hasOwn(ctx.table.columns, name) ? ctx.table.columns[name] : undefined;
    if (col === undefined) throw new Error(`variable ${name} is not in the dataset`);
    // With dp the moments are of clipped values, so that one row's weight is bounded.
    variables[name] = columnStats(col, ctx.params.dp?.bounds[name]);
  }
  const { groupBy } = ctx.params;
  if (groupBy === undefined) return { rows: ctx.table.rows, variables };
  const groups = groupStats(ctx.table, groupBy, ctx.params.variables, (c) => columnStats(c));
  return { rows: ctx.table.rows, variables, groups };
}

function extremes(values: Float64Array): { min: number; max: number } | null {
  let min = Infinity;
  let max = -Infinity;
  for (const x of values) {
    if (x < min) min = x;
    if (x > max) max = x;
  }
  return min <= max ? { min, max } : null;
}

function columnStats(col: Column, bounds?: Bounds): VariableStats {
  if (col.kind !== 'categorical') {
    const m = moments(bounds === undefined ? col.values : clipAll(col.values, bounds));
    return {
      kind: col.kind,
      count: m.count,
      missing: col.values.length - m.count,
      mean: m.mean,
      m2: m.m2,
      ...extremes(col.values),
    };
  }
  const counts = new Array<number>(col.levels.length).fill(0);
  let missing = 0;
  for (const code of col.codes) {
    if (code < 0) missing++;
    else counts[code] = (counts[code] ?? 0) + 1;
  }
  const levels = Object.fromEntries(col.levels.map((l, i) => [l, counts[i] ?? 0]));
  return {
    kind: 'categorical',
    count: col.codes.length - missing,
    missing,
    levels,
    suppressed: [],
  };
}

/** A variable's statistics without min and max. */
function withoutExtremes(stats: VariableStats): VariableStats {
  if (stats.kind === 'categorical') return stats;
  const { min: _min, max: _max, ...rest } = stats;
  return rest;
}

/**
 * Disclosure check of 'stats' (DESIGN "Disclosure control at the node"): refuses the whole output
 * (MIN_COUNT) when the table or any variable's non-missing count is below minCount, naming the
 * variable but not its count; refuses a `groupBy` that is not categorical (INVALID_PARAMS) or has
 * more than MAX_GROUPS levels (LEVEL_LIMIT); suppresses small level cells and small groups
 * (see suppressGroups); releases min and max only when the policy allows them, never per group
 * and never with `dp`, whose noise {@link addNoise} adds after the suppression.
 */
export function discloseStats(
  output: RawStats,
  ctx: LocalStepContext<SummaryParams>,
): LocalOutcome {
  const min = ctx.policy.minCount;
  if (output.rows < min) {
    return { status: 'refused', code: 'MIN_COUNT', reason: `cohort has fewer than ${min} rows` };
  }
  const variables: Record<string, VariableStats> = {};
  for (const [name, stats] of Object.entries(output.variables)) {
    if (stats.count < min) {
      return {
        status: 'refused',
        code: 'MIN_COUNT',
        reason: `variable ${name} has fewer than ${min} non-missing values`,
      };
    }
    if (stats.kind === 'categorical') variables[name] = suppressSmallCells(stats, min);
    else {
      const extremes = ctx.policy.allowMinMax && ctx.params.dp === undefined;
      variables[name] = extremes ? stats : withoutExtremes(stats);
    }
  }
  const released: SummaryLocalOutput = { rows: output.rows, variables };
  const { dp } = ctx.params;
  if (dp !== undefined) return addNoise(output.variables, released, dp, ctx.randomBytes);
  const { groups } = output;
  const by = ctx.params.groupBy ?? '';
  if (groups?.kind === 'notCategorical') {
    return {
      status: 'refused',
      code: 'INVALID_PARAMS',
      reason: `groupBy ${by} is not categorical`,
    };
  }
  if (groups?.kind === 'tooManyLevels') {
    return {
      status: 'refused',
      code: 'LEVEL_LIMIT',
      reason: `groupBy ${by} has more than ${MAX_GROUPS} levels`,
    };
  }
  if (groups !== undefined) {
    const levels = Object.fromEntries(
      Object.entries(groups.levels).map(([l, g]) => [
        l,
        {
          rows: g.rows,
          variables: Object.fromEntries(
            Object.entries(g.variables).map(([v, s]) => [v, withoutExtremes(s)]),
          ),
        },
      ]),
    );
    return { status: 'ok', output: { ...released, groups: suppressGroups(levels, min) } };
  }
  return { status: 'ok', output: released };
}

/**
 * Primary suppression of every cell with 0 < n < minCount (zeros are released, as DataSHIELD
 * does), then secondary suppression: while a single cell is suppressed, or the suppressed cells add
 * up to less than minCount, the smallest released non-zero cell is suppressed too. Otherwise the
 * released total minus the released cells would give a small cell back exactly.
 */
export function suppressSmallCells(stats: CategoricalStats, minCount: number): CategoricalStats {
  const cells = Object.entries(stats.levels);
  const hidden = new Set(cells.filter(([, n]) => n > 0 && n < minCount).map(([l]) => l));
  const hiddenSum = (): number => cells.reduce((s, [l, n]) => s + (hidden.has(l) ? n : 0), 0);
  while (hidden.size > 0 && (hidden.size === 1 || hiddenSum() < minCount)) {
    const next = cells
      .filter(([l, n]) => n > 0 && !hidden.has(l))
      .sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1))[0];
    if (next === undefined) break;
    hidden.add(next[0]);
  }
  return {
    ...stats,
    levels: Object.fromEntries(cells.filter(([l]) => !hidden.has(l))),
    suppressed: cells.filter(([l]) => hidden.has(l)).map(([l]) => l),
  };
}
