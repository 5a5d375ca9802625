import { takePrivacy, withPrivacy } from '../dp-result.js';
import type { HubDecision, SiteResult } from '../framework.js';
import { COMMON_FAILURES, describeSites, failureFor } from '../hub-failures.js';
import { poolGroups } from './aggregate-groups.js';
import { chooseGrid } from './grid.js';
import { poolCategorical, poolNumeric } from './pool.js';
import {
  DEFAULT_BINS,
  summaryLocalOutputSchema,
  type Grid,
  type GridSource,
  type CategoricalStats,
  type NumericStats,
  type NumericSummary,
  type SummaryLocalOutput,
  type SummaryParams,
  type SummaryResult,
  MAX_GROUPS,
} from './schemas.js';

/** Hub-side failure codes of `summary` (HubDecision `failed`). */
export const SUMMARY_FAILURES = {
  ...COMMON_FAILURES,
  VARIABLE_KIND_MISMATCH: 'a variable has different kinds at different sites',
  LEVEL_LIMIT: 'the groupBy variable has more levels than summary allows',
  UNKNOWN_STEP: 'the hub was asked to aggregate a step summary does not have',
} as const;

/**
 * Hub state between 'stats' and 'quantiles': the pooled result so far, each numeric variable's
 * grid, and each site's count per variable (to check the histograms add up to them).
 */
export interface SummaryState {
  readonly result: SummaryResult;
  readonly grids: Record<string, { grid: Grid; source: GridSource }>;
  readonly counts: Record<string, Record<string, number>>;
}

type Decision = HubDecision<SummaryState | null>;
const fail = failureFor(SUMMARY_FAILURES);

export { describeSites } from '../hub-failures.js';

/**
 * Pools the sites' 'stats' outputs into the `summary` result: moments with Chan et al.'s formula,
 * level counts by addition, min and max when every site released them, groups when asked for.
 * Only sites with status ok count towards `n` and `sites`. When quantiles are asked for and there
 * is a numeric variable, the next step is 'quantiles' on the grids chosen here. With `dp` the
 * moments and counts are the sites' noisy ones and the result has `privacy` (takePrivacy).
 */
export function aggregateStats(params: SummaryParams, results: readonly SiteResult[]): Decision {
  const taken = takePrivacy(results, params.dp !== undefined);
  if (!taken.ok) return fail('INVALID_OUTPUT', taken.reason);
  return withPrivacy(pool(params, taken.results), taken.privacy);
}

function pool(params: SummaryParams, results: readonly SiteResult[]): Decision {
  const ok = results.filter((r) => r.status === 'ok');
  if (ok.length === 0) return fail('NO_SITES', describeSites(results));
  const outputs: SummaryLocalOutput[] = [];
  for (const r of ok) {
    const parsed = summaryLocalOutputSchema.safeParse(r.output);
    const missing = parsed.success
      ? params.variables.find((v) => !Object.hasOwn(parsed.data.variables, v))
      : undefined;
    if (!parsed.success || missing !== undefined) {
      return fail('INVALID_OUTPUT', `${r.trust}: output does not fit the summary step`);
    }
    if ((params.groupBy === undefined) !== (parsed.data.groups === undefined)) {
      return fail('INVALID_OUTPUT', `${r.trust}: output does not fit the summary step`);
    }
    outputs.push(parsed.data);
  }
  const variables: SummaryResult['variables'] = {};
  for (const name of params.variables) {
    const stats = outputs.map((o) => o.variables[name]).filter((s) => s !== undefined); // own keys: checked above
    const kinds = new Set(stats.map((s) => (s.kind === 'categorical' ? 'categorical' : s.kind)));
    if (kinds.size > 1) {
      return fail('VARIABLE_KIND_MISMATCH', `${name}: ${[...kinds].sort().join(' and ')}`);
    }
    const numeric = stats.filter((s): s is NumericStats => s.kind !== 'categorical');
    const categorical = stats.filter((s): s is CategoricalStats => s.kind === 'categorical');
    variables[name] = numeric.length > 0 ? poolNumeric(numeric) : poolCategorical(categorical);
  }
  const n = outputs.reduce((s, o) => s + o.rows, 0);
  const result: SummaryResult = { n, sites: outputs.length, variables };
  const withheld = ok.filter((_, i) => !releasesExtremes(outputs[i]));
  const hasNumeric = Object.values(variables).some((v) => !('levels' in v));
  // A job that forbade min and max (allowMinMax: false) needs no reason why they are absent.
  // Nor does a job with dp, where no site releases them.
  if (
    withheld.length > 0 &&
    hasNumeric &&
    params.allowMinMax !== false &&
    params.dp === undefined
  ) {
    result.minMax =
      withheld.length === ok.length
        ? 'withheld by every site'
        : `withheld by ${withheld.map((r) => r.trust).join(', ')}`;
  }
  if (params.groupBy !== undefined) {
    const pooled = poolGroups(params, outputs);
    if (pooled === null) {
      return fail('LEVEL_LIMIT', `${params.groupBy} has more than ${String(MAX_GROUPS)} groups`);
    }
    Object.assign(result, { groupBy: params.groupBy }, pooled);
  }
  const numeric = Object.entries(variables).filter(
    (e): e is [string, NumericSummary] => !('levels' in e[1]),
  );
  if (params.quantiles === undefined || numeric.length === 0) return { kind: 'done', result };
  const grids: SummaryState['grids'] = {};
  for (const [name, v] of numeric) {
    const range = params.range?.[name];
    grids[name] = chooseGrid(
      { ...(range === undefined ? {} : { range }), min: v.min, max: v.max, mean: v.mean, sd: v.sd },
      params.bins ?? DEFAULT_BINS,
    );
  }
  const counts = Object.fromEntries(
    ok.map((r, i) => [
      r.trust,
      Object.fromEntries(numeric.map(([name]) => [name, outputs[i]?.variables[name]?.count ?? 0])),
    ]),
  );
  const input = { grids: Object.fromEntries(Object.entries(grids).map(([k, g]) => [k, g.grid])) };
  return { kind: 'step', step: 'quantiles', input, state: { result, grids, counts } };
}

/** True when a site's output holds min and max for every numeric variable. */
function releasesExtremes(o: SummaryLocalOutput | undefined): boolean {
  return Object.values(o?.variables ?? {}).every(
    (s) => s.kind === 'categorical' || (s.min !== undefined && s.max !== undefined),
  );
}
