import type { z } from 'zod';
import type {
  Algorithm,
  HubDecision,
  LocalOutcome,
  LocalStepContext,
  SiteResult,
} from './framework.js';

/** What a one-round algorithm is made of: one local step and one aggregation. */
export interface OneStepDefinition<P, O> {
  readonly name: string;
  readonly version: string;
  readonly description: string;
  readonly params: z.ZodType<P>;
  variables(params: P): string[];
  /** The name of the single local step. */
  readonly step: string;
  run(ctx: LocalStepContext<P>): O;
  disclose(output: O, ctx: LocalStepContext<P>): LocalOutcome;
  aggregate(params: P, results: readonly SiteResult[]): HubDecision<null>;
}

/**
 * Builds a one-round algorithm: the hub asks every site for one local step and aggregates the
 * answers (summary, histogram, crosstab, ttest, anova, correlation are all of this shape). An
 * aggregate call for any other step fails the job with UNKNOWN_STEP.
 */
export function oneStepAlgorithm<P, O>(def: OneStepDefinition<P, O>): Algorithm<P, null> {
  return {
    name: def.name,
    version: def.version,
    description: def.description,
    params: def.params,
    variables: (params) => def.variables(params),
    start: () => ({ kind: 'step', step: def.step, input: null, state: null }),
    local: {
      [def.step]: {
        run: (ctx) => def.run(ctx),
        // The framework hands disclose the output that run returned for the same context.
        disclose: (output, ctx) => def.disclose(output as O, ctx),
      },
    },
    aggregate: (params, _state, step, results) =>
      step === def.step
        ? def.aggregate(params, results)
        : { kind: 'failed', code: 'UNKNOWN_STEP', reason: `${def.name} has no step '${step}'` },
  };
}
