/*
 * Models for federated learning (issue 6) as pure functions over one flat parameter vector
 * (layout in spec.ts): seeded initialisation, forward pass, weighted cross-entropy with optional
 * L2, and its hand-written gradient. Nothing is kept between calls, so one model object serves
 * any number of parameter vectors (the global model and every site's copy).
 */
import { createRng } from '../../numerics/random.js';
import type { Rng } from '../../numerics/random.js';
import { activate, activateBackward, applyMask, dropoutMask } from './activations.js';
import { checkClassWeights, checkInputs, checkL2, checkLabels, checkMasks } from './checks.js';
import type { Batch } from './checks.js';
import { denseBackward, denseForward } from './dense.js';
import type { FloatArray } from './dense.js';
import { headProbabilities, sigmoidCrossEntropy, softmaxCrossEntropy } from './losses.js';
import type { Labels } from './losses.js';
import { architecture } from './spec.js';
import type { Architecture, ModelSpec } from './spec.js';

export type { Batch } from './checks.js';

/** Options of the loss and its gradient. */
export interface LossOptions {
  /** Weight of each class's examples (length = classes); default all 1. */
  readonly classWeights?: ArrayLike<number>;
  /** λ of the penalty λ/2·Σ w² over the weights (biases are not penalised); default 0. */
  readonly l2?: number;
  /**
   * Training-time dropout masks from {@link Model.sampleDropoutMasks}, one per hidden layer;
   * without them the model runs in inference mode (no dropout).
   */
  readonly dropoutMasks?: readonly Float64Array[];
}

/** A model: its architecture and pure functions of a parameter vector. */
export interface Model {
  readonly architecture: Architecture;
  /** Length of the flat parameter vector. */
  readonly parameterCount: number;
  /**
   * A seeded initial vector: He-normal weights (sd √(2/fan_in)) before a ReLU, Glorot-normal
   * (sd √(2/(fan_in + fan_out))) before a tanh and in the output layer; zero biases.
   */
  init(seed: number): Float64Array;
  /** Logits, rows × (1 for a sigmoid head, classes for softmax). @throws RangeError on shapes. */
  forward(params: Float64Array, batch: Batch, dropoutMasks?: readonly Float64Array[]): Float64Array;
  /** Class probabilities, rows × classes, in inference mode. @throws RangeError on shapes. */
  predictProba(params: Float64Array, batch: Batch): Float64Array;
  /**
   * Mean weighted cross-entropy (1/n)·Σᵢ w(yᵢ)·ℓᵢ plus λ/2·Σ w².
   * @throws RangeError on shapes, labels, class weights, λ or masks (see checks.ts).
   */
  loss(params: Float64Array, batch: Batch, labels: Labels, options?: LossOptions): number;
  /**
   * The loss, its cross-entropy part alone (without L2), and its gradient with respect to the
   * parameters (same layout). The gradient is written into `out` when given (it is
   * overwritten), else into a new vector.
   * @throws RangeError as {@link Model.loss}, or when `out` has the wrong length.
   */
  lossAndGradient(
    params: Float64Array,
    batch: Batch,
    labels: Labels,
    options?: LossOptions,
    out?: Float64Array,
  ): { loss: number; crossEntropy: number; gradient: Float64Array };
  /** The gradient alone; see {@link Model.lossAndGradient}. */
  gradient(params: Float64Array, batch: Batch, labels: Labels, options?: LossOptions): Float64Array;
  /** Seeded training-time dropout masks for a batch of `rows` rows (none without dropout). */
  sampleDropoutMasks(rows: number, rng: Rng): Float64Array[];
}

interface Pass {
  /** Input of each dense layer (the batch, then the masked hidden activations). */
  readonly inputs: FloatArray[];
  /** Pre-activations of each hidden layer. */
  readonly z: Float64Array[];
  /** Activations of each hidden layer before the mask. */
  readonly h: Float64Array[];
  readonly logits: Float64Array;
}

function run(
  arch: Architecture,
  params: Float64Array,
  batch: Batch,
  masks: readonly Float64Array[],
): Pass {
  const rows = batch.rows;
  const inputs: FloatArray[] = [batch.x];
  const z: Float64Array[] = [];
  const h: Float64Array[] = [];
  let current: FloatArray = batch.x;
  const last = arch.layers.length - 1;
  for (let l = 0; l < last; l++) {
    const layer = arch.layers[l] as (typeof arch.layers)[number];
    const n = rows * layer.outputs;
    const zl = new Float64Array(n);
    denseForward(layer, params, current, rows, zl);
    const hl = new Float64Array(n);
    activate(arch.activation, zl, hl, n);
    const mask = masks[l];
    let al = hl;
    if (mask !== undefined) {
      al = hl.slice();
      applyMask(al, mask, n);
    }
    z.push(zl);
    h.push(hl);
    inputs.push(al);
    current = al;
  }
  const out = arch.layers[last] as (typeof arch.layers)[number];
  const logits = new Float64Array(rows * out.outputs);
  denseForward(out, params, current, rows, logits);
  return { inputs, z, h, logits };
}

