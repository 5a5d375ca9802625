import { takePrivacy, withPrivacy } from '../dp-result.js';
import type { HubDecision, SiteResult } from '../framework.js';
import { COMMON_FAILURES, describeSites, failureFor } from '../hub-failures.js';
import { pearsonChiSquare } from './chi-square.js';
import {
  crosstabLocalOutputSchema,
  type CrosstabLocalOutput,
  type CrosstabParams,
  type CrosstabResult,
} from './schemas.js';

/** Hub-side failure codes of `crosstab` (HubDecision `failed`). */
export const CROSSTAB_FAILURES = {
  ...COMMON_FAILURES,
} as const;

const fail = failureFor(CROSSTAB_FAILURES);

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Adds one site's table into the pooled one; a cell null at the site becomes null. */
function addSite(
  pooled: (number | null)[][],
  rows: string[],
  cols: string[],
  o: CrosstabLocalOutput,
) {
  const ci = o.columnLevels.map((l) => cols.indexOf(l));
  o.rowLevels.forEach((level, a) => {
    const target = pooled[rows.indexOf(level)];
    if (target === undefined) return; // cannot happen: rows is the union of the sites' levels
    o.counts[a]?.forEach((n, b) => {
      const j = ci[b] ?? -1;
      const cur = target[j];
      if (cur !== undefined) target[j] = cur === null || n === null ? null : cur + n;
    });
  });
}

/**
 * Pools the sites' 'table' outputs: levels are the union over the sites (a site without a level
 * holds no row of it), cells add exactly, and a cell suppressed at any site is null. The
 * chi-square test runs on the pooled table only when no cell is null. With `dp` the cells are
 * the sites' noisy ones, the test runs on them (and says so), and the result has `privacy`.
 */
export function aggregateCrosstab(
  params: CrosstabParams,
  results: readonly SiteResult[],
): HubDecision<null> {
  const taken = takePrivacy(results, params.dp !== undefined);
  if (!taken.ok) return fail('INVALID_OUTPUT', taken.reason);
  return withPrivacy(pool(taken.results, taken.privacy !== null), taken.privacy);
}

function pool(results: readonly SiteResult[], noisy: boolean): HubDecision<null> {
  const ok = results.filter((r) => r.status === 'ok');
  if (ok.length === 0) return fail('NO_SITES', describeSites(results));
  const outputs: CrosstabLocalOutput[] = [];
  for (const r of ok) {
    const parsed = crosstabLocalOutputSchema.safeParse(r.output);
    if (!parsed.success) {
      const reason = `${r.trust}: output does not fit the crosstab step`;
      return fail('INVALID_OUTPUT', reason);
    }
    outputs.push(parsed.data);
  }
  const rows = [...new Set(outputs.flatMap((o) => o.rowLevels))].sort(byCodeUnit);
  const columns = [...new Set(outputs.flatMap((o) => o.columnLevels))].sort(byCodeUnit);
  const counts = rows.map(() => new Array<number | null>(columns.length).fill(0));
  for (const o of outputs) addSite(counts, rows, columns, o);
  const complete = counts.every((r) => r.every((n) => n !== null));
  const test = complete
    ? pearsonChiSquare(counts)
    : 'cells were suppressed at some site, so the chi-square test is not computed';
  // The test on noisy counts is post-processing (no further privacy cost), but its p-value
  // ignores the noise's variance, so it is only indicative.
  const noted =
    noisy && typeof test !== 'string'
      ? 'chi-square computed on the noisy table; its p-value does not account for the noise'
      : undefined;
  const result: CrosstabResult = {
    n: outputs.reduce((s, o) => s + o.rows, 0),
    sites: outputs.length,
    missing: outputs.reduce((s, o) => s + o.missing, 0),
    rows,
    columns,
    counts,
    ...(typeof test === 'string' ? { chiSquare: null, note: test } : { chiSquare: test }),
    ...(noted === undefined ? {} : { note: noted }),
  };
  return { kind: 'done', result };
}
