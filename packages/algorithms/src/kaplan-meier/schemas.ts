import { z } from 'zod';
import { disclosureParams } from '../disclosure-params.js';
import type { PrivacyResult } from '../dp-result.js';
import { variableName } from '../params.js';
import { dpSpecSchema } from '../privacy/schemas.js';

const finite = z.number().refine(Number.isFinite, 'must be finite');

/** Most grid points a job may ask for (each is one cell per curve at every site). */
export const MAX_TIME_POINTS = 1000;

/** Confidence band transforms, as R's survfit `conf.type` (default "log", as R's). */
export const CONF_TYPES = ['log', 'log-log', 'plain'] as const;
export type ConfType = (typeof CONF_TYPES)[number];

/**
 * `kaplan-meier` params: `{"time": "survival_days", "event": "died", "group": "arm",
 * "interval": 30, "until": 720}` or with explicit `"timePoints": [30, 60, 90]`. Exactly one grid
 * form is given; times are rounded up to the grid (see index.ts).
 */
export const kaplanMeierParamsSchema = z
  .object({
    time: variableName,
    event: variableName,
    group: variableName.optional(),
    /** The event level of a categorical event variable (default: its second level, as R's factor). */
    eventLevel: z.string().min(1).max(200).optional(),
    timePoints: z
      .array(finite.refine((t) => t >= 0, 'time points must be ≥ 0'))
      .min(1)
      .max(MAX_TIME_POINTS)
      .refine((t) => t.every((x, i) => i === 0 || x > (t[i - 1] ?? x)), 'must increase strictly')
      .optional(),
    interval: finite.refine((x) => x > 0, 'interval must be > 0').optional(),
    until: finite.refine((x) => x > 0, 'until must be > 0').optional(),
    confidenceLevel: z.number().gt(0).lt(1).default(0.95),
    confType: z.enum(CONF_TYPES).default('log'),
    ...disclosureParams,
    /** Noise on every released event and censored count (no bounds: one row is in one cell). */
    dp: dpSpecSchema.optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    const issue = (message: string): void => {
      ctx.addIssue({ code: 'custom', message });
    };
    const names = [p.time, p.event, ...(p.group === undefined ? [] : [p.group])];
    if (new Set(names).size !== names.length) issue('time, event and group must differ');
    const explicit = p.timePoints !== undefined;
    const regular = p.interval !== undefined || p.until !== undefined;
    if (explicit === regular) issue('give either timePoints, or interval with until');
    if (regular) {
      if (p.interval === undefined || p.until === undefined) issue('interval needs until');
      else if (p.until < p.interval) issue('until must be ≥ interval');
      else if (gridSize(p.interval, p.until) > MAX_TIME_POINTS) {
        issue(`at most ${MAX_TIME_POINTS} time points`);
      }
    }
  });
export type KaplanMeierParams = z.infer<typeof kaplanMeierParamsSchema>;

// A tiny slack so that e.g. until = 0.3, interval = 0.1 gives 3 points despite rounding.
const gridSize = (interval: number, until: number): number =>
  Math.floor((until / interval) * (1 + 1e-12));

/**
 * The shared grid t_1 < … < t_K of a job: the given `timePoints`, or k·interval for
 * k = 1 … ⌊until / interval⌋. Node and hub both call this, so they agree.
 */
export function timeGrid(params: KaplanMeierParams): number[] {
  if (params.timePoints !== undefined) return [...params.timePoints];
  const interval = params.interval ?? 1;
  const k = gridSize(interval, params.until ?? interval);
  return Array.from({ length: k }, (_, i) => (i + 1) * interval);
}

const count = z.number().int().min(0);

/**
 * One curve as a site releases it, after disclosure control. `events[j]` and `censored[j]` are
 * the rows whose (coarsened) time rounds up to grid point j; the site's last reported point is
 * J = events.length ≤ K, and `censored[J − 1]` also holds every row followed beyond t_J. When
 * J = 0 the site reports no point (its rows count in `n` only). `deferred` is how many grid
 * points held back a small cell (carried forward to a later point).
 */
export const siteCurveSchema = z
  .object({ n: count, events: z.array(count), censored: z.array(count), deferred: count })
  .strict()
  .refine((c) => c.events.length === c.censored.length, 'events and censored differ in length');
export type SiteCurve = z.infer<typeof siteCurveSchema>;

/** Step 'counts' output: one curve per group level present ("all" when not grouped). */
export const kaplanMeierLocalOutputSchema = z
  .object({ curves: z.record(z.string(), siteCurveSchema) })
  .strict();
export type KaplanMeierLocalOutput = z.infer<typeof kaplanMeierLocalOutputSchema>;

/** One grid point of a pooled curve (R's summary.survfit at that time). */
export interface CurvePoint {
  time: number;
  atRisk: number;
  events: number;
  censored: number;
  survival: number;
  /** Greenwood standard error of the survival (not of its log); null when undefined (S = 0). */
  standardError: number | null;
  lower: number | null;
  upper: number | null;
}

/** Median survival time and its confidence interval (R's quantile.survfit); null when not reached. */
export interface MedianSurvival {
  median: number | null;
  lower: number | null;
  upper: number | null;
}

/** Log-rank test of equal survival across groups (R's survdiff, rho = 0). */
export interface LogRankTest {
  chiSquare: number;
  df: number;
  pValue: number;
  observed: Record<string, number>;
  expected: Record<string, number>;
}

/** How a site's released curve departs from its exact one (omitted when it does not). */
export interface CurveCoarsening {
  /** Grid points at which a small cell was carried forward to a later point. */
  deferredPoints: number;
  /** The site's last reported time point when it stopped early, null when it reported none. */
  lastPoint?: number | null;
}

/** The result of a `kaplan-meier` job (README "Algorithms"). */
export interface KaplanMeierResult {
  /** Complete cases over the sites that released. */
  n: number;
  /** Events within the grid over all curves. */
  events: number;
  sites: number;
  timePoints: number[];
  confidenceLevel: number;
  confType: ConfType;
  curves: Record<string, CurvePoint[]>;
  median: Record<string, MedianSurvival>;
  logRank?: LogRankTest | null;
  /** Per site and curve, where small cells were coarsened; absent when every site is exact. */
  coarsened?: Record<string, Record<string, CurveCoarsening>>;
  /** With `dp`: what each site spent and the noise scale of its cells. */
  privacy?: PrivacyResult;
}
