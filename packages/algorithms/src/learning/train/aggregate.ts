/*
 * Hub side of `train`. Step k of the loop ('round' k, k = 1 … rounds) sends the global model
 * after k − 1 rounds; the sites evaluate it on their validation splits and train from it. So the
 * evaluation of the model after round k arrives with step k + 1, and a last step 'evaluate'
 * evaluates the model after the final round without training.
 */
import { createHash } from 'node:crypto';
import type { HubDecision, SiteResult } from '../../framework.js';
import { COMMON_FAILURES, describeSites, failureFor } from '../../hub-failures.js';
import { federatedMetrics, poolEvaluations, type FederatedMetrics } from '../metrics/index.js';
import { createModel } from '../models/model.js';
import type { ModelSpec } from '../models/spec.js';
import {
  createStrategy,
  sampleSites,
  type ClientUpdate,
  type StrategyState,
} from '../strategies/index.js';
import { classWeights, poolPrepare } from './preprocess.js';
import {
  MAX_PARAMETERS,
  evaluateOutputSchema,
  prepareOutputSchema,
  roundOutputSchema,
  type PrepareOutput,
  type Preprocessing,
  type RoundInput,
  type TrainParams,
} from './schemas.js';
import { modelSpec } from './settings.js';

/** Hub-side failure codes of `train`. */
export const TRAIN_FAILURES = {
  ...COMMON_FAILURES,
  TOO_FEW_SITES: 'fewer sites than minSites took part in a step',
  VARIABLE_KIND_MISMATCH: 'a variable has different kinds at different sites',
  TOO_FEW_CLASSES: 'the outcome has fewer than 2 classes over the sites',
  NO_INPUTS: 'the features give the model no input column',
  INVALID_MODEL: 'the model does not fit the data (e.g. logistic with more than 2 classes)',
  CLASS_WEIGHTS: 'classWeights does not have one weight per class',
  AGGREGATION_FAILED: "the strategy could not aggregate the round's updates",
} as const;
const fail = failureFor(TRAIN_FAILURES);

/** Metrics of one model on the pooled validation splits. */
export interface Evaluation {
  /** Validation rows over the sites that evaluated. */
  examples: number;
  loss: number;
  accuracy: number;
  auc: number | null;
  aucErrorBound: number | null;
  ece: number;
}

/** One finished round: the metrics of the model after it, and who trained in it. */
export interface RoundRecord extends Evaluation {
  round: number;
  /** Sites whose updates were aggregated. */
  sites: number;
  /** Sites sampled for the round that refused or failed, by name. */
  failed: string[];
  /** Mean last-epoch training loss over the aggregated sites, weighted by examples. */
  trainLoss: number;
}

/** Hub state between steps (JSON, persisted). */
export interface TrainState {
  spec: ModelSpec;
  preprocessing: Preprocessing;
  classWeights: number[] | null;
  /** Sites that released 'prepare', the pool sampled from each round. */
  participants: string[];
  /** The step being aggregated: k for 'round' k, rounds + 1 for 'evaluate'. */
  step: number;
  /** The global vector sent with that step (the model after step − 1 rounds). */
  global: number[];
  strategy: StrategyState;
  /** Metrics of the initial model (from step 1). */
  initial: Evaluation | null;
  rounds: RoundRecord[];
  /** Training facts of the last aggregated round, until its evaluation arrives. */
  trained: { sites: number; failed: string[]; trainLoss: number } | null;
  best: (RoundRecord & { parameters: number[] }) | null;
}

type Decision = HubDecision<TrainState | null>;

