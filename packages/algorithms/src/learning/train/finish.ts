/*
 * The end of a `train` job: 'evaluate' (every participant evaluates the model after the last
 * round), the last round's record and artifacts, `model/final`, and the result. The result
 * names the models and their metrics; the weights are in the artifacts only.
 */
import type { SiteResult } from '../../framework.js';
import type { ReliabilityRow } from '../metrics/index.js';
import type { ModelSpec } from '../models/spec.js';
import { ARTIFACTS, exportOf, fileEvaluation, metricsOf } from './checkpoints.js';
import { trainPrivacy, type TrainPrivacy } from './dp.js';
import { readEvaluations } from './outputs.js';
import type { TrainParams } from './schemas.js';
import type { BestRound, Decision, Evaluation, RoundRecord, TrainState } from './state.js';

/** The `model` of a train result: the final model's id and facts, without its weights. */
export interface ResultModel {
  id: string;
  /** The artifact that holds it in the export format. */
  name: string;
  format: 'tessera-model';
  /** Number of parameters (the weights are in the artifact). */
  parameters: number;
  spec: ModelSpec;
  outcome: string;
  features: string[];
  classes: string[];
  round: number;
}

/** The result of `train` (README "train"; DESIGN "Public contract"). */
export interface TrainResult {
  rounds: RoundRecord[];
  initial: Evaluation | null;
  final: Evaluation & { reliability: readonly (readonly ReliabilityRow[])[] };
  model: ResultModel;
  best: (BestRound & { name: string }) | null;
  strategy: string;
  /** Sites that took part (released 'prepare'). */
  sites: number;
  privacy?: TrainPrivacy;
}

/** Aggregates 'evaluate': files the final model's evaluation and ends the job with the result. */
export function aggregateEvaluate(
  params: TrainParams,
  state: TrainState,
  results: readonly SiteResult[],
): Decision {
  const read = readEvaluations(state, results);
  if ('kind' in read) return read;
  const { summary, metrics } = metricsOf(read.evaluation);
  const secure = state.secure || read.secure;
  const filed = fileEvaluation(params, { ...state, secure }, summary);
  const s = filed.state;
  const round = params.rounds;
  const final = exportOf(params, s, s.global, summary, round);
  const result: TrainResult = {
    rounds: s.rounds,
    initial: s.initial,
    final: { ...summary, reliability: metrics.reliability },
    model: {
      id: final.id,
      name: ARTIFACTS.final,
      format: final.format,
      parameters: final.parameters.length,
      spec: s.spec,
      outcome: params.outcome,
      features: params.features,
      classes: s.preprocessing.classes,
      round,
    },
    best: s.best === null ? null : { ...s.best, name: ARTIFACTS.best },
    strategy: params.strategy.name,
    sites: s.participants.length,
    ...(params.dp === undefined ? {} : { privacy: trainPrivacy(params.dp, round) }),
  };
  return {
    kind: 'done',
    result,
    artifacts: [...filed.artifacts, { name: ARTIFACTS.final, body: final }],
  };
}
