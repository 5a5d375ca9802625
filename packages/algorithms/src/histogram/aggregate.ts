import { takePrivacy, withPrivacy } from '../dp-result.js';
import type { HubDecision, SiteResult } from '../framework.js';
import { COMMON_FAILURES, describeSites, failureFor } from '../hub-failures.js';
import {
  histogramEdges,
  histogramLocalOutputSchema,
  type HistogramLocalOutput,
  type HistogramParams,
  type HistogramResult,
} from './schemas.js';

/** Hub-side failure codes of `histogram` (HubDecision `failed`). */
export const HISTOGRAM_FAILURES = {
  ...COMMON_FAILURES,
} as const;

const fail = failureFor(HISTOGRAM_FAILURES);

const addCell = (a: number | null, b: number | null): number | null =>
  a === null || b === null ? null : a + b;

/**
 * Pools the sites' 'counts' outputs by exact integer addition; a cell suppressed at any site is
 * null in the result, since the sum of the others would be an undercount. With `dp` the cells
 * are the sites' noisy ones, and the result carries `privacy` (see takePrivacy).
 */
export function aggregateHistogram(
  params: HistogramParams,
  results: readonly SiteResult[],
): HubDecision<null> {
  const taken = takePrivacy(results, params.dp !== undefined);
  if (!taken.ok) return fail('INVALID_OUTPUT', taken.reason);
  return withPrivacy(pool(params, taken.results), taken.privacy);
}

function pool(params: HistogramParams, results: readonly SiteResult[]): HubDecision<null> {
  const ok = results.filter((r) => r.status === 'ok');
  if (ok.length === 0) return fail('NO_SITES', describeSites(results));
  const edges = histogramEdges(params);
  const k = edges.length - 1;
  const outputs: HistogramLocalOutput[] = [];
  for (const r of ok) {
    const parsed = histogramLocalOutputSchema.safeParse(r.output);
    if (!parsed.success || parsed.data.counts.length !== k) {
      const reason = `${r.trust}: output does not fit the histogram step`;
      return fail('INVALID_OUTPUT', reason);
    }
    outputs.push(parsed.data);
  }
  let counts: (number | null)[] = new Array<number | null>(k).fill(0);
  let below: number | null = 0;
  let above: number | null = 0;
  let n = 0;
  let missing = 0;
  for (const o of outputs) {
    counts = counts.map((c, i) => addCell(c, o.counts[i] ?? null));
    below = addCell(below, o.below);
    above = addCell(above, o.above);
    n += o.rows;
    missing += o.missing;
  }
  const suppressed = counts.flatMap((c, i) => (c === null ? [i] : []));
  const result: HistogramResult = {
    n,
    sites: outputs.length,
    edges,
    counts,
    below,
    above,
    missing,
    suppressed,
  };
  return { kind: 'done', result };
}
