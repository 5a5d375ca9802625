import type { LocalOutcome, LocalStepContext } from '../framework.js';
import { tableColumn } from '../table-columns.js';
import type { Column } from '../table.js';
import {
  momentsInputSchema,
  type CovariateInfo,
  type DesignColumn,
  type LinearRegressionParams,
  type MomentsOutput,
} from './schemas.js';

type Ctx = LocalStepContext<LinearRegressionParams>;

/** Largest share of complete cases the number of parameters may reach (issue 3 point 4). */
export const MAX_PARAMETERS_PER_ROW = 0.33;

/** The column kinds a regression reads (dates are refused). */
type UsedColumn = Exclude<Column, { kind: 'date' }>;

function column(ctx: Ctx, name: string): UsedColumn {
  const col = tableColumn(ctx.table, name);
  if (col.kind === 'date') throw new Error(`variable ${name} is a date; use a number or category`);
  return col;
}

/**
 * The complete cases: rows where the outcome and every covariate are present.
 * @throws Error when a variable is absent, a date, or the outcome is not a number.
 */
function completeCases(ctx: Ctx): { mask: Uint8Array; n: number } {
  const outcome = column(ctx, ctx.params.outcome);
  if (outcome.kind !== 'number') throw new Error(`outcome ${ctx.params.outcome} is not a number`);
  const mask = new Uint8Array(ctx.table.rows);
  let n = 0;
  const cols = [outcome, ...ctx.params.covariates.map((c) => column(ctx, c))];
  for (let i = 0; i < ctx.table.rows; i++) {
    const ok = cols.every((c) =>
      c.kind === 'categorical' ? (c.codes[i] ?? -1) >= 0 : !Number.isNaN(c.values[i] ?? NaN),
    );
    if (ok) {
      mask[i] = 1;
      n++;
    }
  }
  return { mask, n };
}

/** Level counts of a categorical column over the complete cases (kept at the node). */
function levelCounts(col: Column & { kind: 'categorical' }, mask: Uint8Array): number[] {
  const counts = new Array<number>(col.levels.length).fill(0);
  col.codes.forEach((code, i) => {
    if (mask[i] === 1) counts[code] = (counts[code] ?? 0) + 1;
  });
  return counts;
}

/** Internal output of 'levels': the counts stay here, {@link discloseLevels} strips them. */
export interface LevelsLocal {
  n: number;
  covariates: Record<
    string,
    { kind: 'number' } | { kind: 'categorical'; counts: Record<string, number> }
  >;
}

/** Local step 'levels': the kind of every covariate and the level counts among complete cases. */
export function runLevels(ctx: Ctx): LevelsLocal {
  const { mask, n } = completeCases(ctx);
  const covariates: LevelsLocal['covariates'] = {};
  for (const name of ctx.params.covariates) {
    const col = column(ctx, name);
    if (col.kind !== 'categorical') {
      covariates[name] = { kind: 'number' };
      continue;
    }
    const counts = levelCounts(col, mask);
    covariates[name] = {
      kind: 'categorical',
      counts: Object.fromEntries(col.levels.map((l, i) => [l, counts[i] ?? 0])),
    };
  }
  return { n, covariates };
}

/**
 * Disclosure check of 'levels': refuses (MIN_COUNT) when complete cases or any present level of a
 * categorical covariate fall below minCount; releases only kinds and the names of present levels.
 */
export function discloseLevels(output: LevelsLocal, ctx: Ctx): LocalOutcome {
  const min = ctx.policy.minCount;
  if (output.n < min) return refuseRows(min);
  const covariates: Record<string, CovariateInfo> = {};
  for (const [name, info] of Object.entries(output.covariates)) {
    if (info.kind === 'number') {
      covariates[name] = info;
      continue;
    }
    const present = Object.entries(info.counts).filter(([, c]) => c > 0);
    if (present.some(([, c]) => c < min)) {
      return {
        status: 'refused',
        code: 'MIN_COUNT',
        reason: `a level of ${name} has fewer than ${min} complete cases`,
      };
    }
    covariates[name] = { kind: 'categorical', levels: present.map(([l]) => l).sort() };
  }
  return { status: 'ok', output: { covariates } };
}

const refuseRows = (min: number): LocalOutcome => ({
  status: 'refused',
  code: 'MIN_COUNT',
  reason: `fewer than ${min} complete cases`,
});

/** Internal output of 'moments': the released statistics plus what the disclosure check needs. */
export interface MomentsLocal extends MomentsOutput {
  /** Fewest rows in a present cell of any categorical covariate or pair of them (not released). */
  smallestCell: number;
}

