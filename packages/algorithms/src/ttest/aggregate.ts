import { takePrivacy, withPrivacy } from '../dp-result.js';
import type { HubDecision, SiteResult } from '../framework.js';
import { COMMON_FAILURES, describeSites, failureFor } from '../hub-failures.js';
import { studentTQuantile, twoSidedTPValue } from '../numerics/distributions.js';
import { poolMoments, type Moments } from '../numerics/moments.js';
import { pairedTest } from './paired.js';
import {
  ttestLocalOutputSchema,
  ttestPairedLocalOutputSchema,
  type TtestPairedLocalOutput,
  type TtestParams,
  type TtestResult,
} from './schemas.js';

/** Hub-side failure codes of `ttest` (HubDecision `failed`). */
export const TTEST_FAILURES = {
  ...COMMON_FAILURES,
  LEVEL_MISMATCH: 'sites compared different levels',
  DEGENERATE: 'a group has fewer than two values or both groups have zero variance',
} as const;

const fail = failureFor(TTEST_FAILURES);

/**
 * Pools the sites' 'groups' outputs (Chan et al.'s formula per group) and computes Welch's t-test:
 * t = (mean_a − mean_b)/√(s_a²/n_a + s_b²/n_b), Welch–Satterthwaite df, two-sided p and a 95%
 * interval from the t quantile. A paired job pools the differences' moments instead (pairedTest).
 * With `dp` the moments are the sites' noisy ones and the result has `privacy`.
 */
export function aggregateGroups(
  params: TtestParams,
  results: readonly SiteResult[],
): HubDecision<null> {
  const taken = takePrivacy(results, params.dp !== undefined);
  if (!taken.ok) return fail('INVALID_OUTPUT', taken.reason);
  return withPrivacy(pool(params, taken.results), taken.privacy);
}

function pool(params: TtestParams, results: readonly SiteResult[]): HubDecision<null> {
  const ok = results.filter((r) => r.status === 'ok');
  if (ok.length === 0) return fail('NO_SITES', describeSites(results));
  if (params.paired === true) return aggregatePaired(ok);
  let levels: readonly [string, string] | undefined = params.levels;
  let a: Moments = { count: 0, mean: 0, m2: 0 };
  let b: Moments = { count: 0, mean: 0, m2: 0 };
  for (const r of ok) {
    const parsed = ttestLocalOutputSchema.safeParse(r.output);
    if (!parsed.success) return fail('INVALID_OUTPUT', `${r.trust}: output does not fit ttest`);
    const out = parsed.data;
    levels ??= out.levels;
    if (out.levels[0] !== levels[0] || out.levels[1] !== levels[1]) {
      return fail('LEVEL_MISMATCH', `${r.trust}: ${out.levels.join(' vs ')}`);
    }
    a = poolMoments(a, out.groups[0]);
    b = poolMoments(b, out.groups[1]);
  }
  if (levels === undefined) return fail('INVALID_OUTPUT', 'no levels'); // unreachable: ok ≥ 1
  return welch(levels, a, b);
}

function aggregatePaired(ok: readonly SiteResult[]): HubDecision<null> {
  const outputs: TtestPairedLocalOutput[] = [];
  for (const r of ok) {
    const parsed = ttestPairedLocalOutputSchema.safeParse(r.output);
    if (!parsed.success) return fail('INVALID_OUTPUT', `${r.trust}: output does not fit ttest`);
    outputs.push(parsed.data);
  }
  const result = pairedTest(outputs);
  if (result === null) return fail('DEGENERATE', 'fewer than 2 pairs or zero variance');
  return { kind: 'done', result };
}

function welch(levels: readonly [string, string], a: Moments, b: Moments): HubDecision<null> {
  if (a.count < 2 || b.count < 2) return fail('DEGENERATE', 'a group has fewer than 2 values');
  const va = a.m2 / (a.count - 1);
  const vb = b.m2 / (b.count - 1);
  const wa = va / a.count;
  const wb = vb / b.count;
  const se = Math.sqrt(wa + wb);
  if (!(se > 0)) return fail('DEGENERATE', 'both groups have zero variance');
  const difference = a.mean - b.mean;
  const statistic = difference / se;
  const df = (wa + wb) ** 2 / (wa ** 2 / (a.count - 1) + wb ** 2 / (b.count - 1));
  const half = studentTQuantile(0.975, df) * se;
  const result: TtestResult = {
    n: a.count + b.count,
    groups: {
      [levels[0]]: { count: a.count, mean: a.mean, sd: Math.sqrt(va) },
      [levels[1]]: { count: b.count, mean: b.mean, sd: Math.sqrt(vb) },
    },
    difference,
    standardError: se,
    statistic,
    df,
    pValue: twoSidedTPValue(statistic, df),
    ci: [difference - half, difference + half],
  };
  return { kind: 'done', result };
}
