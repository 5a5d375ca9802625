import { takePrivacy, withPrivacy } from '../dp-result.js';
import type { HubDecision, SiteResult } from '../framework.js';
import { COMMON_FAILURES, describeSites, failureFor } from '../hub-failures.js';
import { SingularMatrixError } from '../numerics/linear-algebra.js';
import { kaplanMeierCurve, medianSurvival, type PooledCurve } from './estimate.js';
import { logRankTest } from './log-rank.js';
import {
  kaplanMeierLocalOutputSchema,
  timeGrid,
  type CurveCoarsening,
  type KaplanMeierParams,
  type KaplanMeierResult,
  type SiteCurve,
} from './schemas.js';

/** Hub-side failure codes of `kaplan-meier` (HubDecision `failed`). */
export const KAPLAN_MEIER_FAILURES = {
  ...COMMON_FAILURES,
  DEGENERATE: 'the log-rank covariance is singular',
} as const;

const fail = failureFor(KAPLAN_MEIER_FAILURES);

interface Pool {
  n: number;
  atRisk: number[];
  events: number[];
  censored: number[];
}

/** Adds one site's released curve: its at-risk count at t_j is every cell from j on. */
function addSite(pool: Pool, site: SiteCurve): void {
  pool.n += site.n;
  let following = 0;
  for (let j = site.events.length - 1; j >= 0; j--) {
    const d = site.events[j] ?? 0;
    const c = site.censored[j] ?? 0;
    following += d + c;
    pool.events[j] = (pool.events[j] ?? 0) + d;
    pool.censored[j] = (pool.censored[j] ?? 0) + c;
    pool.atRisk[j] = (pool.atRisk[j] ?? 0) + following;
  }
}

/** Where a site's curve departs from the exact one, or undefined when it does not. */
function coarsening(site: SiteCurve, grid: readonly number[]): CurveCoarsening | undefined {
  const stopped = site.events.length < grid.length;
  if (site.deferred === 0 && !stopped) return undefined;
  if (!stopped) return { deferredPoints: site.deferred };
  const last = site.events.length;
  return { deferredPoints: site.deferred, lastPoint: last === 0 ? null : (grid[last - 1] ?? null) };
}

/**
 * Pools the sites' 'counts' outputs: events, censored and at-risk counts add up per curve and
 * grid point, so the pooled Kaplan–Meier curve, its band, the medians and the log-rank test are
 * those of all sites' rows together (exactly, unless a site coarsened; see `coarsened`). With
 * `dp` the cells are the sites' noisy ones, at-risk counts are derived from them, and the result
 * has `privacy`.
 */
export function aggregateKaplanMeier(
  params: KaplanMeierParams,
  results: readonly SiteResult[],
): HubDecision<null> {
  const taken = takePrivacy(results, params.dp !== undefined);
  if (!taken.ok) return fail('INVALID_OUTPUT', taken.reason);
  return withPrivacy(pool(params, taken.results), taken.privacy);
}

function pool(params: KaplanMeierParams, results: readonly SiteResult[]): HubDecision<null> {
  const ok = results.filter((r) => r.status === 'ok');
  if (ok.length === 0) return fail('NO_SITES', describeSites(results));
  const grid = timeGrid(params);
  const pools = new Map<string, Pool>();
  const coarsened: Record<string, Record<string, CurveCoarsening>> = {};
  for (const r of ok) {
    const parsed = kaplanMeierLocalOutputSchema.safeParse(r.output);
    if (!parsed.success) return fail('INVALID_OUTPUT', `${r.trust}: output does not fit`);
    const entries = Object.entries(parsed.data.curves);
    if (entries.some(([, c]) => !fits(c, grid.length))) {
      return fail('INVALID_OUTPUT', `${r.trust}: a curve does not fit the ${grid.length} points`);
    }
    const notes: [string, CurveCoarsening][] = [];
    for (const [key, curve] of entries) {
      const pool = pools.get(key) ?? { n: 0, atRisk: [], events: [], censored: [] };
      pools.set(key, pool);
      addSite(pool, curve);
      const note = coarsening(curve, grid);
      if (note !== undefined) notes.push([key, note]);
    }
    if (notes.length > 0) coarsened[r.trust] = Object.fromEntries(notes);
  }
  const keys = [...pools.keys()].sort();
  const filled = new Map<string, PooledCurve>(
    keys.map((k) => {
      const p = pools.get(k) ?? { n: 0, atRisk: [], events: [], censored: [] };
      const fill = (a: number[]): number[] => grid.map((_, j) => a[j] ?? 0);
      return [k, { atRisk: fill(p.atRisk), events: fill(p.events), censored: fill(p.censored) }];
    }),
  );
  const curves = Object.fromEntries(
    [...filled].map(([k, c]) => [
      k,
      kaplanMeierCurve(grid, c, params.confidenceLevel, params.confType),
    ]),
  );
  const result: KaplanMeierResult = {
    n: [...pools.values()].reduce((s, p) => s + p.n, 0),
    events: [...filled.values()].reduce((s, c) => s + c.events.reduce((a, b) => a + b, 0), 0),
    sites: ok.length,
    timePoints: grid,
    confidenceLevel: params.confidenceLevel,
    confType: params.confType,
    curves,
    median: Object.fromEntries(Object.entries(curves).map(([k, c]) => [k, medianSurvival(c)])),
  };
  if (params.group !== undefined) {
    try {
      result.logRank = logRankTest(filled);
    } catch (e) {
      if (e instanceof SingularMatrixError) return fail('DEGENERATE', e.message);
      throw e;
    }
  }
  if (Object.keys(coarsened).length > 0) result.coarsened = coarsened;
  return { kind: 'done', result };
}

const fits = (c: SiteCurve, points: number): boolean =>
  c.events.length <= points &&
  c.events.reduce((a, b) => a + b, 0) + c.censored.reduce((a, b) => a + b, 0) <= c.n;
