/*
 * Argument checks shared by the model functions: every mistake is reported with what was wrong,
 * because a wrong length in a flat vector otherwise shows up only as NaN far away.
 */
import type { FloatArray } from './dense.js';
import type { Labels } from './losses.js';
import type { Architecture } from './spec.js';

/** A mini-batch: rows × inputs features, row-major. */
export interface Batch {
  readonly x: FloatArray;
  readonly rows: number;
}

/**
 * @throws RangeError when the parameter vector has the wrong length or the batch's shape does
 *   not match the model's inputs.
 */
export function checkInputs(arch: Architecture, params: Float64Array, batch: Batch): void {
  if (params.length !== arch.parameterCount)
    throw new RangeError(
      `parameter vector has ${params.length} entries, the model expects ${arch.parameterCount}`,
    );
  if (!Number.isSafeInteger(batch.rows) || batch.rows < 1)
    throw new RangeError(`batch has ${batch.rows} rows, expected a positive integer`);
  if (batch.x.length !== batch.rows * arch.inputs)
    throw new RangeError(
      `batch holds ${batch.x.length} values, expected ${batch.rows} rows × ${arch.inputs} inputs`,
    );
}

/** @throws RangeError naming the first row whose label is not an integer in [0, classes). */
export function checkLabels(arch: Architecture, labels: Labels, rows: number): void {
  if (labels.length < rows)
    throw new RangeError(`labels has ${labels.length} entries for ${rows} rows`);
  for (let r = 0; r < rows; r++) {
    const y = labels[r] as number;
    if (!Number.isInteger(y) || y < 0 || y >= arch.classes)
      throw new RangeError(
        `label of row ${r} is ${y}, expected an integer in [0, ${arch.classes})`,
      );
  }
}

/** @throws RangeError when class weights are not `classes` finite non-negative numbers. */
export function checkClassWeights(arch: Architecture, weights: ArrayLike<number>): void {
  if (weights.length !== arch.classes)
    throw new RangeError(`classWeights has ${weights.length} entries for ${arch.classes} classes`);
  for (let k = 0; k < weights.length; k++) {
    const w = weights[k] as number;
    if (!Number.isFinite(w) || w < 0)
      throw new RangeError(`classWeights[${k}] is ${w}, expected a finite number ≥ 0`);
  }
}

/**
 * @throws RangeError when the masks are not one per hidden layer of rows × width entries, or
 *   masks are given for a model without dropout.
 */
export function checkMasks(arch: Architecture, masks: readonly Float64Array[], rows: number): void {
  const hidden = arch.layers.length - 1;
  if (masks.length !== 0 && arch.dropout === 0)
    throw new RangeError('dropout masks given for a model without dropout');
  if (masks.length !== 0 && masks.length !== hidden)
    throw new RangeError(`${masks.length} dropout masks for ${hidden} hidden layers`);
  masks.forEach((m, l) => {
    const expected = rows * (arch.layers[l]?.outputs ?? 0);
    if (m.length !== expected)
      throw new RangeError(`dropout mask ${l} has ${m.length} entries, expected ${expected}`);
  });
}

/** @throws RangeError when λ is not a finite number ≥ 0. */
export function checkL2(l2: number): void {
  if (!Number.isFinite(l2) || l2 < 0)
    throw new RangeError(`l2 is ${l2}, expected a finite number ≥ 0`);
}
