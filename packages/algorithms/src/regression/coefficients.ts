import type { Coefficient } from '../linear-regression/schemas.js';

/** How the coefficients are tested: a t distribution (OLS) or the normal (Wald, GLM). */
export interface CoefficientTest {
  /** The 0.975 quantile of the test's distribution: the 95% CI is estimate ± quantile·SE. */
  readonly quantile: number;
  /** Two-sided p-value of a test statistic. */
  readonly pValue: (statistic: number) => number;
}

/**
 * The coefficient table of a fitted regression, by design column name: estimate, standard error
 * √variance(j), statistic estimate / SE, its two-sided p-value and the 95% confidence interval.
 */
export function coefficientTable(
  names: readonly string[],
  beta: readonly number[],
  variance: (j: number) => number,
  test: CoefficientTest,
): Record<string, Coefficient> {
  const out: Record<string, Coefficient> = {};
  names.forEach((name, j) => {
    const estimate = beta[j] as number;
    const standardError = Math.sqrt(variance(j));
    const statistic = estimate / standardError;
    out[name] = {
      estimate,
      standardError,
      statistic,
      pValue: test.pValue(statistic),
      ci: [estimate - test.quantile * standardError, estimate + test.quantile * standardError],
    };
  });
  return out;
}
