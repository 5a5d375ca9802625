/*
 * One site's local training in a round (issue 6): mini-batch epochs over the site's rows,
 * reshuffled each epoch by a seeded Fisher–Yates shuffle, with SGD (momentum) or Adam on the
 * local objective (objective.ts). Pure: the same inputs and seed give the same vector on every
 * platform, which the federated tests and resumed jobs rely on.
 */
import type { FloatArray } from '../models/dense.js';
import type { Labels } from '../models/losses.js';
import type { Model } from '../models/model.js';
import { createRng } from '../../numerics/random.js';
import type { ObjectiveOptions } from './objective.js';
import { localObjective } from './objective.js';
import { createOptimizer } from './optimizers.js';
import type { OptimizerConfig } from './optimizers.js';

/** A site's training rows: rows × inputs features (row-major, standardised) and labels. */
export interface TrainingData {
  readonly x: FloatArray;
  readonly labels: Labels;
  readonly rows: number;
}

/** Options of {@link trainLocal}. */
export interface LocalTrainingOptions {
  /** Passes over the data; an integer ≥ 1. */
  readonly epochs: number;
  /** Rows per mini-batch (the last one of an epoch may be smaller); an integer ≥ 1. */
  readonly batchSize: number;
  readonly optimizer: OptimizerConfig;
  /** Seeds the shuffles and the dropout masks. */
  readonly seed: number;
  readonly classWeights?: ArrayLike<number>;
  /** λ of the L2 penalty on the weights. */
  readonly l2?: number;
  /** FedProx μ; the proximal term pulls towards the starting (global) vector. Default 0. */
  readonly proximalMu?: number;
}

/** What a site reports after local training. */
export interface LocalTrainingResult {
  /** The trained vector (a new array; the starting vector is not modified). */
  readonly parameters: Float64Array;
  /** Training rows, the FedAvg weight. */
  readonly examples: number;
  /**
   * Mean training loss over the last epoch: the row-weighted mean of the mini-batches'
   * cross-entropy (with class weights and training-time dropout, without L2 and proximal terms,
   * so it compares with evaluation losses).
   */
  readonly meanLoss: number;
  /** The same mean for every epoch, first to last. */
  readonly epochLosses: readonly number[];
  /** Optimiser steps taken. */
  readonly steps: number;
}

/** Thrown when the loss becomes non-finite (a learning rate too large, usually). */
export class TrainingDivergedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrainingDivergedError';
  }
}

function checkOptions(model: Model, data: TrainingData, options: LocalTrainingOptions): void {
  const { epochs, batchSize } = options;
  if (!Number.isSafeInteger(epochs) || epochs < 1)
    throw new RangeError(`epochs is ${epochs}, expected an integer ≥ 1`);
  if (!Number.isSafeInteger(batchSize) || batchSize < 1)
    throw new RangeError(`batchSize is ${batchSize}, expected an integer ≥ 1`);
  const inputs = model.architecture.inputs;
  if (!Number.isSafeInteger(data.rows) || data.rows < 1)
    throw new RangeError(`training data has ${data.rows} rows, expected at least 1`);
  if (data.x.length !== data.rows * inputs)
    throw new RangeError(
      `training data holds ${data.x.length} values, expected ${data.rows} rows × ${inputs} inputs`,
    );
  if (data.labels.length !== data.rows)
    throw new RangeError(`training data has ${data.labels.length} labels for ${data.rows} rows`);
}

/** Fisher–Yates shuffle of 0..n−1 in place. */
function shuffle(order: Uint32Array, next: (n: number) => number): void {
  for (let i = order.length - 1; i > 0; i--) {
    const j = next(i + 1);
    const t = order[i] as number;
    order[i] = order[j] as number;
    order[j] = t;
  }
}

/**
 * Trains `model` from `start` on a site's rows and returns the new vector with the figures the
 * site reports.
 * @throws RangeError on invalid options or data shapes (and as Model.lossAndGradient on labels).
 * @throws TrainingDivergedError naming the epoch and step when the loss becomes non-finite.
 */
export function trainLocal(
  model: Model,
  start: Float64Array,
  data: TrainingData,
  options: LocalTrainingOptions,
): LocalTrainingResult {
  checkOptions(model, data, options);
  const params = start.slice();
  const inputs = model.architecture.inputs;
  const optimizer = createOptimizer(options.optimizer, params.length);
  const shuffleRng = createRng(options.seed);
  // A separate stream, so that turning dropout on does not change the order of the rows.
  const dropoutRng = createRng((options.seed ^ 0x5bd1e995) >>> 0);
  const objective: ObjectiveOptions = {
    ...(options.classWeights === undefined ? {} : { classWeights: options.classWeights }),
    ...(options.l2 === undefined ? {} : { l2: options.l2 }),
    ...(options.proximalMu === undefined
      ? {}
      : { proximal: { mu: options.proximalMu, anchor: start } }),
  };
  const size = Math.min(options.batchSize, data.rows);
  const bx = new Float64Array(size * inputs);
  const by = new Int32Array(size);
  const gradient = new Float64Array(params.length);
  const order = Uint32Array.from({ length: data.rows }, (_, i) => i);
  const epochLosses: number[] = [];
  let steps = 0;
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    shuffle(order, (n) => shuffleRng.int(n));
    let total = 0;
    for (let begin = 0; begin < data.rows; begin += size) {
      const rows = Math.min(size, data.rows - begin);
      for (let r = 0; r < rows; r++) {
        const src = order[begin + r] as number;
        bx.set(data.x.subarray(src * inputs, (src + 1) * inputs), r * inputs);
        by[r] = data.labels[src] as number;
      }
      const batch = { x: rows === size ? bx : bx.subarray(0, rows * inputs), rows };
      const labels = rows === size ? by : by.subarray(0, rows);
      const dropoutMasks = model.sampleDropoutMasks(rows, dropoutRng);
      const value = localObjective(
        model,
        params,
        batch,
        labels,
        { ...objective, dropoutMasks },
        gradient,
      );
      if (!Number.isFinite(value.objective))
        throw new TrainingDivergedError(
          `local training diverged at epoch ${epoch + 1}, step ${steps + 1}: the loss is ${value.objective}`,
        );
      optimizer.step(params, gradient);
      steps += 1;
      total += rows * value.crossEntropy;
    }
    epochLosses.push(total / data.rows);
  }
  return {
    parameters: params,
    examples: data.rows,
    meanLoss: epochLosses[epochLosses.length - 1] ?? Number.NaN,
    epochLosses,
    steps,
  };
}
