import type { LocalOutcome, LocalStepContext } from '../framework.js';
import { compensatedSum, moments } from '../numerics/moments.js';
import type { CorrelationLocalOutput, CorrelationParams } from './schemas.js';

/** Returned by the local step when the job does not fit this site's data; disclose refuses it. */
interface Unfit {
  readonly unfit: string;
}
type RunOutput = CorrelationLocalOutput | Unfit;

/**
 * Local step 'comoments': over the rows where every variable is present, their count, means and
 * co-moments about those means (two passes, compensated sums).
 *
 * @throws Error when a variable is not in the table (the node checks with checkVariables first).
 */
export function runComoments(ctx: LocalStepContext<CorrelationParams>): RunOutput {
  const cols: Float64Array[] = [];
  for (const name of ctx.params.variables) {
    const col = Object.hasOwn(ctx.table.columns, name) ? ctx.table.columns[name] : undefined;
    if (col === undefined) throw new Error(`variable ${name} is not in the dataset`);
    if (col.kind !== 'number') return { unfit: `variable ${name} is not a number variable` };
    cols.push(col.values);
  }
  const rows: number[] = [];
  for (let i = 0; i < ctx.table.rows; i++) {
    if (cols.every((c) => !Number.isNaN(c[i] ?? Number.NaN))) rows.push(i);
  }
  const data = cols.map((c) => Float64Array.from(rows, (i) => c[i] ?? 0));
  const means = data.map((d) => moments(d).mean);
  const dev = data.map((d, k) => d.map((x) => x - (means[k] ?? 0)));
  const comoments = dev.map((a) =>
    dev.map((b) => compensatedSum(a.map((x, i) => x * (b[i] ?? 0)))),
  );
  return { count: rows.length, means, comoments };
}

/**
 * Disclosure check of 'comoments': refuses INVALID_PARAMS for an unfit job and MIN_COUNT when the
 * complete cases are fewer than minCount.
 */
export function discloseComoments(
  output: RunOutput,
  ctx: LocalStepContext<CorrelationParams>,
): LocalOutcome {
  if ('unfit' in output) return { status: 'refused', code: 'INVALID_PARAMS', reason: output.unfit };
  const min = ctx.policy.minCount;
  if (output.count < min) {
    return { status: 'refused', code: 'MIN_COUNT', reason: `fewer than ${min} complete cases` };
  }
  return { status: 'ok', output };
}
