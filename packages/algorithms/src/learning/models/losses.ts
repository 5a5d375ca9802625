/*
 * Output heads with their cross-entropy losses, computed from logits so that both are stable for
 * any logit: softplus for the sigmoid (log(1 + e^z) = max(z, 0) + log1p(e^−|z|)) and a max-shifted
 * log-sum-exp for the softmax. Class weights multiply each example's loss by the weight of its
 * class (for imbalanced outcomes); the gradient is taken with respect to the logits.
 */

/** Class labels, one per row: integers in [0, classes). */
export type Labels = ArrayLike<number>;

/**
 * Sigmoid head with binary cross-entropy over `rows` logits (one per row).
 * Returns Σᵢ w(yᵢ)·ℓᵢ; when `dLogits` is given writes scale·w(yᵢ)·(σ(zᵢ) − yᵢ) into it.
 */
export function sigmoidCrossEntropy(
  logits: Float64Array,
  labels: Labels,
  rows: number,
  classWeights: ArrayLike<number> | undefined,
  scale: number,
  dLogits: Float64Array | null,
): number {
  let sum = 0;
  for (let r = 0; r < rows; r++) {
    const z = logits[r] as number;
    const y = labels[r] as number;
    const w = classWeights === undefined ? 1 : (classWeights[y] as number);
    sum += w * (Math.max(z, 0) - y * z + Math.log1p(Math.exp(-Math.abs(z))));
    if (dLogits !== null) dLogits[r] = scale * w * (sigmoid(z) - y);
  }
  return sum;
}

/**
 * Softmax head with categorical cross-entropy over rows × classes logits.
 * Returns Σᵢ w(yᵢ)·ℓᵢ; when `dLogits` is given writes scale·w(yᵢ)·(softmax(zᵢ) − onehot(yᵢ)).
 */
export function softmaxCrossEntropy(
  logits: Float64Array,
  labels: Labels,
  rows: number,
  classes: number,
  classWeights: ArrayLike<number> | undefined,
  scale: number,
  dLogits: Float64Array | null,
): number {
  let sum = 0;
  for (let r = 0; r < rows; r++) {
    const o = r * classes;
    const y = labels[r] as number;
    const w = classWeights === undefined ? 1 : (classWeights[y] as number);
    let max = -Infinity;
    for (let k = 0; k < classes; k++) max = Math.max(max, logits[o + k] as number);
    let total = 0;
    for (let k = 0; k < classes; k++) total += Math.exp((logits[o + k] as number) - max);
    const lse = max + Math.log(total);
    sum += w * (lse - (logits[o + y] as number));
    if (dLogits !== null) {
      for (let k = 0; k < classes; k++) {
        const p = Math.exp((logits[o + k] as number) - lse);
        dLogits[o + k] = scale * w * (p - (k === y ? 1 : 0));
      }
    }
  }
  return sum;
}

/** The logistic function, written to avoid overflow for large |z|. */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** Class probabilities (rows × classes) from a head's logits. */
export function headProbabilities(
  head: 'sigmoid' | 'softmax',
  logits: Float64Array,
  rows: number,
  classes: number,
): Float64Array {
  const out = new Float64Array(rows * classes);
  for (let r = 0; r < rows; r++) {
    const o = r * classes;
    if (head === 'sigmoid') {
      const p = sigmoid(logits[r] as number);
      out[o] = 1 - p;
      out[o + 1] = p;
      continue;
    }
    let max = -Infinity;
    for (let k = 0; k < classes; k++) max = Math.max(max, logits[o + k] as number);
    let total = 0;
    for (let k = 0; k < classes; k++) {
      const e = Math.exp((logits[o + k] as number) - max);
      out[o + k] = e;
      total += e;
    }
    for (let k = 0; k < classes; k++) out[o + k] = (out[o + k] as number) / total;
  }
  return out;
}
