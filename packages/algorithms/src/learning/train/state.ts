/*
 * The hub's state of a `train` job between steps (JSON, persisted with the job, so a restarted
 * hub resumes from the last finished round) and the records it keeps per round.
 */
import type { HubDecision } from '../../framework.js';
import { COMMON_FAILURES, failureFor } from '../../hub-failures.js';
import type { ModelSpec } from '../models/spec.js';
import type { StrategyState } from '../strategies/index.js';
import type { Preprocessing } from './schemas.js';

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
  PRIVACY_REPORT: 'a site released an update without the noise dp asks for, or the reverse',
  UNKNOWN_STEP: 'the hub asked train to aggregate a step it does not have',
} as const;
export const fail = failureFor(TRAIN_FAILURES);

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

/**
 * One finished round: the metrics of the model after it, and who trained in it. The metrics
 * are those of the sites that evaluated the model: the sites sampled for the NEXT round (they
 * evaluate the model they receive before training), or every participant for the last round.
 */
export interface RoundRecord extends Evaluation {
  round: number;
  /** Sites whose updates were aggregated. */
  sites: number;
  /** Sites sampled for the round that refused, failed or did not answer in time, by name. */
  failed: string[];
  /** Mean last-epoch training loss over the aggregated sites, weighted by examples; null under dp. */
  trainLoss: number | null;
  /** Under dp: ε after this round (every site released at most `round` updates). */
  epsilon?: number;
}

/** The best round so far (lowest validation loss) and the id of its model. */
export type BestRound = RoundRecord & { id: string };

/** Hub state between steps (JSON, persisted). */
export interface TrainState {
  spec: ModelSpec;
  preprocessing: Preprocessing;
  classWeights: number[] | null;
  /** Sites that released 'prepare', the pool sampled from each round. */
  participants: string[];
  /** The step being aggregated: k for 'round' k, rounds + 1 for 'evaluate'. */
  step: number;
  /** The sites the step was sent to (the sampled ones for a round). */
  sampled: string[];
  /** The global vector sent with that step (the model after step − 1 rounds). */
  global: number[];
  strategy: StrategyState;
  /** Metrics of the initial model (from step 1). */
  initial: Evaluation | null;
  rounds: RoundRecord[];
  /** Training facts of the last aggregated round, until its evaluation arrives. */
  trained: { sites: number; failed: string[]; trainLoss: number | null } | null;
  best: BestRound | null;
  /** Whether a step's results came as a secure sum (the hub never saw one site's update). */
  secure: boolean;
}

/** A decision of `train`'s hub part. */
export type Decision = HubDecision<TrainState | null>;

/** The name of the result of secure aggregation among a step's results (secure/hub.ts). */
export const SECURE_SUM = 'secure-sum';
