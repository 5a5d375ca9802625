import { formatNumber, formatTable } from '../output.js';
import { arr, formatCi, formatP, num, rec, pClause } from './read.js';

/** `ttest`: groups (two-sample) and the test line. */
export function formatTtest(result: unknown): string | null {
  const stat = num(result, 'statistic');
  if (stat === undefined) return null;
  const groups = rec(result, 'groups');
  const table =
    groups === undefined
      ? ''
      : formatTable(
          ['group', 'count', 'mean', 'sd'],
          Object.entries(groups).map(([g, v]) => [
            g,
            formatNumber(num(v, 'count')),
            formatNumber(num(v, 'mean')),
            formatNumber(num(v, 'sd')),
          ]),
        );
  const kind = groups === undefined ? 'paired t' : 'Welch t';
  return (
    `n = ${formatNumber(num(result, 'n'))}\n${table}` +
    `difference = ${formatNumber(num(result, 'difference'))} ${formatCi(arr(result, 'ci'), formatNumber)}, ` +
    `${kind} = ${formatNumber(stat)}, df = ${formatNumber(num(result, 'df'))}, ${pClause(num(result, 'pValue'))}\n`
  );
}

/** `anova`: group means, then the ANOVA table. */
export function formatAnova(result: unknown): string | null {
  const groups = rec(result, 'groups');
  const between = rec(result, 'between');
  const within = rec(result, 'within');
  if (groups === undefined || between === undefined || within === undefined) return null;
  const means = formatTable(
    ['group', 'count', 'mean', 'sd'],
    Object.entries(groups).map(([g, v]) => [
      g,
      formatNumber(num(v, 'count')),
      formatNumber(num(v, 'mean')),
      formatNumber(num(v, 'sd')),
    ]),
  );
  const term = (name: string, t: unknown, last: boolean): string[] => [
    name,
    formatNumber(num(t, 'df')),
    formatNumber(num(t, 'ss')),
    formatNumber(num(t, 'ms')),
    last ? '' : formatNumber(num(result, 'statistic')),
    last ? '' : formatP(num(result, 'pValue')),
  ];
  const table = formatTable(
    ['', 'df', 'sum sq', 'mean sq', 'F', 'p'],
    [term('between', between, false), term('within', within, true)],
  );
  return `n = ${formatNumber(num(result, 'n'))}\n${means}\n${table}`;
}

/** `correlation`: r with p in brackets, as a matrix. */
export function formatCorrelation(result: unknown): string | null {
  const vars = arr(result, 'variables');
  const matrix = arr(result, 'matrix');
  const ps = arr(result, 'pValues');
  if (vars === undefined || matrix === undefined || ps === undefined) return null;
  const names = vars.map((v) => formatNumber(v));
  const rows = names.map((name, i) => [
    name,
    ...names.map((_, j) => {
      const r: unknown = Array.isArray(matrix[i]) ? (matrix[i] as unknown[])[j] : undefined;
      const p: unknown = Array.isArray(ps[i]) ? (ps[i] as unknown[])[j] : undefined;
      return i === j ? '1' : `${typeof r === 'number' ? r.toFixed(3) : '—'} (p ${formatP(p)})`;
    }),
  ]);
  return `n = ${formatNumber(num(result, 'n'))}\n${formatTable(['r', ...names], rows)}`;
}
