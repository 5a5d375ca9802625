/*
 * Training throughput for `npm run bench` (issue 6 "Done when": examples/s per site for an MLP
 * of about 100k parameters). A function, not a timed test (STYLE 20): the bench passes its clock.
 */
import { createModel } from '../models/model.js';
import { trainLocal } from './local-train.js';
import type { OptimizerConfig } from './optimizers.js';
import { gaussianTask } from './synthetic.js';

/** Options of {@link measureTrainingThroughput}; the defaults give 100 → 256 → 256 → 2. */
export interface ThroughputOptions {
  /** Milliseconds from any origin (performance.now in the bench). */
  readonly now: () => number;
  readonly inputs?: number;
  readonly hidden?: readonly number[];
  readonly classes?: number;
  readonly rows?: number;
  readonly epochs?: number;
  readonly batchSize?: number;
  readonly optimizer?: OptimizerConfig;
  readonly seed?: number;
}

/** What {@link measureTrainingThroughput} measured. */
export interface Throughput {
  readonly parameters: number;
  /** Examples processed (rows × epochs). */
  readonly examples: number;
  readonly seconds: number;
  readonly examplesPerSecond: number;
  /** Mean training loss of the last epoch, to show that the run did learn. */
  readonly meanLoss: number;
}

/**
 * Trains an MLP with softmax head on a seeded Gaussian task with {@link trainLocal} and reports
 * examples per second of wall time on one thread (forward, backward and optimiser step).
 * @throws RangeError as createModel and trainLocal on invalid sizes.
 */
export function measureTrainingThroughput(options: ThroughputOptions): Throughput {
  const inputs = options.inputs ?? 100;
  const classes = options.classes ?? 2;
  const rows = options.rows ?? 4096;
  const epochs = options.epochs ?? 1;
  const seed = options.seed ?? 1;
  const model = createModel({
    type: 'mlp',
    inputs,
    hidden: options.hidden ?? [256, 256],
    classes,
    output: 'softmax',
  });
  const data = gaussianTask(rows, inputs, classes, seed);
  const start = model.init(seed);
  const began = options.now();
  const result = trainLocal(model, start, data, {
    epochs,
    batchSize: options.batchSize ?? 32,
    optimizer: options.optimizer ?? { name: 'adam', learningRate: 1e-3 },
    seed,
  });
  const seconds = (options.now() - began) / 1000;
  const examples = rows * epochs;
  return {
    parameters: model.parameterCount,
    examples,
    seconds,
    examplesPerSecond: examples / seconds,
    meanLoss: result.meanLoss,
  };
}
