/*
 * `train` (issue 6, DESIGN "Public contract"): federated training of a logistic, softmax or MLP
 * classifier with a server strategy, federated standardisation and federated evaluation on the
 * sites' seeded validation splits. Steps: 'prepare' once, 'round' once per round, 'evaluate' once.
 * Registered. Still to come: the hub's model store, the SumForm of the updates, resuming,
 * `model predict` and the progress bar come with the rest of issue 6.
 */
import type { Algorithm, HubDecision } from '../../framework.js';
import { createStrategy } from '../strategies/index.js';
import { aggregateEvaluate, aggregatePrepare, aggregateRound } from './aggregate.js';
import type { TrainState } from './aggregate.js';
import { disclosePrepare, discloseRound, runPrepare, runRound } from './local.js';
import type { PrepareLocal, RoundLocal } from './local.js';
import { trainParamsSchema, type TrainParams } from './schemas.js';

/** The local steps of `train`. */
export const TRAIN_STEPS = { prepare: 'prepare', round: 'round', evaluate: 'evaluate' } as const;

/** The `train` algorithm. */
export const train: Algorithm<TrainParams, TrainState | null> = {
  name: 'train',
  version: '0.1.0',
  description: 'Federated training (FedAvg and others) of logistic, softmax and MLP classifiers',
  params: trainParamsSchema,
  variables: (params) => [params.outcome, ...params.features],
  start: (): HubDecision<TrainState | null> => ({
    kind: 'step',
    step: TRAIN_STEPS.prepare,
    input: null,
    state: null,
  }),
  local: {
    [TRAIN_STEPS.prepare]: {
      run: runPrepare,
      // The output handed to disclose is the one run returned for the same context.
      disclose: (output, ctx) => disclosePrepare(output as PrepareLocal, ctx),
    },
    [TRAIN_STEPS.round]: {
      run: (ctx) => runRound(ctx, true, createStrategy(ctx.params.strategy).client.proximalMu),
      disclose: (output) => discloseRound(output as RoundLocal),
    },
    [TRAIN_STEPS.evaluate]: {
      run: (ctx) => runRound(ctx, false, 0),
      disclose: (output) => discloseRound(output as RoundLocal),
    },
  },
  aggregate(params, state, step, results) {
    if (step === TRAIN_STEPS.prepare) return aggregatePrepare(params, results);
    if (state !== null && step === TRAIN_STEPS.round) return aggregateRound(params, state, results);
    if (state !== null && step === TRAIN_STEPS.evaluate)
      return aggregateEvaluate(params, state, results);
    return { kind: 'failed', code: 'UNKNOWN_STEP', reason: `train: step '${step}'` };
  },
};

export { TRAIN_FAILURES, modelId } from './aggregate.js';
export type { Evaluation, RoundRecord, TrainState } from './aggregate.js';
export { validationSplit } from './data.js';
export { trainParamsSchema, type TrainParams } from './schemas.js';
