import type { Column, Table } from '../table.js';
import type { GlmDesign, GlmFamily, GlmParams } from './schemas.js';

type UsedColumn = Exclude<Column, { kind: 'date' }>;
type Categorical = Column & { kind: 'categorical' };

/**
 * A column the model reads.
 * @throws Error when the variable is absent or a date.
 */
export function usedColumn(table: Table, name: string): UsedColumn {
  const col = Object.hasOwn(table.columns, name) ? table.columns[name] : undefined;
  if (col === undefined) throw new Error(`variable ${name} is not in the dataset`);
  if (col.kind === 'date') throw new Error(`variable ${name} is a date; use a number or category`);
  return col;
}

/** Every variable a row must hold to be a complete case: outcome, covariates, offset. */
function modelVariables(params: GlmParams): string[] {
  return [
    params.outcome,
    ...params.covariates,
    ...(params.offset === undefined ? [] : [params.offset]),
  ];
}

/**
 * Row indices of the complete cases (outcome, every covariate and the offset present).
 * @throws Error when a variable is absent or a date, or the offset is not a number.
 */
export function completeCases(table: Table, params: GlmParams): Int32Array {
  const cols = modelVariables(params).map((v) => usedColumn(table, v));
  if (params.offset !== undefined && cols[cols.length - 1]?.kind !== 'number') {
    throw new Error(`offset ${params.offset} is not a number`);
  }
  const keep = new Int32Array(table.rows);
  let n = 0;
  for (let i = 0; i < table.rows; i++) {
    let ok = true;
    for (const c of cols) {
      if (c.kind === 'categorical' ? (c.codes[i] as number) < 0 : Number.isNaN(c.values[i])) {
        ok = false;
        break;
      }
    }
    if (ok) keep[n++] = i;
  }
  return keep.slice(0, n);
}

/** Counts of each level of `col` among `rows`. */
export function levelCounts(col: Categorical, rows: Int32Array): number[] {
  const counts = new Array<number>(col.levels.length).fill(0);
  for (const i of rows) {
    const c = col.codes[i] as number;
    counts[c] = (counts[c] as number) + 1;
  }
  return counts;
}

/**
 * The outcome of each complete case as a number: 0/1 for binomial (a number column of 0 and 1, or
 * a categorical with `positive` as 1), a non-negative integer count for poisson.
 * @throws Error naming the outcome when a value does not fit the family.
 */
export function outcomeValues(
  table: Table,
  params: GlmParams,
  family: GlmFamily,
  rows: Int32Array,
  positive: string | null,
): Float64Array {
  const col = usedColumn(table, params.outcome);
  const y = new Float64Array(rows.length);
  if (col.kind === 'categorical') {
    if (family === 'poisson') throw new Error(`outcome ${params.outcome} is not a number`);
    const code = positive === null ? -2 : col.levels.indexOf(positive);
    rows.forEach((i, r) => (y[r] = col.codes[i] === code ? 1 : 0));
    return y;
  }
  rows.forEach((i, r) => {
    const v = col.values[i] as number;
    const fits = family === 'binomial' ? v === 0 || v === 1 : v >= 0 && Number.isInteger(v);
    if (!fits) {
      const want = family === 'binomial' ? '0 or 1' : 'a non-negative integer count';
      throw new Error(`outcome ${params.outcome} holds a value that is not ${want}`);
    }
    y[r] = v;
  });
  return y;
}

/** A complete-case design: X row-major (n × p), y, the offset (or null), kept for later rounds. */
export interface Design {
  readonly n: number;
  readonly p: number;
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly offset: Float64Array | null;
  /** The smallest present cell (see {@link smallestCell}) and what it is a cell of; not released. */
  readonly smallest: { count: number; of: string } | null;
}

/**
 * Builds the design the hub fixed: intercept first when asked, then the hub's columns in order.
 * @throws Error when the design does not fit this table (a covariate of another kind, a level the
 *   design lacks held by a complete case) or an outcome value does not fit the family.
 */
export function buildDesign(
  table: Table,
  params: GlmParams,
  family: GlmFamily,
  design: GlmDesign,
): Design {
  const rows = completeCases(table, params);
  const n = rows.length;
  const sources: (Source | null)[] = design.columns.map((d) =>
    columnSource(table, params, d, design.levels, rows),
  );
  if (params.intercept) sources.unshift(null);
  const p = sources.length;
  const x = new Float64Array(n * p);
  // One tight loop per column (no closure per cell): the build is part of the first round's time.
  sources.forEach((src, j) => {
    if (src === null) for (let r = 0; r < n; r++) x[r * p + j] = 1;
    else if (src.kind === 'number')
      for (let r = 0; r < n; r++) x[r * p + j] = src.values[rows[r] as number] as number;
    else
      for (let r = 0; r < n; r++) x[r * p + j] = src.codes[rows[r] as number] === src.code ? 1 : 0;
  });
  const y = outcomeValues(table, params, family, rows, design.positive);
  let offset: Float64Array | null = null;
  if (params.offset !== undefined) {
    const col = usedColumn(table, params.offset) as Column & { kind: 'number' };
    offset = Float64Array.from(rows, (i) => col.values[i] as number);
  }
  return { n, p, x, y, offset, smallest: smallestCell(table, params, family, rows, y) };
}

