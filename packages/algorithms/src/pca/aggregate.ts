import {
  correlationLocalOutputSchema,
  type CorrelationLocalOutput,
} from '../correlation/schemas.js';
import type { HubDecision, SiteResult } from '../framework.js';
import { COMMON_FAILURES, describeSites, failureFor } from '../hub-failures.js';
import { poolComoments } from '../numerics/moments.js';
import { symmetricEigen } from '../numerics/eigen.js';
import type { ByVariable, PcaParams, PcaResult } from './schemas.js';

/** Hub-side failure codes of `pca` (HubDecision `failed`). */
export const PCA_FAILURES = {
  ...COMMON_FAILURES,
  DEGENERATE: 'fewer than 2 complete cases, or a zero-variance variable under standardize',
} as const;

const fail = failureFor(PCA_FAILURES);

type Comoments = CorrelationLocalOutput;

/**
 * The sign convention of the result: flips `vector` so that its entry of largest absolute value
 * (the first such on a tie) is positive. Eigenvectors are defined only up to sign; this makes the
 * result the same on every run and every split of the rows.
 */
export function signConvention(vector: readonly number[]): number[] {
  let at = 0;
  vector.forEach((x, i) => {
    if (Math.abs(x) > Math.abs(vector[at] ?? 0)) at = i;
  });
  return (vector[at] ?? 0) < 0 ? vector.map((x) => -x) : [...vector];
}

const byVariable = (names: readonly string[], values: readonly number[]): ByVariable =>
  Object.fromEntries(names.map((v, i) => [v, values[i] ?? Number.NaN]));

/**
 * Pools the sites' co-moments, forms the covariance matrix C/(n − 1) (or the correlation matrix
 * when standardize) and eigen-decomposes it: the `pca` result.
 */
export function aggregatePca(params: PcaParams, results: readonly SiteResult[]): HubDecision<null> {
  const ok = results.filter((r) => r.status === 'ok');
  if (ok.length === 0) return fail('NO_SITES', describeSites(results));
  const names = params.variables;
  const p = names.length;
  let all: Comoments = { count: 0, means: [], comoments: [] };
  for (const r of ok) {
    const parsed = correlationLocalOutputSchema.safeParse(r.output);
    const d = parsed.data;
    if (
      d?.means.length !== p ||
      d.comoments.length !== p ||
      d.comoments.some((x) => x.length !== p)
    )
      return fail('INVALID_OUTPUT', `${r.trust}: output does not fit pca`);
    all = poolComoments(all, d);
  }
  const n = all.count;
  if (n < 2) return fail('DEGENERATE', 'fewer than 2 complete cases');
  const sd = all.comoments.map((row, i) => Math.sqrt((row[i] ?? 0) / (n - 1)));
  const flat = sd.findIndex((s) => !(s > 0));
  if (params.standardize && flat >= 0) {
    return fail('DEGENERATE', `${names[flat] ?? ''} has zero variance`);
  }
  const matrix = all.comoments.map((row, i) =>
    row.map((c, j) =>
      params.standardize ? c / (n - 1) / ((sd[i] ?? 1) * (sd[j] ?? 1)) : c / (n - 1),
    ),
  );
  const { values, vectors } = symmetricEigen(matrix);
  // Rounding can leave a zero eigenvalue slightly negative; a variance is never below zero.
  const eigenvalues = values.map((v) => Math.max(0, v));
  const total = eigenvalues.reduce((a, b) => a + b, 0);
  const proportionOfVariance = eigenvalues.map((v) => v / total);
  let running = 0;
  const cumulativeProportion = proportionOfVariance.map((v) => (running += v));
  const shown = vectors.slice(0, params.components ?? p);
  const result: PcaResult = {
    n,
    sites: ok.length,
    variables: [...names],
    standardize: params.standardize,
    eigenvalues,
    standardDeviations: eigenvalues.map(Math.sqrt),
    proportionOfVariance,
    cumulativeProportion,
    loadings: Object.fromEntries(
      shown.map((v, k) => [`PC${k + 1}`, byVariable(names, signConvention(v))]),
    ),
    center: byVariable(names, all.means),
    scale: params.standardize ? byVariable(names, sd) : null,
  };
  return { kind: 'done', result };
}
