import { formatNumber } from '../output.js';
import { arr, num, rec, str } from './read.js';
import { formatCrosstab, formatHistogram, formatSummary } from './descriptive.js';
import { formatImageStats, formatImagingCohort } from './imaging.js';
import { formatKmeans, formatPca, formatRegression } from './models.js';
import { formatKaplanMeier } from './survival.js';
import { formatAnova, formatCorrelation, formatTtest } from './tests.js';
import { formatTrain } from './train.js';

type Formatter = (result: unknown, params: unknown, jobId?: string) => string | null;

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
  train: formatTrain,
  'imaging-cohort': formatImagingCohort,
  'image-stats': formatImageStats,
};

/** Formatters that print how the result was protected themselves. */
const OWN_PROTECTION = new Set(['train']);

/**
 * A job's result for humans: a table (or a small plot) for every built-in algorithm; indented
 * JSON for an algorithm without a formatter or a result of a shape the formatter does not know.
 * `jobId`, when given, lets a formatter print follow-up commands (e.g. `model export`).
 */
export function formatAlgorithmResult(
  algorithm: string,
  result: unknown,
  params: unknown,
  jobId?: string,
): string {
  const f = Object.hasOwn(FORMATTERS, algorithm) ? FORMATTERS[algorithm] : undefined;
  const text = f === undefined ? null : f(result, params, jobId);
  if (text === null) return `${JSON.stringify(result, null, 2)}\n`;
  return OWN_PROTECTION.has(algorithm) ? text : text + protectionLines(result);
}

/** How the result was protected, when it was: secure aggregation, differential privacy. */
export function protectionLines(result: unknown): string {
  const lines: string[] = [];
  const sa = rec(result, 'secureAggregation');
  if (sa !== undefined) {
    const dropped = (arr(sa, 'dropped') ?? []).map(String);
    lines.push(
      `secure aggregation: the hub saw only masked sums of ${formatNumber(num(sa, 'sites'))} sites ` +
        `(threshold ${formatNumber(num(sa, 'threshold'))}, fixed point 2^-${formatNumber(num(sa, 'scaleBits'))}, ` +
        `error ≤ ${formatNumber(num(sa, 'errorBound'))})` +
        (dropped.length === 0 ? '' : `; dropped: ${dropped.join(', ')}`),
    );
  }
  const dp = rec(result, 'privacy');
  if (dp !== undefined) {
    const eps = num(dp, 'epsilonPerSite') ?? num(dp, 'epsilon');
    const delta = num(dp, 'deltaPerSite') ?? num(dp, 'delta');
    lines.push(
      `differential privacy: ${str(dp, 'mechanism') ?? 'noise'}, ε = ${formatNumber(eps)}` +
        `${delta === undefined || delta === 0 ? '' : `, δ = ${formatNumber(delta)}`} spent at each site` +
        noiseScales(rec(dp, 'noiseScale')),
    );
  }
  return lines.map((l) => `${l}\n`).join('');
}

export { summaryRows } from './descriptive.js';

function noiseScales(scales: Record<string, unknown> | undefined): string {
  const entries = Object.entries(scales ?? {}).filter(([, v]) => typeof v === 'number');
  if (entries.length === 0) return '';
  return `; noise scale ${entries.map(([k, v]) => `${k} ${formatNumber(v)}`).join(', ')}`;
}
