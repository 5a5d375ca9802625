import type { Column, Table, VariableInfo } from './table.js';

/**
 * The catalogue description of a table's columns, in column order: names, kinds and the levels of
 * categorical columns. Never values or counts (DESIGN "Disclosure control at the node").
 */
export function tableVariables(table: Table): VariableInfo[] {
  return Object.entries(table.columns).map(([name, col]) =>
    col.kind === 'categorical'
      ? { name, kind: col.kind, levels: [...col.levels] }
      : { name, kind: col.kind },
  );
}

/** True when row `i` of `col` is missing (NaN for numbers and dates, code -1 for categoricals). */
export function isMissing(col: Column, i: number): boolean {
  if (col.kind === 'categorical') return (col.codes[i] ?? -1) < 0;
  return Number.isNaN(col.values[i] ?? Number.NaN);
}

/**
 * A number column from plain values; `null`, `undefined` and NaN become missing.
 * Meant for tests, the demo and importers that already hold parsed values.
 */
export function numberColumn(values: readonly (number | null | undefined)[]): Column {
  return { kind: 'number', values: Float64Array.from(values, (v) => v ?? Number.NaN) };
}

/**
 * A categorical column from plain values; `null`/`undefined` become missing (code -1).
 * Levels are `levels` when given (values outside them are an error), else the sorted distinct values.
 *
 * @throws RangeError when a value is not among the given levels.
 */
export function categoricalColumn(
  values: readonly (string | null | undefined)[],
  levels?: readonly string[],
): Column {
  const lv = levels ?? [...new Set(values.filter((v): v is string => v != null))].sort();
  const index = new Map(lv.map((l, i) => [l, i]));
  const codes = Int32Array.from(values, (v) => {
    if (v == null) return -1;
    const code = index.get(v);
    if (code === undefined) throw new RangeError(`value is not among the column's levels`);
    return code;
  });
  return { kind: 'categorical', levels: [...lv], codes };
}

/**
 * A table from columns of equal length.
 * @throws RangeError when the columns differ in length.
 */
export function makeTable(columns: Readonly<Record<string, Column>>): Table {
  let rows: number | undefined;
  for (const [name, col] of Object.entries(columns)) {
    const n = col.kind === 'categorical' ? col.codes.length : col.values.length;
    if (rows !== undefined && n !== rows)
      throw new RangeError(`column ${name} has ${n} rows, not ${rows}`);
    rows = n;
  }
  return { rows: rows ?? 0, columns };
}

/** Most distinct values a number column may have to be read as categories. */
export const MAX_NUMBER_LEVELS = 50;

/**
 * A column read as categories: a categorical column as it is; a number column whose values are
 * all integers with at most {@link MAX_NUMBER_LEVELS} distinct ones (a 0/1 flag, a stage 1–4) as
 * categories named by the numbers, in numeric order; anything else null. So `crosstab` and
 * grouping parameters accept the coded variables that CSV imports read as numbers.
 */
export function asCategorical(col: Column): Extract<Column, { kind: 'categorical' }> | null {
  if (col.kind === 'categorical') return col;
  if (col.kind !== 'number') return null;
  const distinct = new Set<number>();
  for (const v of col.values) {
    if (Number.isNaN(v)) continue;
    if (!Number.isInteger(v)) return null;
    distinct.add(v);
    if (distinct.size > MAX_NUMBER_LEVELS) return null;
  }
  const sorted = [...distinct].sort((a, b) => a - b);
  const index = new Map(sorted.map((v, i) => [v, i]));
  return {
    kind: 'categorical',
    levels: sorted.map(String),
    codes: Int32Array.from(col.values, (v) => (Number.isNaN(v) ? -1 : (index.get(v) ?? -1))),
  };
}
