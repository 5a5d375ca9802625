import type { Column, Table } from '../table.js';
import { MAX_GROUPS, type VariableStats } from './schemas.js';

/** One group's raw statistics at a site, before disclosure. */
export interface RawGroup {
  readonly rows: number;
  readonly variables: Record<string, VariableStats>;
}

/** The raw per-group statistics, or why there are none. */
export type RawGroups =
  | { readonly kind: 'ok'; readonly levels: Record<string, RawGroup> }
  | { readonly kind: 'notCategorical' }
  | { readonly kind: 'tooManyLevels' };

/** The rows of `col` at `rows`, as a column of the same kind. */
function subsetColumn(col: Column, rows: Int32Array): Column {
  if (col.kind === 'categorical') {
    return { kind: 'categorical', levels: col.levels, codes: rows.map((i) => col.codes[i] ?? -1) };
  }
  return { kind: col.kind, values: Float64Array.from(rows, (i) => col.values[i] ?? Number.NaN) };
}

/**
 * Per level of the categorical `groupBy` column: the rows in the group and every variable's
 * statistics over them (by `columnStats`, as for the whole table). Levels without rows are left
 * out. More than MAX_GROUPS declared levels, or a groupBy that is not categorical, gives no
 * statistics, only the reason (the disclosure check refuses then).
 */
export function groupStats(
  table: Table,
  groupBy: string,
  variables: readonly string[],
  columnStats: (col: Column) => VariableStats,
): RawGroups {
  const by = Object.hasOwn(table.columns, groupBy) ? table.columns[groupBy] : undefined;
  if (by === undefined) throw new Error(`variable ${groupBy} is not in the dataset`);
  if (by.kind !== 'categorical') return { kind: 'notCategorical' };
  if (by.levels.length > MAX_GROUPS) return { kind: 'tooManyLevels' };
  const members = by.levels.map(() => [] as number[]);
  by.codes.forEach((code, i) => members[code]?.push(i));
  const levels: Record<string, RawGroup> = {};
  by.levels.forEach((level, g) => {
    const rows = Int32Array.from(members[g] ?? []);
    if (rows.length === 0) return;
    const stats: Record<string, VariableStats> = {};
    for (const name of variables) {
      const col = Object.hasOwn(table.columns, name) ? table.columns[name] : undefined;
      if (col === undefined) throw new Error(`variable ${name} is not in the dataset`);
      stats[name] = columnStats(subsetColumn(col, rows));
    }
    levels[level] = { rows: rows.length, variables: stats };
  });
  return { kind: 'ok', levels };
}
