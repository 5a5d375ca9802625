import { formatNumber, formatTable } from '../output.js';
import { arr, isRecord, num, rec, str, type Json, pClause } from './read.js';

function orderBy(order: readonly string[]): (a: [string, unknown], b: [string, unknown]) => number {
  const rank = (name: string): number => {
    const i = order.indexOf(name);
    return i === -1 ? order.length : i;
  };
  return ([a], [b]) => rank(a) - rank(b);
}

function quantileCell(v: Json): string {
  const qs = arr(v, 'quantiles');
  if (qs === undefined) return '';
  return qs
    .filter(isRecord)
    .map((q) => `${formatNumber(num(q, 'p'))}: ${formatNumber(num(q, 'estimate'))}`)
    .join(', ');
}

/**
 * The rows of a `summary` result's variables, one per variable, in the order of `order` (the
 * job's `params.variables`) where given; null when `variables` is not a summary's.
 */
export function summaryRows(variables: unknown, order: readonly string[] = []): string[][] | null {
  if (!isRecord(variables)) return null;
  return Object.entries(variables)
    .sort(orderBy(order))
    .map(([name, raw]) => {
      const v: Json = isRecord(raw) ? raw : {};
      const levels = rec(v, 'levels');
      const levelText =
        levels === undefined
          ? quantileCell(v)
          : Object.entries(levels)
              .map(([k, c]) => `${k}: ${formatNumber(c)}`)
              .join(', ');
      const range =
        num(v, 'min') === undefined ? '' : `${formatNumber(v['min'])}–${formatNumber(v['max'])}`;
      return [
        name,
        formatNumber(v['count']),
        formatNumber(v['missing']),
        levels === undefined ? formatNumber(v['mean']) : '',
        levels === undefined ? formatNumber(v['sd']) : '',
        range,
        levelText,
      ];
    });
}

const SUMMARY_HEAD = ['variable', 'count', 'missing', 'mean', 'sd', 'range', 'levels / quantiles'];

/** Drops the range column when no variable has one. */
function summaryTable(rows: string[][]): string {
  const hasRange = rows.some((r) => r[5] !== '');
  const pick = (r: readonly string[]): string[] => r.filter((_, i) => hasRange || i !== 5);
  return formatTable(pick(SUMMARY_HEAD), rows.map(pick));
}

/** `summary`: a table of variables, then one per group when grouped. */
export function formatSummary(result: unknown, params: unknown): string | null {
  const order = (arr(params, 'variables') ?? []).filter((x): x is string => typeof x === 'string');
  const rows = summaryRows(rec(result, 'variables'), order);
  if (rows === null) return null;
  const parts = [`n = ${formatNumber(num(result, 'n'))}\n${summaryTable(rows)}`];
  const groups = rec(result, 'groups');
  const by = str(params, 'groupBy') ?? 'group';
  for (const [level, g] of Object.entries(groups ?? {})) {
    const gRows = summaryRows(rec(g, 'variables'), order);
    if (gRows === null) continue;
    parts.push(`${by} = ${level} (n = ${formatNumber(num(g, 'n'))})\n${summaryTable(gRows)}`);
  }
  return parts.join('\n');
}

/** `histogram`: one row per bin with a bar. */
export function formatHistogram(result: unknown): string | null {
  const edges = arr(result, 'edges');
  const counts = arr(result, 'counts');
  if (edges === undefined || counts === undefined) return null;
  const max = Math.max(1, ...counts.map((c) => (typeof c === 'number' ? c : 0)));
  const rows = counts.map((c, i) => [
    `[${formatNumber(edges[i])}, ${formatNumber(edges[i + 1])})`,
    formatNumber(c),
    typeof c === 'number' ? '█'.repeat(Math.round((30 * c) / max)) : 'suppressed',
  ]);
  const tail = `below ${formatNumber(num(result, 'below'))}, above ${formatNumber(num(result, 'above'))}, missing ${formatNumber(num(result, 'missing'))}\n`;
  return `n = ${formatNumber(num(result, 'n'))}\n${formatTable(['bin', 'count', ''], rows)}${tail}`;
}

/** `crosstab`: the contingency table, then the chi-square test. */
export function formatCrosstab(result: unknown, params: unknown): string | null {
  const rowLevels = arr(result, 'rows');
  const colLevels = arr(result, 'columns');
  const counts = arr(result, 'counts');
  if (rowLevels === undefined || colLevels === undefined || counts === undefined) return null;
  const rowVar = str(params, 'rows') ?? '';
  const colVar = str(params, 'columns') ?? '';
  const head = [`${rowVar} \\ ${colVar}`, ...colLevels.map((c) => formatNumber(c))];
  const rows = rowLevels.map((r, i) => {
    const line = counts[i];
    return [
      formatNumber(r),
      ...colLevels.map((_, j) => formatNumber(Array.isArray(line) ? line[j] : undefined)),
    ];
  });
  const chi = rec(result, 'chiSquare');
  const test =
    chi === undefined
      ? `chi-square: not computed${str(result, 'note') === undefined ? '' : ` (${str(result, 'note') ?? ''})`}\n`
      : `chi-square = ${formatNumber(num(chi, 'statistic'))}, df = ${formatNumber(num(chi, 'df'))}, ${pClause(num(chi, 'pValue'))}\n`;
  return `n = ${formatNumber(num(result, 'n'))} (missing ${formatNumber(num(result, 'missing'))})\n${formatTable(head, rows)}${test}`;
}
