import type { HubDecision, SiteResult } from '../framework.js';
import { poolMoments, sampleVariance, type Moments } from '../numerics/moments.js';
import {
  summaryLocalOutputSchema,
  type CategoricalStats,
  type CategoricalSummary,
  type NumericStats,
  type NumericSummary,
  type SummaryLocalOutput,
  type SummaryParams,
  type SummaryResult,
} from './schemas.js';

/** Hub-side failure codes of `summary` (HubDecision `failed`). */
export const SUMMARY_FAILURES = {
  NO_SITES: 'no site released a result',
  INVALID_OUTPUT: 'a site released an output of the wrong shape',
  VARIABLE_KIND_MISMATCH: 'a variable has different kinds at different sites',
} as const;

type Failure = Extract<HubDecision<null>, { kind: 'failed' }>;
const fail = (code: keyof typeof SUMMARY_FAILURES, reason: string): Failure => ({
  kind: 'failed',
  code,
  reason,
});

/** One line per site for a NO_SITES reason: `trust: CODE (reason)`. */
export function describeSites(results: readonly SiteResult[]): string {
  if (results.length === 0) return 'no site answered';
  return results
    .map(
      (r) => `${r.trust}: ${r.code ?? r.status}${r.reason === undefined ? '' : ` (${r.reason})`}`,
    )
    .join('; ');
}

/**
 * Pools the sites' 'stats' outputs into the `summary` result: moments with Chan et al.'s formula,
 * level counts by addition. Only sites with status ok count towards `n` and `sites`.
 */
export function aggregateStats(
  params: SummaryParams,
  results: readonly SiteResult[],
): HubDecision<null> {
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
  return { kind: 'done', result };
}

function poolNumeric(stats: readonly NumericStats[]): NumericSummary {
  let m: Moments = { count: 0, mean: 0, m2: 0 };
  let missing = 0;
  for (const s of stats) {
    m = poolMoments(m, s);
    missing += s.missing;
  }
  const v = sampleVariance(m);
  return { count: m.count, missing, mean: m.mean, sd: v === null ? null : Math.sqrt(v) };
}

function poolCategorical(stats: readonly CategoricalStats[]): CategoricalSummary {
  const totals = new Map<string, number>();
  const suppressed = new Set<string>();
  let count = 0;
  let missing = 0;
  for (const s of stats) {
    count += s.count;
    missing += s.missing;
    for (const l of s.suppressed) suppressed.add(l);
    for (const [l, n] of Object.entries(s.levels)) totals.set(l, (totals.get(l) ?? 0) + n);
  }
  const levels = [...totals.keys()]
    .filter((l) => !suppressed.has(l))
    .sort()
    .map((l): [string, number] => [l, totals.get(l) ?? 0]);
  return {
    count,
    missing,
    levels: Object.fromEntries(levels),
    ...(suppressed.size === 0 ? {} : { suppressed: [...suppressed].sort() }),
  };
}
