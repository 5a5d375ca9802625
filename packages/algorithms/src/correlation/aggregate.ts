import type { HubDecision, SiteResult } from '../framework.js';
import { COMMON_FAILURES, describeSites, failureFor } from '../hub-failures.js';
import { poolComoments } from '../numerics/moments.js';
import { twoSidedTPValue } from '../numerics/distributions.js';
import {
  correlationLocalOutputSchema,
  type CorrelationLocalOutput,
  type CorrelationParams,
  type CorrelationResult,
} from './schemas.js';

/** Hub-side failure codes of `correlation` (HubDecision `failed`). */
export const CORRELATION_FAILURES = {
  ...COMMON_FAILURES,
  DEGENERATE: 'fewer than 3 complete cases, or a variable with zero variance',
} as const;

const fail = failureFor(CORRELATION_FAILURES);

type Pooled = CorrelationLocalOutput;

function fits(o: Pooled, p: number): boolean {
  return (
    o.means.length === p && o.comoments.length === p && o.comoments.every((r) => r.length === p)
  );
}

/** Pools the sites' co-moments and turns them into the Pearson matrix and its p-values. */
export function aggregateComoments(
  params: CorrelationParams,
  results: readonly SiteResult[],
): HubDecision<null> {
  const ok = results.filter((r) => r.status === 'ok');
  if (ok.length === 0) return fail('NO_SITES', describeSites(results));
  const p = params.variables.length;
  let all: Pooled = { count: 0, means: [], comoments: [] };
  for (const r of ok) {
    const parsed = correlationLocalOutputSchema.safeParse(r.output);
    if (!parsed.success || !fits(parsed.data, p)) {
      return fail('INVALID_OUTPUT', `${r.trust}: output does not fit correlation`);
    }
    all = poolComoments(all, parsed.data);
  }
  const n = all.count;
  if (n < 3) return fail('DEGENERATE', 'fewer than 3 complete cases');
  const diag = all.comoments.map((row, i) => row[i] ?? 0);
  const flat = diag.findIndex((d) => !(d > 0));
  if (flat >= 0) return fail('DEGENERATE', `${params.variables[flat] ?? ''} has zero variance`);
  const matrix = all.comoments.map((row, i) =>
    row.map((c, j) =>
      i === j ? 1 : Math.max(-1, Math.min(1, c / Math.sqrt((diag[i] ?? 0) * (diag[j] ?? 0)))),
    ),
  );
  const pValues = matrix.map((row) =>
    row.map((r) =>
      Math.abs(r) === 1 ? 0 : twoSidedTPValue(r * Math.sqrt((n - 2) / (1 - r * r)), n - 2),
    ),
  );
  const result: CorrelationResult = { n, variables: [...params.variables], matrix, pValues };
  return { kind: 'done', result };
}
