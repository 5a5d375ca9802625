import { formatNumber, formatTable } from '../output.js';
import { arr, formatCi, formatP, isRecord, num, pClause, rec, str } from './read.js';

/**
 * Terms in model order: the intercept, then each covariate's terms in the order the job listed
 * them (a stored result's key order is not kept: PostgreSQL's jsonb reorders keys).
 */
export function orderTerms(terms: readonly string[], covariates: readonly string[]): string[] {
  const rank = (t: string): number => {
    if (t === '(Intercept)') return -1;
    const i = covariates.indexOf(t.includes(':') ? t.slice(0, t.indexOf(':')) : t);
    return i === -1 ? covariates.length : i;
  };
  return terms
    .map((t, i) => ({ t, i }))
    .sort((a, b) => rank(a.t) - rank(b.t) || a.i - b.i)
    .map((x) => x.t);
}

/** A regression's coefficient table (linear, logistic, Poisson), then its fit statistics. */
export function formatRegression(result: unknown, params: unknown): string | null {
  const coefs = rec(result, 'coefficients');
  if (coefs === undefined) return null;
  const order = (arr(params, 'covariates') ?? []).filter((x): x is string => typeof x === 'string');
  const family = str(result, 'family');
  const statName = family === undefined ? 't' : 'z';
  const rows = orderTerms(Object.keys(coefs), order)
    .map((name) => [name, coefs[name]] as const)
    .map(([name, c]) => [
      name,
      formatNumber(num(c, 'estimate')),
      formatNumber(num(c, 'standardError')),
      formatNumber(num(c, 'statistic')),
      formatP(num(c, 'pValue')),
      formatCi(arr(c, 'ci'), formatNumber),
    ]);
  const table = formatTable(['term', 'estimate', 'std. error', statName, 'p', '95% CI'], rows);
  const facts: string[] = [`n = ${formatNumber(num(result, 'n'))}`];
  const add = (label: string, key: string): void => {
    const v = num(result, key);
    if (v !== undefined) facts.push(`${label} ${formatNumber(v)}`);
  };
  add('R² =', 'rSquared');
  add('adjusted R² =', 'adjustedRSquared');
  add('residual SE =', 'residualStandardError');
  add('deviance =', 'deviance');
  add('null deviance =', 'nullDeviance');
  add('AIC =', 'aic');
  add('iterations:', 'iterations');
  const f = rec(result, 'fStatistic');
  if (f !== undefined) {
    facts.push(
      `F = ${formatNumber(num(f, 'value'))} on ${formatNumber(num(f, 'df1'))} and ${formatNumber(num(f, 'df2'))} df, ${pClause(num(f, 'pValue'))}`,
    );
  }
  const ratio =
    family === 'binomial' ? 'odds ratio' : family === 'poisson' ? 'rate ratio' : undefined;
  const ratios =
    ratio === undefined
      ? ''
      : `${ratio}s: ${Object.entries(coefs)
          .filter(([name]) => name !== '(Intercept)')
          .map(([name, c]) => {
            const e = num(c, 'estimate');
            return `${name} ${e === undefined ? '—' : formatNumber(Math.exp(e))}`;
          })
          .join(', ')}\n`;
  return `${table}${facts.join(', ')}\n${ratios}`;
}

/** `pca`: variance explained per component, then the loadings. */
export function formatPca(result: unknown): string | null {
  const eig = arr(result, 'eigenvalues');
  const loadings = rec(result, 'loadings');
  if (eig === undefined || loadings === undefined) return null;
  const prop = arr(result, 'proportionOfVariance') ?? [];
  const cum = arr(result, 'cumulativeProportion') ?? [];
  const comps = Object.keys(loadings);
  const variance = formatTable(
    ['component', 'eigenvalue', 'proportion', 'cumulative'],
    comps.map((c, i) => [c, formatNumber(eig[i]), formatNumber(prop[i]), formatNumber(cum[i])]),
  );
  const vars = Object.keys(rec(loadings, comps[0] ?? '') ?? {});
  const table = formatTable(
    ['loading', ...comps],
    vars.map((v) => [v, ...comps.map((c) => formatNumber(num(rec(loadings, c), v)))]),
  );
  return `n = ${formatNumber(num(result, 'n'))}\n${variance}\n${table}`;
}

/** `kmeans`: one row per centroid. */
export function formatKmeans(result: unknown): string | null {
  const centroids = arr(result, 'centroids');
  if (centroids === undefined) return null;
  const first = centroids.find(isRecord);
  const vars = Object.keys(rec(first, 'center') ?? {});
  const rows = centroids.map((c, i) => [
    String(i + 1),
    formatNumber(num(c, 'size')),
    ...vars.map((v) => formatNumber(num(rec(c, 'center'), v))),
    formatNumber(num(c, 'withinSS')),
  ]);
  const head = `n = ${formatNumber(num(result, 'n'))}, k = ${formatNumber(num(result, 'k'))}, iterations ${formatNumber(num(result, 'iterations'))}\n`;
  return head + formatTable(['cluster', 'size', ...vars, 'within SS'], rows);
}
