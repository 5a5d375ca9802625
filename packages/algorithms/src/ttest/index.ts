import { oneStepAlgorithm } from '../one-step.js';
import { aggregateGroups } from './aggregate.js';
import { discloseGroups, runGroups } from './local.js';
import { ttestParamsSchema } from './schemas.js';

/** Name of the single local step of `ttest`. */
export const TTEST_STEP = 'groups';

/**
 * `ttest` (issue 3): Welch's two-sample t-test of a number variable between two levels of a
 * categorical one. One round: every site sends count, mean and m2 per group; the hub pools them
 * exactly and computes t, the Welch–Satterthwaite df, the p-value and a 95% interval. With
 * `paired: true`, a one-sample t-test of variable − variable2 from the differences' moments.
 */
export const ttest = oneStepAlgorithm({
  name: 'ttest',
  version: '1.0.0',
  description: "Welch's two-sample t-test between two groups, or a paired t-test",
  params: ttestParamsSchema,
  variables: (params) =>
    params.paired === true ? [params.variable, params.variable2] : [params.variable, params.group],
  step: TTEST_STEP,
  run: runGroups,
  disclose: discloseGroups,
  aggregate: (params, results) => aggregateGroups(params, results),
});

export { TTEST_FAILURES } from './aggregate.js';
export * from './schemas.js';
