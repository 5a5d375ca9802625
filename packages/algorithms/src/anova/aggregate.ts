import { takePrivacy, withPrivacy } from '../dp-result.js';
import type { HubDecision, SiteResult } from '../framework.js';
import { COMMON_FAILURES, describeSites, failureFor } from '../hub-failures.js';
import { fPValue } from '../numerics/distributions.js';
import { poolMoments, sampleVariance, type Moments } from '../numerics/moments.js';
import { anovaLocalOutputSchema, type AnovaParams, type AnovaResult } from './schemas.js';

/** Hub-side failure codes of `anova` (HubDecision `failed`). */
export const ANOVA_FAILURES = {
  ...COMMON_FAILURES,
  DEGENERATE: 'fewer than two groups, no residual degrees of freedom, or zero within variance',
} as const;

const fail = failureFor(ANOVA_FAILURES);

/**
 * Pools each level's moments over the sites (Chan et al.), then the one-way ANOVA table:
 * SS_between = Σ n_i (mean_i − mean)², SS_within = Σ m2_i, F = MS_between / MS_within. With
 * `dp` the moments are the sites' noisy ones and the result has `privacy`.
 */
export function aggregateAnovaGroups(
  params: AnovaParams,
  results: readonly SiteResult[],
): HubDecision<null> {
  const taken = takePrivacy(results, params.dp !== undefined);
  if (!taken.ok) return fail('INVALID_OUTPUT', taken.reason);
  return withPrivacy(pool(taken.results), taken.privacy);
}

function pool(results: readonly SiteResult[]): HubDecision<null> {
  const ok = results.filter((r) => r.status === 'ok');
  if (ok.length === 0) return fail('NO_SITES', describeSites(results));
  const pooled = new Map<string, Moments>();
  for (const r of ok) {
    const parsed = anovaLocalOutputSchema.safeParse(r.output);
    if (!parsed.success) return fail('INVALID_OUTPUT', `${r.trust}: output does not fit anova`);
    for (const [level, m] of Object.entries(parsed.data.groups)) {
      pooled.set(level, poolMoments(pooled.get(level) ?? { count: 0, mean: 0, m2: 0 }, m));
    }
  }
  const levels = [...pooled.keys()].filter((l) => (pooled.get(l)?.count ?? 0) > 0).sort();
  const groupMoments = levels.map((l) => pooled.get(l) ?? { count: 0, mean: 0, m2: 0 });
  const all = groupMoments.reduce(poolMoments, { count: 0, mean: 0, m2: 0 });
  const k = levels.length;
  const dfw = all.count - k;
  if (k < 2 || dfw < 1) return fail('DEGENERATE', `${k} groups, ${all.count} values`);
  const ssb = groupMoments.reduce((s, m) => s + m.count * (m.mean - all.mean) ** 2, 0);
  const ssw = groupMoments.reduce((s, m) => s + m.m2, 0);
  if (!(ssw > 0)) return fail('DEGENERATE', 'zero variance within groups');
  const between = { df: k - 1, ss: ssb, ms: ssb / (k - 1) };
  const within = { df: dfw, ss: ssw, ms: ssw / dfw };
  const statistic = between.ms / within.ms;
  const groups: AnovaResult['groups'] = {};
  levels.forEach((l, i) => {
    const m = groupMoments[i] ?? { count: 0, mean: 0, m2: 0 };
    const v = sampleVariance(m);
    groups[l] = { count: m.count, mean: m.mean, sd: v === null ? null : Math.sqrt(v) };
  });
  const result: AnovaResult = {
    n: all.count,
    groups,
    between,
    within,
    statistic,
    pValue: fPValue(statistic, between.df, within.df),
  };
  return { kind: 'done', result };
}
