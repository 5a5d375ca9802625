import type { LocalOutcome, LocalStepContext } from '../framework.js';
import { compensatedSum, moments } from '../numerics/moments.js';
import { numberColumns, type Unfit } from '../table-columns.js';
import type { CorrelationLocalOutput, CorrelationParams } from './schemas.js';

type RunOutput = CorrelationLocalOutput | Unfit;

/**
 * Local step 'comoments': over the rows where every variable is present, their count, means and
 * co-moments about those means (two passes, compensated sums).
 *
 * @throws Error when a variable is not in the table (the node checks with checkVariables first).
 */
export function runComoments(ctx: LocalStepContext<CorrelationParams>): RunOutput {
  const cols = numberColumns(ctx.table, ctx.params.variables);
  if (!Array.isArray(cols)) return cols;
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
