import { TesseraError, type Cohort, type CohortCondition } from '@tessera/protocol';
import { validateCohort } from './cohort-validate.js';
import { scalarAsLevel, scalarAsNumber } from './cohort-values.js';
import type { Column, Table } from './table.js';
import { tableVariables } from './table-info.js';

/*
 * Three-valued (SQL) logic: each row's truth is TRUE, FALSE or UNKNOWN. A comparison with a
 * missing value is UNKNOWN; NOT UNKNOWN is UNKNOWN; AND/OR follow Kleene. A row is kept only when
 * TRUE. So `{not: {age < 50}}` keeps no row whose age is missing, exactly as `NOT (age < 50)` in
 * SQL would; `isNull` / `notNull` are the only way to select on missingness.
 */
const F = 0;
const T = 1;
const U = 2;

/**
 * Which rows of `table` belong to the cohort: 1 = kept, 0 = dropped. A null cohort keeps every row.
 *
 * @throws TesseraError BAD_REQUEST listing the problems when the cohort does not fit the table
 *   (see {@link validateCohort}); the node reports that as INVALID_COHORT.
 */
export function evaluateCohort(table: Table, cohort: Cohort | null): Uint8Array {
  if (cohort === null) return new Uint8Array(table.rows).fill(1);
  const problems = validateCohort(tableVariables(table), cohort);
  if (problems.length > 0) {
    throw new TesseraError(
      'BAD_REQUEST',
      `cohort does not fit the dataset: ${problems.join('; ')}`,
      {
        details: { problems },
      },
    );
  }
  const truth = evalNode(table, cohort);
  return truth.map((t) => (t === T ? 1 : 0));
}

function evalNode(table: Table, c: Cohort): Uint8Array {
  if ('and' in c)
    return combine(
      c.and.map((x) => evalNode(table, x)),
      F,
      table.rows,
    );
  if ('or' in c)
    return combine(
      c.or.map((x) => evalNode(table, x)),
      T,
      table.rows,
    );
  if ('not' in c) return evalNode(table, c.not).map((t) => (t === U ? U : 1 - t));
  const col = table.columns[c.variable];
  if (col === undefined) throw new TesseraError('BAD_REQUEST', `${c.variable}: not a variable`);
  return evalCondition(col, c, table.rows);
}

/** Kleene AND (dominant = FALSE) or OR (dominant = TRUE). */
function combine(parts: Uint8Array[], dominant: number, rows: number): Uint8Array {
  const out = new Uint8Array(rows).fill(1 - dominant);
  for (const p of parts) {
    for (let i = 0; i < rows; i++) {
      const v = p[i] ?? U;
      if (out[i] === dominant) continue;
      if (v === dominant) out[i] = dominant;
      else if (v === U) out[i] = U;
    }
  }
  return out;
}

function evalCondition(col: Column, c: CohortCondition, rows: number): Uint8Array {
  const out = new Uint8Array(rows);
  if (col.kind === 'categorical') {
    const test = categoricalTest(col.levels, c);
    for (let i = 0; i < rows; i++) out[i] = test(col.codes[i] ?? -1);
  } else {
    const test = numericTest(col.kind, c);
    for (let i = 0; i < rows; i++) out[i] = test(col.values[i] ?? Number.NaN);
  }
  return out;
}

type Test<V> = (v: V) => number;

const truth = (b: boolean): number => (b ? T : F);

function numericTest(kind: 'number' | 'date', c: CohortCondition): Test<number> {
  const num = (v: string | number | boolean): number => scalarAsNumber(v, kind) ?? Number.NaN;
  const known =
    (f: (x: number) => boolean): Test<number> =>
    (x) =>
      Number.isNaN(x) ? U : truth(f(x));
  switch (c.op) {
    case 'isNull':
      return (x) => truth(Number.isNaN(x));
    case 'notNull':
      return (x) => truth(!Number.isNaN(x));
    case '=': {
      const t = num(c.value);
      return known((x) => x === t);
    }
    case '!=': {
      const t = num(c.value);
      return known((x) => x !== t);
    }
    case '<': {
      const t = num(c.value);
      return known((x) => x < t);
    }
    case '<=': {
      const t = num(c.value);
      return known((x) => x <= t);
    }
    case '>': {
      const t = num(c.value);
      return known((x) => x > t);
    }
    case '>=': {
      const t = num(c.value);
      return known((x) => x >= t);
    }
    case 'in': {
      const set = new Set(c.value.map(num));
      return known((x) => set.has(x));
    }
    case 'between':
      return known((x) => x >= c.value[0] && x <= c.value[1]);
  }
}

function categoricalTest(levels: readonly string[], c: CohortCondition): Test<number> {
  const code = (v: string | number | boolean): number => levels.indexOf(scalarAsLevel(v));
  const known =
    (f: (x: number) => boolean): Test<number> =>
    (x) =>
      x < 0 ? U : truth(f(x));
  switch (c.op) {
    case 'isNull':
      return (x) => truth(x < 0);
    case 'notNull':
      return (x) => truth(x >= 0);
    case '=': {
      const k = code(c.value);
      return known((x) => x === k);
    }
    case '!=': {
      const k = code(c.value);
      return known((x) => x !== k);
    }
    case 'in': {
      const set = new Set(c.value.map(code));
      return known((x) => set.has(x));
    }
    default:
      // validateCohort has refused ordered comparisons on categorical variables.
      throw new TesseraError('BAD_REQUEST', `${c.variable}: '${c.op}' on a categorical variable`);
  }
}

/**
 * The rows of `table` whose mask entry is 1, as a new table (columns copied, not shared).
 * @throws RangeError when the mask's length is not the table's row count.
 */
export function filterTable(table: Table, mask: Uint8Array): Table {
  if (mask.length !== table.rows) throw new RangeError('mask length differs from the row count');
  const keep: number[] = [];
  for (let i = 0; i < mask.length; i++) if (mask[i] === 1) keep.push(i);
  const columns: Record<string, Column> = {};
  for (const [name, col] of Object.entries(table.columns)) {
    columns[name] =
      col.kind === 'categorical'
        ? {
            kind: col.kind,
            levels: col.levels,
            codes: Int32Array.from(keep, (i) => col.codes[i] ?? -1),
          }
        : { kind: col.kind, values: Float64Array.from(keep, (i) => col.values[i] ?? Number.NaN) };
  }
  return { rows: keep.length, columns };
}
