import { makeNoiser } from '../dp-release.js';
import type { LocalOutcome, LocalStepContext } from '../framework.js';
import { tableColumn, type Unfit } from '../table-columns.js';
import type { Column } from '../table.js';
import { asCategorical } from '../table-info.js';
import { coarsenCurve, type RawCurve } from './coarsen.js';
import {
  timeGrid,
  type KaplanMeierLocalOutput,
  type KaplanMeierParams,
  type SiteCurve,
} from './schemas.js';

/** The curve key of an ungrouped job. */
export const ALL = 'all';

/** Exact per-curve counts at a site, before disclosure control. */
export interface RawCounts {
  readonly curves: ReadonlyMap<string, RawCurve & { readonly n: number }>;
}

type RunOutput = RawCounts | Unfit;

function column(ctx: LocalStepContext<KaplanMeierParams>, name: string): Column {
  return tableColumn(ctx.table, name);
}

/**
 * Reads the event indicator of row i as 1 (event), 0 (censored) or -1 (missing).
 * Returns a string when the column cannot be an event indicator.
 */
function eventReader(col: Column, params: KaplanMeierParams): ((i: number) => number) | string {
  const { event, eventLevel } = params;
  if (col.kind === 'categorical') {
    if (eventLevel === undefined && col.levels.length !== 2) {
      return `event ${event} has ${col.levels.length} levels, not 2; give eventLevel`;
    }
    // Without eventLevel the second level is the event, as R's Surv reads a two-level factor.
    const target = eventLevel === undefined ? 1 : col.levels.indexOf(eventLevel);
    return (i) => {
      const code = col.codes[i] ?? -1;
      if (code < 0) return -1;
      return code === target ? 1 : 0;
    };
  }
  if (col.kind !== 'number') return `event ${event} is not a number or categorical variable`;
  if (eventLevel !== undefined) return `eventLevel applies to a categorical event, not ${event}`;
  return (i) => {
    const v = col.values[i] ?? Number.NaN;
    if (Number.isNaN(v)) return -1;
    if (v !== 0 && v !== 1) throw new Error(`event ${event} has a value other than 0 and 1`);
    return v;
  };
}