/** Where a design column's values come from: a number column, or the dummy of one level. */
type Source =
  { kind: 'number'; values: Float64Array } | { kind: 'dummy'; codes: Int32Array; code: number };

function columnSource(
  table: Table,
  params: GlmParams,
  { variable, level }: GlmDesign['columns'][number],
  levels: Readonly<Record<string, string[]>>,
  rows: Int32Array,
): Source {
  if (!params.covariates.includes(variable)) throw new Error(`${variable} is not a covariate`);
  const col = usedColumn(table, variable);
  if (col.kind === 'number') {
    if (level !== null) throw new Error(`${variable} is a number here, not a category`);
    return { kind: 'number', values: col.values };
  }
  if (level === null) throw new Error(`${variable} is a category here, not a number`);
  const known = new Set(Object.hasOwn(levels, variable) ? levels[variable] : []);
  const counts = levelCounts(col, rows);
  if (col.levels.some((l, c) => !known.has(l) && (counts[c] as number) > 0)) {
    throw new Error(`${variable} has a level the design does not know`);
  }
  return { kind: 'dummy', codes: col.codes, code: col.levels.indexOf(level) };
}

/**
 * The smallest non-zero cell among the categorical covariates' level counts, each pair's crosstab
 * and, for binomial, the outcome's classes and their crosstab with each categorical: X'WX at β = 0
 * holds these counts (and the score then gives the outcome's), so each must be 0 or ≥ minCount.
 */
function smallestCell(
  table: Table,
  params: GlmParams,
  family: GlmFamily,
  rows: Int32Array,
  y: Float64Array,
): { count: number; of: string } | null {
  const cats: { name: string; codes: Int32Array; k: number }[] = [];
  for (const name of params.covariates) {
    const col = usedColumn(table, name);
    if (col.kind === 'categorical') {
      cats.push({
        name,
        codes: Int32Array.from(rows, (i) => col.codes[i] as number),
        k: col.levels.length,
      });
    }
  }
  if (family === 'binomial') {
    cats.push({ name: params.outcome, codes: Int32Array.from(y), k: 2 });
  }
  let best: { count: number; of: string } | null = null;
  const consider = (counts: Iterable<number>, of: string): void => {
    for (const c of counts) if (c > 0 && (best === null || c < best.count)) best = { count: c, of };
  };
  cats.forEach((a, ia) => {
    const single = new Array<number>(a.k).fill(0);
    for (const c of a.codes) single[c] = (single[c] as number) + 1;
    consider(single, a.name);
    for (const b of cats.slice(ia + 1)) {
      const cells = new Array<number>(a.k * b.k).fill(0);
      for (let r = 0; r < a.codes.length; r++) {
        const key = (a.codes[r] as number) * b.k + (b.codes[r] as number);
        cells[key] = (cells[key] as number) + 1;
      }
      consider(cells, `${a.name} × ${b.name}`);
    }
  });
  return best;
}

/**
 * Designs already built, per table object and design key: the node keeps a job's table in memory
 * across rounds, so every Newton round after the first skips the build. Weak keys let a table's
 * designs go with it; a module-level cache is safe because a design is a pure function of its key.
 */
const cache = new WeakMap<Table, Map<string, Design>>();
/** Designs kept per table (a job has one; more only when jobs share a table object). */
const CACHE_PER_TABLE = 4;

/** {@link buildDesign}, memoised per (table object, params, family, design). */
export function cachedDesign(
  table: Table,
  params: GlmParams,
  family: GlmFamily,
  design: GlmDesign,
): Design {
  const key = JSON.stringify([family, params, design.columns, design.levels, design.positive]);
  let byKey = cache.get(table);
  if (byKey === undefined) {
    byKey = new Map();
    cache.set(table, byKey);
  }
  const hit = byKey.get(key);
  if (hit !== undefined) return hit;
  const built = buildDesign(table, params, family, design);
  if (byKey.size >= CACHE_PER_TABLE) {
    const oldest = byKey.keys().next();
    if (oldest.done !== true) byKey.delete(oldest.value);
  }
  byKey.set(key, built);
  return built;
}
