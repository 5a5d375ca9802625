import type { LocalOutcome, LocalStepContext } from '../framework.js';
import { MAX_PARAMETERS_PER_ROW } from '../linear-regression/local.js';
import type { CovariateInfo } from '../linear-regression/schemas.js';
import { cachedDesign, completeCases, levelCounts, usedColumn } from './design.js';
import { newtonSums } from './kernels.js';
import { newtonInputSchema, type GlmFamily, type GlmParams, type NewtonOutput } from './schemas.js';

type Ctx = LocalStepContext<GlmParams>;

/** A categorical variable's level counts among complete cases (kept at the node). */
type Counted = { kind: 'number' } | { kind: 'categorical'; counts: Record<string, number> };

/** Internal output of 'levels': the counts stay here, {@link discloseLevels} strips them. */
export interface GlmLevelsLocal {
  n: number;
  outcome: Counted;
  covariates: Record<string, Counted>;
}

function counted(ctx: Ctx, name: string, rows: Int32Array): Counted {
  const col = usedColumn(ctx.table, name);
  if (col.kind !== 'categorical') return { kind: 'number' };
  const counts = levelCounts(col, rows);
  return {
    kind: 'categorical',
    counts: Object.fromEntries(col.levels.map((l, i) => [l, counts[i] ?? 0])),
  };
}

/**
 * Local step 'levels': the kind of the outcome and every covariate, with level counts among
 * complete cases; a number outcome is checked against the family (0/1, or counts) and its
 * classes counted for binomial.
 * @throws Error when a variable is absent, a date, or the outcome does not fit the family.
 */
export function runLevels(family: GlmFamily, ctx: Ctx): GlmLevelsLocal {
  const rows = completeCases(ctx.table, ctx.params);
  const out = usedColumn(ctx.table, ctx.params.outcome);
  let outcome = counted(ctx, ctx.params.outcome, rows);
  if (out.kind === 'number') {
    const zeros = { n: 0 };
    for (const i of rows) {
      const v = out.values[i] as number;
      const fits = family === 'binomial' ? v === 0 || v === 1 : v >= 0 && Number.isInteger(v);
      if (!fits) {
        const want = family === 'binomial' ? '0 or 1' : 'a non-negative integer count';
        throw new Error(`outcome ${ctx.params.outcome} holds a value that is not ${want}`);
      }
      if (v === 0) zeros.n++;
    }
    if (family === 'binomial') {
      outcome = { kind: 'categorical', counts: { '0': zeros.n, '1': rows.length - zeros.n } };
    }
  } else if (family === 'poisson') {
    throw new Error(`outcome ${ctx.params.outcome} is not a number`);
  }
  const covariates: Record<string, Counted> = {};
  for (const name of ctx.params.covariates) covariates[name] = counted(ctx, name, rows);
  return { n: rows.length, outcome, covariates };
}

const refuseRows = (min: number): LocalOutcome => ({
  status: 'refused',
  code: 'MIN_COUNT',
  reason: `fewer than ${min} complete cases`,
});

const refuseLevel = (name: string, min: number): LocalOutcome => ({
  status: 'refused',
  code: 'MIN_COUNT',
  reason: `a level of ${name} has fewer than ${min} complete cases`,
});

/** Releases the present levels of a counted variable, or the name of one with a small level. */
function present(c: Counted, min: number): CovariateInfo | 'small' {
  if (c.kind === 'number') return c;
  const levels = Object.entries(c.counts).filter(([, k]) => k > 0);
  if (levels.some(([, k]) => k < min)) return 'small';
  return { kind: 'categorical', levels: levels.map(([l]) => l).sort() };
}

/**
 * Disclosure check of 'levels' (issue 3 point 4): refuses MIN_COUNT when complete cases, a present
 * level of a categorical covariate, or (binomial) a present outcome class fall below minCount;
 * releases only kinds and level names (a number outcome's classes are not released).
 */
export function discloseLevels(family: GlmFamily, output: GlmLevelsLocal, ctx: Ctx): LocalOutcome {
  const min = ctx.policy.minCount;
  if (output.n < min) return refuseRows(min);
  const outcome = present(output.outcome, min);
  if (outcome === 'small') return refuseLevel(ctx.params.outcome, min);
  const covariates: Record<string, CovariateInfo> = {};
  for (const [name, info] of Object.entries(output.covariates)) {
    const c = present(info, min);
    if (c === 'small') return refuseLevel(name, min);
    covariates[name] = c;
  }
  const isNumber = usedColumn(ctx.table, ctx.params.outcome).kind === 'number';
  const released = isNumber || family === 'poisson' ? { kind: 'number' as const } : outcome;
  return { status: 'ok', output: { outcome: released, covariates } };
}

/** Internal output of 'newton': the released sums plus what the disclosure check needs. */
export interface NewtonLocal extends NewtonOutput {
  /** Parameters of the model. */
  p: number;
  /** The smallest present categorical cell and what it is a cell of (not released). */
  smallest: { count: number; of: string } | null;
}

/**
 * Local step 'newton': at the hub's β, the site's n, X'WX (upper triangle, packed by rows), score
 * and deviance over complete cases. The design is built once per table and reused every round.
 * @throws Error when the input is malformed or the design does not fit this table.
 */
export function runNewton(family: GlmFamily, ctx: Ctx): NewtonLocal {
  const input = newtonInputSchema.parse(ctx.input);
  const d = cachedDesign(ctx.table, ctx.params, family, input);
  const s = newtonSums(family, d, input.beta);
  const packed: number[] = [];
  for (let j = 0; j < d.p; j++)
    for (let k = j; k < d.p; k++) packed.push(s.xtwx[j * d.p + k] as number);
  const score = Array.from(s.score);
  const finite =
    Number.isFinite(s.deviance) && packed.every(Number.isFinite) && score.every(Number.isFinite);
  return {
    n: d.n,
    xtwx: finite ? packed : [],
    score: finite ? score : [],
    deviance: finite ? s.deviance : null,
    logLikelihood: finite ? s.logLikelihood : null,
    p: d.p,
    smallest: d.smallest,
  };
}

/**
 * Disclosure check of 'newton' (issue 3 point 4): refuses MIN_COUNT when complete cases or a
 * present categorical cell (levels, pairs of covariates, binomial outcome classes and their
 * crosstab with each covariate) fall below minCount, naming the variables; PARAMETER_LIMIT when
 * the parameters exceed 0.33 × complete cases.
 */
export function discloseNewton(output: NewtonLocal, ctx: Ctx): LocalOutcome {
  const min = ctx.policy.minCount;
  if (output.n < min) return refuseRows(min);
  if (output.smallest !== null && output.smallest.count < min) {
    return {
      status: 'refused',
      code: 'MIN_COUNT',
      reason: `a cell of ${output.smallest.of} has fewer than ${min} complete cases`,
    };
  }
  if (output.p > MAX_PARAMETERS_PER_ROW * output.n) {
    return {
      status: 'refused',
      code: 'PARAMETER_LIMIT',
      reason: `${output.p} parameters exceed ${MAX_PARAMETERS_PER_ROW} × the complete cases`,
    };
  }
  const { n, xtwx, score, deviance, logLikelihood } = output;
  return { status: 'ok', output: { n, xtwx, score, deviance, logLikelihood } };
}
