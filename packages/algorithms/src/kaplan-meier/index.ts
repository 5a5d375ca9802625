import { oneStepAlgorithm } from '../one-step.js';
import { aggregateKaplanMeier } from './aggregate.js';
import { discloseKaplanMeier, runKaplanMeier } from './local.js';
import { kaplanMeierParamsSchema } from './schemas.js';

/** Name of the single local step of `kaplan-meier`. */
export const KAPLAN_MEIER_STEP = 'counts';

/**
 * `kaplan-meier` (issue 3): the survival curve with a pointwise confidence band and the median,
 * per group with a log-rank test when `group` is given. Times are rounded up to a shared grid
 * t_1 < … < t_K (rows followed beyond t_K count as censored at t_K), so the result is R's
 * survfit / survdiff on those rounded times. One round: each site sends, per curve, its events
 * and censored rows at each grid point (small cells carried forward, see coarsen.ts); the hub adds
 * them up and derives the at-risk counts.
 */
export const kaplanMeier = oneStepAlgorithm({
  name: 'kaplan-meier',
  version: '1.0.0',
  description: 'Kaplan–Meier survival curve with confidence band and median; log-rank by group',
  params: kaplanMeierParamsSchema,
  variables: (params) => [
    params.time,
    params.event,
    ...(params.group === undefined ? [] : [params.group]),
  ],
  step: KAPLAN_MEIER_STEP,
  run: runKaplanMeier,
  disclose: discloseKaplanMeier,
  aggregate: aggregateKaplanMeier,
});

export { KAPLAN_MEIER_FAILURES } from './aggregate.js';
export { coarsenCurve } from './coarsen.js';
export * from './schemas.js';
