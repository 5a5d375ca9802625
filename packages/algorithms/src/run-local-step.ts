import { TesseraError, type SiteCode } from '@tessera/protocol';
import type { Algorithm, LocalOutcome, LocalStepContext } from './framework.js';
import type { VariableInfo } from './table.js';

/**
 * Runs one local step of `alg` at a node: refuses a table below `ctx.policy.minCount` rows
 * before computing anything, then runs the step and applies its disclosure check.
 * The refusal names the threshold, never the actual count (a count below minCount is itself a
 * small cell).
 *
 * @throws TesseraError BAD_REQUEST when `alg` has no local step `step`. Errors thrown by the
 *   step itself propagate; the node reports them as STEP_FAILED.
 */
export function runLocalStep<P>(
  alg: Algorithm<P>,
  step: string,
  ctx: LocalStepContext<P>,
): LocalOutcome {
  const local = Object.hasOwn(alg.local, step) ? alg.local[step] : undefined;
  if (local === undefined) {
    throw new TesseraError('BAD_REQUEST', `algorithm ${alg.name} has no local step '${step}'`);
  }
  if (ctx.table.rows < ctx.policy.minCount) {
    return {
      status: 'refused',
      code: 'MIN_COUNT',
      reason: `cohort has fewer than ${ctx.policy.minCount} rows`,
    };
  }
  const output = local.run(ctx);
  return local.disclose(output, ctx);
}

/**
 * Checks that every variable the job reads (`alg.variables(params)`) is in the dataset, so the
 * node can refuse with VARIABLE_MISSING before running anything. `params` must already have been
 * parsed by `alg.params`.
 *
 * @returns null when all are present, else the refusal naming the missing variables.
 */
export function checkVariables<P>(
  alg: Algorithm<P>,
  params: P,
  variables: readonly VariableInfo[],
): { code: SiteCode; reason: string } | null {
  const have = new Set(variables.map((v) => v.name));
  const missing = alg.variables(params).filter((v) => !have.has(v));
  if (missing.length === 0) return null;
  const list = missing.join(', ');
  return {
    code: 'VARIABLE_MISSING',
    reason: `${missing.length === 1 ? 'variable' : 'variables'} not in the dataset: ${list}`,
  };
}

/**
 * The minCount in force for a task (agreements "minCount"): the node's own value, raised by the
 * job's `params.minCount` when that is a larger integer. Nothing a job sends can lower it.
 */
export function effectiveMinCount(nodeMinCount: number, params: unknown): number {
  if (typeof params !== 'object' || params === null || !('minCount' in params)) return nodeMinCount;
  const asked = params.minCount;
  return typeof asked === 'number' && Number.isInteger(asked) && asked > nodeMinCount
    ? asked
    : nodeMinCount;
}
