/*
 * Hub side of `train`. Step k of the loop ('round' k, k = 1 … rounds) goes to the sites sampled
 * for round k (`sites` of the decision: sampleSites over the participants, seeded by the job's
 * seed and k) with the global model after k − 1 rounds; they evaluate it on their validation
 * splits and train from it. So the evaluation of the model after round k arrives with step
 * k + 1 and is over the sites sampled for round k + 1; a last step 'evaluate' goes to every
 * participant and evaluates the model after the final round without training.
 *
 * A round continues without sampled sites that refuse, fail or miss the round's deadline
 * (`roundDeadlineMs`) while `minSites` updates arrive; they are named in the round's record.
 */
import type { JobArtifact, SiteResult } from '../../framework.js';
import { describeSites } from '../../hub-failures.js';
import { createModel } from '../models/model.js';
import { createStrategy, sampleSites, type Aggregated } from '../strategies/index.js';
import { fileEvaluation, metricsOf, progressOf } from './checkpoints.js';
import { readRound } from './outputs.js';
import { classWeights, poolPrepare } from './preprocess.js';
import {
  MAX_PARAMETERS,
  prepareOutputSchema,
  type PrepareOutput,
  type RoundInput,
  type TrainParams,
} from './schemas.js';
import { modelSpec } from './settings.js';
import { fail, type Decision, type TrainState } from './state.js';

/** The decision that sends step `state.step` to its sites, with the progress and artifacts. */
export function next(
  params: TrainParams,
  state: TrainState,
  artifacts: readonly JobArtifact[] = [],
): Decision {
  const training = state.step <= params.rounds;
  const sites = training
    ? sampleSites(
        state.participants,
        {
          fraction: params.fraction,
          minimum: Math.min(params.minSites, state.participants.length),
        },
        params.seed,
        state.step,
      )
    : [...state.participants];
  const sent: TrainState = { ...state, sampled: sites };
  const input: RoundInput = {
    round: state.step,
    parameters: state.global,
    preprocessing: state.preprocessing,
    classWeights: state.classWeights,
  };
  return {
    kind: 'step',
    step: training ? 'round' : 'evaluate',
    input,
    state: sent,
    sites,
    progress: progressOf(params, sent),
    ...(artifacts.length === 0 ? {} : { artifacts }),
    ...(training ? { minSites: params.minSites } : {}),
    ...(params.roundDeadlineMs === undefined ? {} : { deadlineMs: params.roundDeadlineMs }),
  };
}

/** Aggregates 'prepare': pools the statistics, fixes the model and draws its initial vector. */
export function aggregatePrepare(params: TrainParams, results: readonly SiteResult[]): Decision {
  const ok = results.filter((r) => r.status === 'ok');
  if (ok.length === 0) return fail('NO_SITES', describeSites(results));
  if (ok.length < params.minSites)
    return fail(
      'TOO_FEW_SITES',
      `${ok.length} of minSites ${params.minSites}: ${describeSites(results)}`,
    );
  const outputs: PrepareOutput[] = [];
  for (const r of ok) {
    const parsed = prepareOutputSchema.safeParse(r.output);
    if (!parsed.success) return fail('INVALID_OUTPUT', `${r.trust}: prepare`);
    outputs.push(parsed.data);
  }
  const pooled = poolPrepare(params, outputs);
  if ('code' in pooled) return fail(pooled.code, pooled.reason);
  const weights = classWeights(params.classWeights, pooled.classCounts);
  if (typeof weights === 'string') return fail('CLASS_WEIGHTS', weights);
  const pre = pooled.preprocessing;
  const spec = modelSpec(params.model, pre.columns.length, pre.classes.length);
  if (params.model.type === 'logistic' && pre.classes.length !== 2)
    return fail(
      'INVALID_MODEL',
      `logistic needs 2 classes, ${params.outcome} has ${pre.classes.length}`,
    );
  let global: Float64Array;
  try {
    const model = createModel(spec);
    if (model.parameterCount > MAX_PARAMETERS)
      return fail('INVALID_MODEL', `${model.parameterCount} parameters, at most ${MAX_PARAMETERS}`);
    global = model.init(params.seed);
  } catch (e) {
    return fail('INVALID_MODEL', e instanceof Error ? e.message : String(e));
  }
  return next(params, {
    spec,
    preprocessing: pre,
    classWeights: weights,
    participants: ok.map((r) => r.trust),
    step: 1,
    sampled: [],
    global: Array.from(global),
    strategy: null,
    initial: null,
    rounds: [],
    trained: null,
    best: null,
    secure: false,
  });
}

/**
 * Aggregates 'round' k: files the evaluation of the incoming model (with its artifacts), then
 * applies the strategy to the sampled sites' updates (or to their secure sum).
 */
export function aggregateRound(
  params: TrainParams,
  state: TrainState,
  results: readonly SiteResult[],
): Decision {
  const read = readRound(params, state, results);
  if ('kind' in read) return read;
  const secure = state.secure || read.secure;
  const filed = fileEvaluation(params, { ...state, secure }, metricsOf(read.evaluation).summary);
  if (read.sites < params.minSites)
    return fail(
      'TOO_FEW_SITES',
      `round ${state.step}: ${read.sites} updates, minSites ${params.minSites}: ${describeSites(results)}`,
    );
  const strategy = createStrategy(params.strategy);
  const global = Float64Array.from(state.global);
  let agg: Aggregated;
  try {
    if (read.updates !== null) agg = strategy.aggregate(global, read.updates, state.strategy);
    else if (strategy.summable && read.sum !== null)
      agg = strategy.aggregateSum(global, read.sum, state.strategy);
    else throw new Error(`${strategy.name} needs every update, and only their sum arrived`);
  } catch (e) {
    return fail(
      'AGGREGATION_FAILED',
      `round ${state.step}: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  return next(
    params,
    {
      ...filed.state,
      step: state.step + 1,
      global: Array.from(agg.global),
      strategy: agg.state,
      trained: { sites: read.sites, failed: read.failed, trainLoss: read.trainLoss },
    },
    filed.artifacts,
  );
}
