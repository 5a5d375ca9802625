/*
 * What a `train` job keeps and shows as it runs (issue 6 points 3 and 5): the record of each
 * round, the models as artifacts in the export format (learning/export.ts), and the progress
 * clients display.
 *
 * Artifacts. The model after round k is evaluated by the sites of the next step, so its
 * artifact `model/round-<k>` is written with the decision after that evaluation arrives, and
 * carries its metrics: with the decision that sends round k + 2 (or 'evaluate'), and for the
 * last round with 'done'. `model/best` is rewritten whenever a round's validation loss is the
 * lowest so far; `model/final` comes with 'done'. `checkpointEvery` thins out the round models.
 */
import type { JobArtifact } from '../../framework.js';
import { exportModel, type ExportedModel } from '../export.js';
import {
  federatedMetrics,
  type EvaluationCounts,
  type FederatedMetrics,
} from '../metrics/index.js';
import { trainEpsilon, trainPrivacy } from './dp.js';
import type { TrainParams } from './schemas.js';
import { TRAIN_VERSION } from './settings.js';
import type { Evaluation, RoundRecord, TrainState } from './state.js';

/** Artifact names. */
export const ARTIFACTS = {
  round: (k: number): string => `model/round-${k}`,
  best: 'model/best',
  final: 'model/final',
} as const;

/** Loss, accuracy, AUC and calibration of pooled evaluation aggregates. */
export function metricsOf(pooled: EvaluationCounts): {
  summary: Evaluation;
  metrics: FederatedMetrics;
} {
  const metrics = federatedMetrics(pooled);
  const { examples, loss, accuracy, auc, aucErrorBound, ece } = metrics;
  return { summary: { examples, loss, accuracy, auc, aucErrorBound, ece }, metrics };
}

/** The export of `parameters`, the model after `round` rounds, with its metrics. */
export function exportOf(
  params: TrainParams,
  state: TrainState,
  parameters: readonly number[],
  metrics: Evaluation | null,
  round: number,
): ExportedModel {
  return exportModel({
    spec: state.spec,
    outcome: params.outcome,
    features: params.features,
    preprocessing: state.preprocessing,
    parameters,
    metrics,
    round,
    provenance: {
      algorithm: `train@${TRAIN_VERSION}`,
      strategy: params.strategy.name,
      rounds: round,
      sites: state.participants.length,
      secureAggregation: state.secure,
      ...(params.dp === undefined ? {} : { privacy: trainPrivacy(params.dp, round) }),
    },
  });
}

/**
 * Files the evaluation of `state.global` (the model after step − 1 rounds): the initial
 * model's, or round step − 1's record with the model's artifacts (its round checkpoint, and
 * `model/best` when its validation loss is the lowest so far).
 */
export function fileEvaluation(
  params: TrainParams,
  state: TrainState,
  summary: Evaluation,
): { state: TrainState; artifacts: JobArtifact[] } {
  if (state.trained === null) return { state: { ...state, initial: summary }, artifacts: [] };
  const round = state.step - 1;
  const entry: RoundRecord = {
    round,
    ...summary,
    ...state.trained,
    ...(params.dp === undefined ? {} : { epsilon: trainEpsilon(params.dp, round) }),
  };
  const model = exportOf(params, state, state.global, summary, round);
  const artifacts: JobArtifact[] = [];
  if (params.checkpointEvery > 0 && round % params.checkpointEvery === 0)
    artifacts.push({ name: ARTIFACTS.round(round), body: model });
  const better = state.best === null || entry.loss < state.best.loss;
  if (better) artifacts.push({ name: ARTIFACTS.best, body: model });
  return {
    state: {
      ...state,
      rounds: [...state.rounds, entry],
      trained: null,
      best: better ? { ...entry, id: model.id } : state.best,
    },
    artifacts,
  };
}

/** One round in the progress: small, for a live display. */
export interface ProgressRound {
  round: number;
  loss: number;
  accuracy: number;
  auc: number | null;
  sites: number;
  failed: string[];
  epsilon?: number;
}

/**
 * Most rounds the progress lists (the latest ones): it is stored with every decision and the hub
 * bounds it (1 MiB), while the result keeps every round.
 */
export const PROGRESS_ROUNDS = 250;

/** The `progress` of every step decision of `train`. */
export interface TrainProgress {
  kind: 'rounds';
  /** Rounds asked for. */
  total: number;
  /** Rounds aggregated so far. */
  done: number;
  /**
   * The evaluated rounds, the latest PROGRESS_ROUNDS of them (one behind `done`: a model is
   * evaluated by the next step's sites).
   */
  metrics: ProgressRound[];
  /** Under dp: ε after the rounds done. */
  epsilon?: number;
}

/** The progress after `state.step − 1` aggregated rounds. */
export function progressOf(params: TrainParams, state: TrainState): TrainProgress {
  const done = Math.min(state.step - 1, params.rounds);
  return {
    kind: 'rounds',
    total: params.rounds,
    done,
    metrics: state.rounds.slice(-PROGRESS_ROUNDS).map((r) => ({
      round: r.round,
      loss: r.loss,
      accuracy: r.accuracy,
      auc: r.auc,
      sites: r.sites,
      failed: r.failed,
      ...(r.epsilon === undefined ? {} : { epsilon: r.epsilon }),
    })),
    ...(params.dp === undefined ? {} : { epsilon: trainEpsilon(params.dp, done) }),
  };
}
