import type { HubDecision, SiteResult } from './framework.js';

/** The hub-side failure codes every algorithm has; each algorithm's table spreads them first. */
export const COMMON_FAILURES = {
  NO_SITES: 'no site released a result',
  INVALID_OUTPUT: 'a site released an output of the wrong shape',
} as const;

/** A hub decision that ends the job with a code and a reason. */
export type HubFailure = Extract<HubDecision<unknown>, { kind: 'failed' }>;

/**
 * The `fail(code, reason)` of one algorithm: `_table` is its failure table, so a code the table
 * does not list is a compile error.
 */
export function failureFor<C extends string>(
  _table: Readonly<Record<C, string>>,
): (code: C, reason: string) => HubFailure {
  return (code, reason) => ({ kind: 'failed', code, reason });
}

/** One line per site for a NO_SITES reason: `trust: CODE (reason)`. */
export function describeSites(results: readonly SiteResult[]): string {
  if (results.length === 0) return 'no site answered';
  return results
    .map(
      (r) => `${r.trust}: ${r.code ?? r.status}${r.reason === undefined ? '' : ` (${r.reason})`}`,
    )
    .join('; ');
}
