import { formatCrosstab, formatHistogram, formatSummary } from './descriptive.js';
import { formatKmeans, formatPca, formatRegression } from './models.js';
import { formatKaplanMeier } from './survival.js';
import { formatAnova, formatCorrelation, formatTtest } from './tests.js';

type Formatter = (result: unknown, params: unknown) => string | null;

const FORMATTERS: Readonly<Record<string, Formatter>> = {
  summary: formatSummary,
  histogram: formatHistogram,
  crosstab: formatCrosstab,
  ttest: formatTtest,
  anova: formatAnova,
  correlation: formatCorrelation,
  'linear-regression': formatRegression,
  'logistic-regression': formatRegression,
  'poisson-regression': formatRegression,
  'kaplan-meier': formatKaplanMeier,
  pca: formatPca,
  kmeans: formatKmeans,
};

/**
 * A job's result for humans: a table (or a small plot) for every built-in algorithm; indented
 * JSON for an algorithm without a formatter or a result of a shape the formatter does not know.
 */
export function formatAlgorithmResult(algorithm: string, result: unknown, params: unknown): string {
  const f = Object.hasOwn(FORMATTERS, algorithm) ? FORMATTERS[algorithm] : undefined;
  const text = f === undefined ? null : f(result, params);
  return text ?? `${JSON.stringify(result, null, 2)}\n`;
}

export { summaryRows } from './descriptive.js';