/** Index of the first grid point ≥ t (binary search), or grid.length when t is beyond it. */
function gridIndex(grid: readonly number[], t: number): number {
  let lo = 0;
  let hi = grid.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((grid[mid] ?? Number.POSITIVE_INFINITY) < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Local step 'counts': over complete cases (time, event and group present), the events and
 * censored rows at each grid point after rounding times up to the grid, and the rows beyond the
 * last point, per level of `group` (or one curve "all").
 *
 * @throws Error when a variable is absent, a time is negative or infinite, or a number event is
 *   not 0/1 (the node reports STEP_FAILED; the message names the variable, never a value).
 */
export function runKaplanMeier(ctx: LocalStepContext<KaplanMeierParams>): RunOutput {
  const { params } = ctx;
  const time = column(ctx, params.time);
  if (time.kind !== 'number') return { unfit: `time ${params.time} is not a number variable` };
  const readEvent = eventReader(column(ctx, params.event), params);
  if (typeof readEvent === 'string') return { unfit: readEvent };
  const group = params.group === undefined ? undefined : asCategorical(column(ctx, params.group));
  if (group === null) {
    return {
      unfit: `group ${params.group ?? ''} is neither categorical nor an integer code with few values`,
    };
  }
  const levels = group === undefined ? [ALL] : group.levels;
  const grid = timeGrid(params);
  const k = grid.length;
  const counts = levels.map(() => ({
    n: 0,
    events: new Array<number>(k).fill(0),
    censored: new Array<number>(k).fill(0),
    beyond: 0,
  }));
  for (let i = 0; i < ctx.table.rows; i++) {
    const t = time.values[i] ?? Number.NaN;
    if (Number.isNaN(t)) continue;
    if (t < 0 || t === Number.POSITIVE_INFINITY) {
      throw new Error(`time ${params.time} has a negative or infinite value`);
    }
    const e = readEvent(i);
    const g = group === undefined ? 0 : (group.codes[i] ?? -1);
    if (e < 0 || g < 0) continue;
    const c = counts[g];
    if (c === undefined) continue;
    c.n++;
    const j = gridIndex(grid, t);
    if (j === k) c.beyond++;
    else if (e === 1) c.events[j] = (c.events[j] ?? 0) + 1;
    else c.censored[j] = (c.censored[j] ?? 0) + 1;
  }
  const curves = new Map<string, RawCurve & { n: number }>();
  levels.forEach((level, g) => {
    const c = counts[g];
    if (c !== undefined && c.n > 0) curves.set(level, c);
  });
  return { curves };
}

/**
 * Disclosure check of 'counts': refuses INVALID_PARAMS for an unfit job; MIN_COUNT when the
 * complete cases, or those of any group level, are between 1 and minCount − 1 (naming the level,
 * not the count); otherwise releases each curve through coarsenCurve, so that no event or
 * censored count, and no at-risk count derived from them, is between 1 and minCount − 1. With
 * `dp`, noise is added to the coarsened cells (see addNoise).
 */
export function discloseKaplanMeier(
  output: RunOutput,
  ctx: LocalStepContext<KaplanMeierParams>,
): LocalOutcome {
  if ('unfit' in output) return { status: 'refused', code: 'INVALID_PARAMS', reason: output.unfit };
  const min = ctx.policy.minCount;
  let total = 0;
  for (const c of output.curves.values()) total += c.n;
  if (total < min) {
    const reason = `fewer than ${min} rows have ${describeVariables(ctx.params)}`;
    return { status: 'refused', code: 'MIN_COUNT', reason };
  }
  for (const [level, c] of output.curves) {
    if (c.n < min && ctx.params.group !== undefined) {
      const reason = `group ${level} has fewer than ${min} complete cases`;
      return { status: 'refused', code: 'MIN_COUNT', reason };
    }
  }
  const released: KaplanMeierLocalOutput = {
    curves: Object.fromEntries(
      [...output.curves].map(([level, c]) => [level, coarsenCurve(c, min)]),
    ),
  };
  const { dp } = ctx.params;
  if (dp === undefined) return { status: 'ok', output: released };
  return { status: 'ok', output: addNoise(released, dp, ctx.randomBytes) };
}

/**
 * The coarsened curves with noise (issue 5 point 3): every released event and censored cell, and
 * per curve the rows in no released cell (n minus the cells), partition the complete cases, so
 * one release of Δ = 1 covers them all. `n` becomes the sum of a curve's noisy cells. Cells are
 * clamped at 0, so the at-risk counts the hub derives (sums of cells from t_j on) stay at least
 * the events at t_j and the survival estimate stays in [0, 1]. The grid points a site reports
 * and its deferrals come from the exact counts (disclosure control, as MIN_COUNT refusals do).
 */
function addNoise(
  released: KaplanMeierLocalOutput,
  dp: NonNullable<KaplanMeierParams['dp']>,
  source: LocalStepContext<KaplanMeierParams>['randomBytes'],
): KaplanMeierLocalOutput & { privacy: unknown } {
  const curves = Object.entries(released.curves);
  const rest = (c: SiteCurve): number =>
    c.n - [...c.events, ...c.censored].reduce((a, b) => a + b, 0);
  const noiser = makeNoiser(dp, 1, source);
  const noisy = noiser.cells(
    'cells',
    curves.flatMap(([, c]) => [...c.events, ...c.censored, rest(c)]),
  );
  let at = 0;
  const take = (k: number): number[] => noisy.slice(at, (at += k));
  const out = curves.map(([key, c]): [string, SiteCurve] => {
    const events = take(c.events.length);
    const censored = take(c.censored.length);
    const n = [...events, ...censored, ...take(1)].reduce((a, b) => a + b, 0);
    return [key, { n, events, censored, deferred: c.deferred }];
  });
  return { curves: Object.fromEntries(out), privacy: noiser.report() };
}

function describeVariables(p: KaplanMeierParams): string {
  return [p.time, p.event, ...(p.group === undefined ? [] : [p.group])].join(', ');
}