function weightPenalty(
  arch: Architecture,
  params: Float64Array,
  l2: number,
  grad: Float64Array | null,
): number {
  if (l2 === 0) return 0;
  let sum = 0;
  for (const layer of arch.layers) {
    const end = layer.weightOffset + layer.inputs * layer.outputs;
    for (let k = layer.weightOffset; k < end; k++) {
      const w = params[k] as number;
      sum += w * w;
      if (grad !== null) grad[k] = (grad[k] as number) + l2 * w;
    }
  }
  return (l2 / 2) * sum;
}

function evaluate(
  arch: Architecture,
  params: Float64Array,
  batch: Batch,
  labels: Labels,
  options: LossOptions,
  grad: Float64Array | null,
): { loss: number; crossEntropy: number } {
  checkInputs(arch, params, batch);
  checkLabels(arch, labels, batch.rows);
  const masks = options.dropoutMasks ?? [];
  checkMasks(arch, masks, batch.rows);
  if (options.classWeights !== undefined) checkClassWeights(arch, options.classWeights);
  const l2 = options.l2 ?? 0;
  checkL2(l2);
  const rows = batch.rows;
  const pass = run(arch, params, batch, masks);
  const dLogits = grad === null ? null : new Float64Array(pass.logits.length);
  const scale = 1 / rows;
  const sum =
    arch.head === 'sigmoid'
      ? sigmoidCrossEntropy(pass.logits, labels, rows, options.classWeights, scale, dLogits)
      : softmaxCrossEntropy(
          pass.logits,
          labels,
          rows,
          arch.classes,
          options.classWeights,
          scale,
          dLogits,
        );
  if (grad !== null && dLogits !== null) {
    grad.fill(0);
    backward(arch, params, pass, masks, rows, dLogits, grad);
  }
  const crossEntropy = sum * scale;
  return { loss: crossEntropy + weightPenalty(arch, params, l2, grad), crossEntropy };
}

function backward(
  arch: Architecture,
  params: Float64Array,
  pass: Pass,
  masks: readonly Float64Array[],
  rows: number,
  dLogits: Float64Array,
  grad: Float64Array,
): void {
  let dz = dLogits;
  for (let l = arch.layers.length - 1; l >= 0; l--) {
    const layer = arch.layers[l] as (typeof arch.layers)[number];
    const input = pass.inputs[l] as FloatArray;
    const dx = l === 0 ? null : new Float64Array(rows * layer.inputs);
    denseBackward(layer, params, input, rows, dz, grad, dx, arch.activation === 'relu');
    if (dx === null) break;
    const n = dx.length;
    const mask = masks[l - 1];
    if (mask !== undefined) applyMask(dx, mask, n);
    activateBackward(
      arch.activation,
      pass.z[l - 1] as Float64Array,
      pass.h[l - 1] as Float64Array,
      dx,
      n,
    );
    dz = dx;
  }
}

function init(arch: Architecture, seed: number): Float64Array {
  const rng = createRng(seed);
  const params = new Float64Array(arch.parameterCount);
  const last = arch.layers.length - 1;
  arch.layers.forEach((layer, l) => {
    const he = l < last && arch.activation === 'relu';
    const sd = he ? Math.sqrt(2 / layer.inputs) : Math.sqrt(2 / (layer.inputs + layer.outputs));
    const end = layer.weightOffset + layer.inputs * layer.outputs;
    for (let k = layer.weightOffset; k < end; k++) params[k] = sd * rng.normal();
  });
  return params;
}

/**
 * Builds a model from its specification.
 * @throws RangeError when the specification is invalid (see {@link architecture}).
 */
export function createModel(spec: ModelSpec): Model {
  const arch = architecture(spec);
  const outputs = (
    batch: Batch,
    params: Float64Array,
    masks: readonly Float64Array[],
  ): Float64Array => {
    checkInputs(arch, params, batch);
    checkMasks(arch, masks, batch.rows);
    return run(arch, params, batch, masks).logits;
  };
  return {
    architecture: arch,
    parameterCount: arch.parameterCount,
    init: (seed) => init(arch, seed),
    forward: (params, batch, masks = []) => outputs(batch, params, masks),
    predictProba: (params, batch) =>
      headProbabilities(arch.head, outputs(batch, params, []), batch.rows, arch.classes),
    loss: (params, batch, labels, options = {}) =>
      evaluate(arch, params, batch, labels, options, null).loss,
    lossAndGradient(params, batch, labels, options = {}, out) {
      const gradient = out ?? new Float64Array(arch.parameterCount);
      if (gradient.length !== arch.parameterCount)
        throw new RangeError(
          `gradient buffer has ${gradient.length} entries, the model has ${arch.parameterCount}`,
        );
      return { ...evaluate(arch, params, batch, labels, options, gradient), gradient };
    },
    gradient(params, batch, labels, options = {}) {
      const gradient = new Float64Array(arch.parameterCount);
      evaluate(arch, params, batch, labels, options, gradient);
      return gradient;
    },
    sampleDropoutMasks: (rows, rng) =>
      arch.dropout === 0
        ? []
        : arch.layers
            .slice(0, -1)
            .map((layer) => dropoutMask(rows * layer.outputs, arch.dropout, rng)),
  };
}