/**
 * Local step 'moments': n, X'X, X'y, y'y and Σy over complete cases, for the design the hub sent
 * (intercept first when asked, then the hub's columns in order).
 *
 * @throws Error when the input is malformed or a complete case holds a level the design lacks.
 */
export function runMoments(ctx: Ctx): MomentsLocal {
  const input = momentsInputSchema.parse(ctx.input);
  const { mask, n } = completeCases(ctx);
  const y = column(ctx, ctx.params.outcome) as Column & { kind: 'number' };
  const getters = input.columns.map((d) => designGetter(ctx, d, input.levels, mask));
  if (ctx.params.intercept) getters.unshift(() => 1);
  const p = getters.length;
  const xtx = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  const xty = new Array<number>(p).fill(0);
  const x = new Float64Array(p);
  let yty = 0;
  let sumY = 0;
  for (let i = 0; i < ctx.table.rows; i++) {
    if (mask[i] !== 1) continue;
    const yi = y.values[i] as number;
    for (let j = 0; j < p; j++) x[j] = (getters[j] as (i: number) => number)(i);
    for (let j = 0; j < p; j++) {
      const xj = x[j] as number;
      const row = xtx[j] as number[];
      for (let k = j; k < p; k++) row[k] = (row[k] as number) + xj * (x[k] as number);
      xty[j] = (xty[j] as number) + xj * yi;
    }
    yty += yi * yi;
    sumY += yi;
  }
  for (let j = 0; j < p; j++)
    for (let k = 0; k < j; k++) (xtx[j] as number[])[k] = xtx[k]?.[j] as number;
  return { n, xtx, xty, yty, sumY, smallestCell: smallestCell(ctx, mask) };
}

function designGetter(
  ctx: Ctx,
  { variable, level }: DesignColumn,
  levels: Readonly<Record<string, string[]>>,
  mask: Uint8Array,
): (i: number) => number {
  if (!ctx.params.covariates.includes(variable)) throw new Error(`${variable} is not a covariate`);
  const col = column(ctx, variable);
  if (col.kind === 'number') {
    if (level !== null) throw new Error(`${variable} is a number here, not a category`);
    return (i) => col.values[i] as number;
  }
  if (level === null) throw new Error(`${variable} is a category here, not a number`);
  const known = new Set(Object.hasOwn(levels, variable) ? levels[variable] : []);
  const counts = levelCounts(col, mask);
  if (col.levels.some((l, c) => !known.has(l) && (counts[c] ?? 0) > 0)) {
    throw new Error(`${variable} has a level the design does not know`);
  }
  const code = col.levels.indexOf(level);
  return (i) => (col.codes[i] === code ? 1 : 0);
}

/**
 * The smallest non-zero cell among each categorical covariate's level counts and each pair's full
 * crosstab (reference levels included): X'X holds these counts or, by difference, gives them back.
 */
function smallestCell(ctx: Ctx, mask: Uint8Array): number {
  const cats = ctx.params.covariates
    .map((c) => column(ctx, c))
    .filter((c): c is Column & { kind: 'categorical' } => c.kind === 'categorical');
  let smallest = Infinity;
  const consider = (counts: Iterable<number>): void => {
    for (const c of counts) if (c > 0 && c < smallest) smallest = c;
  };
  cats.forEach((a, ia) => {
    consider(levelCounts(a, mask));
    for (const b of cats.slice(ia + 1)) {
      const cells = new Map<number, number>();
      a.codes.forEach((ca, i) => {
        if (mask[i] !== 1) return;
        const key = ca * b.levels.length + (b.codes[i] as number);
        cells.set(key, (cells.get(key) ?? 0) + 1);
      });
      consider(cells.values());
    }
  });
  return smallest;
}

/**
 * Disclosure check of 'moments' (issue 3 point 4): refuses MIN_COUNT when complete cases or any
 * categorical cell (see runMoments) fall below minCount, and PARAMETER_LIMIT when the number of
 * parameters exceeds 0.33 × complete cases.
 */
export function discloseMoments(output: MomentsLocal, ctx: Ctx): LocalOutcome {
  const min = ctx.policy.minCount;
  if (output.n < min) return refuseRows(min);
  if (output.smallestCell < min) {
    return {
      status: 'refused',
      code: 'MIN_COUNT',
      reason: `a category or pair of categories has fewer than ${min} complete cases`,
    };
  }
  const p = output.xty.length;
  if (p > MAX_PARAMETERS_PER_ROW * output.n) {
    return {
      status: 'refused',
      code: 'PARAMETER_LIMIT',
      reason: `${p} parameters exceed ${MAX_PARAMETERS_PER_ROW} × the complete cases`,
    };
  }
  const { n, xtx, xty, yty, sumY } = output;
  return { status: 'ok', output: { n, xtx, xty, yty, sumY } };
}
