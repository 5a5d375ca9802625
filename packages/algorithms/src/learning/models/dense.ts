/*
 * Dense-layer kernels on row-major batches: z = x·W + b with W stored input-major (see spec.ts),
 * so every inner loop runs over contiguous output units. Inputs may be Float32Array (data as
 * loaded); weights, activations and gradients are Float64Array.
 */
import type { DenseLayout } from './spec.js';

/** A row-major matrix of numbers, single or double precision. */
export type FloatArray = Float64Array | Float32Array;

/**
 * Writes z = x·W + b for `rows` rows of x (rows × layer.inputs) into z (rows × layer.outputs).
 * Zero inputs are skipped, which pays off after a ReLU.
 */
export function denseForward(
  layer: DenseLayout,
  params: Float64Array,
  x: FloatArray,
  rows: number,
  z: Float64Array,
): void {
  const { inputs, outputs, weightOffset, biasOffset } = layer;
  for (let r = 0; r < rows; r++) {
    const zo = r * outputs;
    for (let j = 0; j < outputs; j++) z[zo + j] = params[biasOffset + j] as number;
    const xo = r * inputs;
    for (let i = 0; i < inputs; i++) {
      const xi = x[xo + i] as number;
      if (xi === 0) continue;
      const wo = weightOffset + i * outputs;
      for (let j = 0; j < outputs; j++)
        z[zo + j] = (z[zo + j] as number) + xi * (params[wo + j] as number);
    }
  }
}

/**
 * Backward pass of {@link denseForward}: adds xᵀ·dz to the weight gradient and the column sums
 * of dz to the bias gradient (both inside `grad`, at the layer's offsets), and when `dx` is given
 * writes dx = dz·Wᵀ (rows × layer.inputs). With `zeroInputsDiscardDx` the caller promises that
 * dx is discarded wherever the input is 0 (after a ReLU: a zero output has zero derivative or was
 * dropped), so those entries are written as 0 without the dot product, halving the work.
 */
export function denseBackward(
  layer: DenseLayout,
  params: Float64Array,
  x: FloatArray,
  rows: number,
  dz: Float64Array,
  grad: Float64Array,
  dx: Float64Array | null,
  zeroInputsDiscardDx: boolean,
): void {
  const { inputs, outputs, weightOffset, biasOffset } = layer;
  for (let r = 0; r < rows; r++) {
    const zo = r * outputs;
    for (let j = 0; j < outputs; j++)
      grad[biasOffset + j] = (grad[biasOffset + j] as number) + (dz[zo + j] as number);
    const xo = r * inputs;
    for (let i = 0; i < inputs; i++) {
      const wo = weightOffset + i * outputs;
      const xi = x[xo + i] as number;
      // One pass over row i of W serves both the weight gradient and dx.
      if (dx === null) {
        if (xi === 0) continue;
        for (let j = 0; j < outputs; j++)
          grad[wo + j] = (grad[wo + j] as number) + xi * (dz[zo + j] as number);
        continue;
      }
      let s = 0;
      if (xi === 0) {
        if (!zeroInputsDiscardDx)
          for (let j = 0; j < outputs; j++)
            s += (dz[zo + j] as number) * (params[wo + j] as number);
      } else {
        for (let j = 0; j < outputs; j++) {
          const d = dz[zo + j] as number;
          grad[wo + j] = (grad[wo + j] as number) + xi * d;
          s += d * (params[wo + j] as number);
        }
      }
      dx[xo + i] = s;
    }
  }
}
