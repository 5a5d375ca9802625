import type { Column, Table } from './table.js';

/** Returned by a local step when the job does not fit this site's data; its disclose refuses it. */
export interface Unfit {
  readonly unfit: string;
}

/**
 * The column `name` of `table`.
 * @throws Error when the table has no such column (the node checks with checkVariables first).
 */
export function tableColumn(table: Table, name: string): Column {
  const col = Object.hasOwn(table.columns, name) ? table.columns[name] : undefined;
  if (col === undefined) throw new Error(`variable ${name} is not in the dataset`);
  return col;
}

/**
 * The values of the number columns `names`, in that order, or an Unfit naming the first that is
 * not a number column.
 * @throws Error when a variable is not in the table.
 */
export function numberColumns(table: Table, names: readonly string[]): Float64Array[] | Unfit {
  const cols: Float64Array[] = [];
  for (const name of names) {
    const col = tableColumn(table, name);
    if (col.kind !== 'number') return { unfit: `variable ${name} is not a number variable` };
    cols.push(col.values);
  }
  return cols;
}
