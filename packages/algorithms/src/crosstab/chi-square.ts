import { chiSquarePValue } from '../numerics/distributions.js';
import type { ChiSquareTest } from './schemas.js';

/**
 * Pearson's chi-square test of independence on a complete table of counts, without continuity
 * correction (R's `chisq.test(correct = FALSE)`, SciPy's `chi2_contingency(correction=False)`).
 * Rows and columns whose margin is zero carry no information and are left out, so df is
 * (r' − 1)(c' − 1) over the non-empty ones.
 *
 * @returns the test, or a note saying why it cannot be computed (fewer than 2 non-empty rows or
 *   columns).
 */
export function pearsonChiSquare(counts: readonly (readonly number[])[]): ChiSquareTest | string {
  const rowSums = counts.map((r) => r.reduce((s, n) => s + n, 0));
  const width = counts[0]?.length ?? 0;
  const colSums = Array.from({ length: width }, (_, b) =>
    counts.reduce((s, r) => s + (r[b] ?? 0), 0),
  );
  const rs = rowSums.flatMap((s, a) => (s > 0 ? [a] : []));
  const cs = colSums.flatMap((s, b) => (s > 0 ? [b] : []));
  if (rs.length < 2 || cs.length < 2) {
    return 'the chi-square test needs at least 2 non-empty rows and 2 non-empty columns';
  }
  const n = rowSums.reduce((s, x) => s + x, 0);
  let statistic = 0;
  for (const a of rs) {
    for (const b of cs) {
      const expected = ((rowSums[a] ?? 0) * (colSums[b] ?? 0)) / n;
      const d = (counts[a]?.[b] ?? 0) - expected;
      statistic += (d * d) / expected;
    }
  }
  const df = (rs.length - 1) * (cs.length - 1);
  return { statistic, df, pValue: chiSquarePValue(statistic, df) };
}
