/*
 * What the hub and every site derive alike from the params: the model specification once the
 * classes and input columns are known, the local optimiser, and per-round seeds.
 */
import type { ModelSpec } from '../models/spec.js';
import type { OptimizerConfig } from '../training/optimizers.js';
import type { TrainParams } from './schemas.js';

/** The version of `train` (tasks name it; nodes run only the version they have). */
export const TRAIN_VERSION = '0.2.0';

/** The model specification for `inputs` columns and `classes` classes. */
export function modelSpec(model: TrainParams['model'], inputs: number, classes: number): ModelSpec {
  switch (model.type) {
    case 'logistic':
      return { type: 'logistic', inputs };
    case 'softmax':
      return { type: 'softmax', inputs, classes };
    case 'mlp':
      return {
        type: 'mlp',
        inputs,
        classes,
        hidden: model.hidden,
        activation: model.activation,
        dropout: model.dropout,
      };
  }
}

/** The local optimiser: SGD with momentum (η default 0.1) or Adam (α default 0.01). */
export function optimizerConfig(params: TrainParams): OptimizerConfig {
  return params.optimizer === 'sgd'
    ? { name: 'sgd', learningRate: params.learningRate ?? 0.1, momentum: params.momentum }
    : { name: 'adam', learningRate: params.learningRate ?? 0.01 };
}

/**
 * A 32-bit seed from the job's seed and some small integers (round, rows, …), so each round's
 * local shuffles differ while staying reproducible.
 */
export function mixSeed(seed: number, ...parts: readonly number[]): number {
  let h = seed >>> 0;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x9e3779b1) >>> 0;
    h = (h ^ (h >>> 15)) >>> 0;
  }
  return h;
}
