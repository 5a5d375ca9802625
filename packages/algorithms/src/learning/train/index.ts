/*
 * `train` (issue 6, DESIGN "Public contract"): federated training of a logistic, softmax or MLP
 * classifier with a server strategy, client sampling, federated standardisation and federated
 * evaluation on the sites' seeded validation splits, optionally with DP-FedAvg (dp.ts) and with
 * secure aggregation of the updates (secure/sum-forms/train.ts). Steps: 'prepare' once (every
 * site), 'round' once per round (the sampled sites), 'evaluate' once (every participant). Each
 * decision carries the progress; the models are artifacts in the export format (export.ts).
 */
import type { Algorithm, HubDecision } from '../../framework.js';
import { createStrategy } from '../strategies/index.js';
import { aggregatePrepare, aggregateRound } from './aggregate.js';
import { aggregateEvaluate } from './finish.js';
import { disclosePrepare, discloseRound, runPrepare, runRound } from './local.js';
import type { PrepareLocal, RoundLocal } from './local.js';
import { trainParamsSchema, type TrainParams } from './schemas.js';
import { TRAIN_VERSION } from './settings.js';
import { fail, type TrainState } from './state.js';

/** The local steps of `train`. */
export const TRAIN_STEPS = { prepare: 'prepare', round: 'round', evaluate: 'evaluate' } as const;

/** The `train` algorithm. */
export const train: Algorithm<TrainParams, TrainState | null> = {
  name: 'train',
  version: TRAIN_VERSION,
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
    return fail('UNKNOWN_STEP', `train: step '${step}'`);
  },
};

export { ARTIFACTS, type ProgressRound, type TrainProgress } from './checkpoints.js';
export { validationSplit } from './data.js';
export {
  trainAccountant,
  trainDpSchema,
  trainEpsilon,
  trainPrivacy,
  privatizeUpdate,
  UPDATE_SENSITIVITY_PER_CLIP,
  type TrainDp,
  type TrainPrivacy,
} from './dp.js';
export type { ResultModel, TrainResult } from './finish.js';
export {
  pooledRoundSchema,
  trainParamsSchema,
  type PooledRound,
  type TrainParams,
} from './schemas.js';
export { TRAIN_VERSION } from './settings.js';
export {
  TRAIN_FAILURES,
  type BestRound,
  type Evaluation,
  type RoundRecord,
  type TrainState,
} from './state.js';
export { pooledReferenceAccuracy, type PooledReferenceParams } from './pooled-reference.js';