/** The decision that sends step `state.step`. */
function next(params: TrainParams, state: TrainState): Decision {
  const input: RoundInput = {
    round: state.step,
    parameters: state.global,
    preprocessing: state.preprocessing,
    classWeights: state.classWeights,
  };
  const training = state.step <= params.rounds;
  return {
    kind: 'step',
    step: training ? 'round' : 'evaluate',
    input,
    state,
    ...(training ? { minSites: params.minSites } : {}),
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
  const state: TrainState = {
    spec,
    preprocessing: pre,
    classWeights: weights,
    participants: ok.map((r) => r.trust),
    step: 1,
    global: Array.from(global),
    strategy: null,
    initial: null,
    rounds: [],
    trained: null,
    best: null,
  };
  return next(params, state);
}

/** Pools the evaluations of the ok outputs. */
function evaluation(
  evals: readonly { evaluation: Parameters<typeof poolEvaluations>[0][number] }[],
): {
  summary: Evaluation;
  metrics: FederatedMetrics;
} {
  const metrics = federatedMetrics(poolEvaluations(evals.map((e) => e.evaluation)));
  const { examples, loss, accuracy, auc, aucErrorBound, ece } = metrics;
  return { summary: { examples, loss, accuracy, auc, aucErrorBound, ece }, metrics };
}

/** Files the evaluation of the model after the last aggregated round (or of the initial one). */
function record(state: TrainState, summary: Evaluation): TrainState {
  if (state.trained === null) return { ...state, initial: summary };
  const entry: RoundRecord = { round: state.step - 1, ...summary, ...state.trained };
  const better = state.best === null || entry.loss < state.best.loss;
  return {
    ...state,
    rounds: [...state.rounds, entry],
    trained: null,
    best: better ? { ...entry, parameters: state.global } : state.best,
  };
}

/** Aggregates 'round' k: files the evaluation of the incoming model, then applies the strategy. */
export function aggregateRound(
  params: TrainParams,
  state: TrainState,
  results: readonly SiteResult[],
): Decision {
  const outputs = new Map<string, ReturnType<typeof roundOutputSchema.parse>>();
  for (const r of results) {
    if (r.status !== 'ok') continue;
    const parsed = roundOutputSchema.safeParse(r.output);
    if (!parsed.success) return fail('INVALID_OUTPUT', `${r.trust}: round ${state.step}`);
    outputs.set(r.trust, parsed.data);
  }
  if (outputs.size === 0) return fail('NO_SITES', describeSites(results));
  const filed = record(state, evaluation([...outputs.values()]).summary);
  const selected = sampleSites(
    state.participants,
    { fraction: params.fraction, minimum: Math.min(params.minSites, state.participants.length) },
    params.seed,
    state.step,
  );
  const updates: ClientUpdate[] = [];
  const failed: string[] = [];
  let lossSum = 0;
  for (const trust of selected) {
    const out = outputs.get(trust);
    if (out === undefined) {
      failed.push(trust);
      continue;
    }
    updates.push({ vector: Float64Array.from(out.update), examples: out.examples });
    lossSum += out.trainLoss * out.examples;
  }
  if (updates.length < params.minSites)
    return fail(
      'TOO_FEW_SITES',
      `round ${state.step}: ${updates.length} updates, minSites ${params.minSites}: ${describeSites(results)}`,
    );
  const strategy = createStrategy(params.strategy);
  try {
    const agg = strategy.aggregate(Float64Array.from(state.global), updates, state.strategy);
    const examples = updates.reduce((s, u) => s + u.examples, 0);
    return next(params, {
      ...filed,
      step: state.step + 1,
      global: Array.from(agg.global),
      strategy: agg.state,
      trained: { sites: updates.length, failed, trainLoss: lossSum / examples },
    });
  } catch (e) {
    return fail(
      'AGGREGATION_FAILED',
      `round ${state.step}: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}

/** A model's id: the SHA-256 (hex) of its specification, preprocessing and parameters as JSON. */
export function modelId(
  spec: ModelSpec,
  preprocessing: Preprocessing,
  parameters: readonly number[],
): string {
  return createHash('sha256')
    .update(JSON.stringify({ spec, preprocessing, parameters }))
    .digest('hex');
}

/** Aggregates 'evaluate': files the final model's evaluation and ends the job with the result. */
export function aggregateEvaluate(
  params: TrainParams,
  state: TrainState,
  results: readonly SiteResult[],
): Decision {
  const evals: { evaluation: Parameters<typeof poolEvaluations>[0][number] }[] = [];
  for (const r of results) {
    if (r.status !== 'ok') continue;
    const parsed = evaluateOutputSchema.safeParse(r.output);
    if (!parsed.success) return fail('INVALID_OUTPUT', `${r.trust}: evaluate`);
    evals.push(parsed.data);
  }
  if (evals.length === 0) return fail('NO_SITES', describeSites(results));
  const { summary, metrics } = evaluation(evals);
  const filed = record(state, summary);
  const pre = filed.preprocessing;
  const best = filed.best;
  return {
    kind: 'done',
    result: {
      rounds: filed.rounds,
      initial: filed.initial,
      final: { ...summary, reliability: metrics.reliability },
      // Parameters travel inline for now; the hub's model store will keep them and the result
      // will carry the id only.
      model: {
        id: modelId(filed.spec, pre, filed.global),
        spec: filed.spec,
        outcome: params.outcome,
        features: params.features,
        classes: pre.classes,
        standardisation: {
          columns: pre.columns,
          levels: pre.levels,
          means: pre.means,
          sds: pre.sds,
        },
        parameters: filed.global,
      },
      best:
        best === null
          ? null
          : {
              ...best,
              id: modelId(filed.spec, pre, best.parameters),
            },
      strategy: params.strategy.name,
      sites: filed.participants.length,
    },
  };
}
