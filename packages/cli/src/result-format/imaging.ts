import { formatNumber, formatTable } from '../output.js';
import { arr, isRecord, num, rec, str, type Json } from './read.js';
import { SPARK_SUPPRESSED, mergeBins, sparkline } from './sparkline.js';

/*
 * Views of the imaging algorithms' results (issue 7): `imaging-cohort` (counts of patients,
 * studies, series and instances per group of series) and `image-stats` (pooled histograms of
 * modality values per group). A count the sites withheld is null in the result; it shows as
 * "<minCount" (the node's disclosure threshold, DESIGN "Disclosure control at the node").
 */

/** How a withheld patient count reads. */
export const SUPPRESSED = '<minCount';

/** Columns of a histogram line at most. */
const SPARK_WIDTH = 48;

/** The group variables of a result, in order; null when the result has none. */
function groupVariables(result: unknown): string[] | null {
  const by = arr(result, 'groupBy');
  if (by === undefined || by.length === 0 || !by.every((v) => typeof v === 'string')) return null;
  return by;
}

/** The group's values in `by` order; a missing value reads "(none)". */
function keyCells(group: Json, by: readonly string[]): string[] {
  const key = rec(group, 'key') ?? {};
  return by.map((v) => {
    const x = key[v];
    return typeof x === 'string' ? x : '(none)';
  });
}

/** A count, or "<minCount" (patients) / "—" (the other counts) when withheld. */
function countCell(x: unknown, first: boolean): string {
  if (typeof x === 'number') return formatNumber(x);
  return first ? SUPPRESSED : '—';
}

/**
 * Pads the cells of the columns from `from` on (header included) to a common width on the left,
 * so that they read right-aligned even where a cell is not a number.
 */
function alignRight(head: string[], rows: string[][], from: number): void {
  for (let i = from; i < head.length; i++) {
    const w = Math.max((head[i] ?? '').length, ...rows.map((r) => (r[i] ?? '').length));
    head[i] = (head[i] ?? '').padStart(w);
    for (const r of rows) r[i] = (r[i] ?? '').padStart(w);
  }
}

/** "3 sites", "1 site". */
function sitesText(result: unknown): string {
  const n = num(result, 'sites');
  return `${formatNumber(n)} ${n === 1 ? 'site' : 'sites'}`;
}

const COHORT_CELLS = ['patients', 'studies', 'series', 'instances'] as const;

/** `imaging-cohort`: a table of groups, their totals, and how patients add up. */
export function formatImagingCohort(result: unknown): string | null {
  const by = groupVariables(result);
  const groups = arr(result, 'groups');
  const totals = rec(result, 'totals');
  if (by === null || groups === undefined || totals === undefined) return null;
  const records = groups.filter(isRecord);
  const head = [...by, ...COHORT_CELLS];
  const rows = records.map((g) => [
    ...keyCells(g, by),
    ...COHORT_CELLS.map((c, i) => countCell(g[c], i === 0)),
  ]);
  rows.push([
    'total',
    ...by.slice(1).map(() => ''),
    ...COHORT_CELLS.map((c) => formatNumber(totals[c])),
  ]);
  alignRight(head, rows, by.length);
  const suppressed = records.filter((g) => g['patients'] === null).length;
  const range = arr(result, 'dateRange');
  const lines = [
    `${sitesText(result)}; series grouped by ${by.join(', ')}` +
      (range === undefined || range.length !== 2
        ? ''
        : `; studies from ${formatNumber(range[0])} to ${formatNumber(range[1])}`),
    formatTable(head, rows).trimEnd(),
  ];
  if (suppressed > 0) {
    lines.push(
      `${SUPPRESSED}: ${String(suppressed)} ${suppressed === 1 ? 'group' : 'groups'} withheld ` +
        'by a site (fewer than minCount patients there, or hidden so that it cannot be told ' +
        'from the totals); the totals count every series',
    );
  }
  const note = str(result, 'note');
  if (note !== undefined) lines.push(`note: ${note}`);
  return `${lines.join('\n')}\n`;
}

/** "−412.3 ± 520.1", or "—" when the group has no released mean. */
function meanSd(g: Json): string {
  const mean = num(g, 'mean');
  if (mean === undefined) return '—';
  const sd = num(g, 'sd');
  return `${formatNumber(round1(mean))} ± ${sd === undefined ? '—' : formatNumber(round1(sd))}`;
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

/** Whether the group covers every pixel read: "complete", or what was withheld. */
function statusCell(g: Json): string {
  if (g['complete'] === true) return 'complete';
  const counts = arr(g, 'counts');
  if (counts === undefined) return 'suppressed';
  const parts: string[] = [];
  const at = num(g, 'suppressedAt') ?? 0;
  if (at > 0) parts.push(`suppressed at ${String(at)} ${at === 1 ? 'site' : 'sites'}`);
  const bins = counts.filter((c) => c === null).length;
  if (bins > 0) parts.push(`${String(bins)} ${bins === 1 ? 'bin' : 'bins'} suppressed`);
  return parts.length === 0 ? 'incomplete' : parts.join(', ');
}

function countsOf(g: Json): (number | null)[] | null {
  const counts = arr(g, 'counts');
  if (counts === undefined) return null;
  return counts.map((c) => (typeof c === 'number' ? c : null));
}

/**
 * `image-stats`: per group its patients, series, mean ± sd, whether it is complete; then a
 * log-scale histogram line per released group over [min, max).
 */
export function formatImageStats(result: unknown): string | null {
  const by = groupVariables(result);
  const groups = arr(result, 'groups');
  const min = num(result, 'min');
  const max = num(result, 'max');
  if (by === null || groups === undefined || min === undefined || max === undefined) return null;
  const records = groups.filter(isRecord);
  const head = [...by, 'patients', 'series', 'mean ± sd', 'status'];
  const rows = records.map((g) => [
    ...keyCells(g, by),
    countCell(g['patients'], true),
    countCell(g['series'], false),
    meanSd(g),
    statusCell(g),
  ]);
  alignRight(head, rows, by.length);
  const lines = [
    `${sitesText(result)}; ${formatNumber(num(result, 'bins'))} bins of ` +
      `${formatNumber(num(result, 'binWidth'))} over [${formatNumber(min)}, ${formatNumber(max)}); ` +
      `series grouped by ${by.join(', ')}`,
    formatTable(head, rows).trimEnd(),
  ];
  const hist = records
    .map((g) => ({ label: keyCells(g, by).join(' '), counts: countsOf(g) }))
    .filter((h): h is { label: string; counts: (number | null)[] } => h.counts !== null);
  if (hist.length > 0) {
    const w = Math.max(...hist.map((h) => h.label.length));
    const width = mergeBins(hist[0]?.counts ?? [], SPARK_WIDTH).length;
    lines.push(`pixels per bin (log scale; ${SPARK_SUPPRESSED} suppressed):`);
    for (const h of hist) lines.push(`  ${h.label.padEnd(w)}  ${sparkline(h.counts, SPARK_WIDTH)}`);
    const lo = formatNumber(min);
    const hi = formatNumber(max);
    lines.push(
      `  ${''.padEnd(w)}  ${lo}${hi.padStart(Math.max(hi.length + 1, width - lo.length))}`,
    );
  }
  const undecodable = records.reduce((s, g) => s + (num(g, 'undecodable') ?? 0), 0);
  if (undecodable > 0) lines.push(`undecodable series (not counted): ${String(undecodable)}`);
  const note = str(result, 'note');
  if (note !== undefined) lines.push(`note: ${note}`);
  return `${lines.join('\n')}\n`;
}
