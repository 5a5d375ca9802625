/*
 * Hidden-layer activations and inverted dropout (Srivastava et al. 2014): at training time a
 * unit is kept with probability 1 − p and scaled by 1 / (1 − p), so inference needs no change.
 */
import type { Rng } from '../../numerics/random.js';
import type { Activation } from './spec.js';

/** Writes h = act(z) elementwise over the first `n` entries. */
export function activate(
  activation: Activation,
  z: Float64Array,
  h: Float64Array,
  n: number,
): void {
  if (activation === 'relu') {
    for (let k = 0; k < n; k++) {
      const v = z[k] as number;
      h[k] = v > 0 ? v : 0;
    }
  } else {
    for (let k = 0; k < n; k++) h[k] = Math.tanh(z[k] as number);
  }
}

/**
 * Turns dh (the gradient with respect to h = act(z)) into dz in place, given z and h:
 * ReLU passes it where z > 0, tanh multiplies by 1 − h².
 */
export function activateBackward(
  activation: Activation,
  z: Float64Array,
  h: Float64Array,
  d: Float64Array,
  n: number,
): void {
  if (activation === 'relu') {
    for (let k = 0; k < n; k++) if ((z[k] as number) <= 0) d[k] = 0;
  } else {
    for (let k = 0; k < n; k++) {
      const t = h[k] as number;
      d[k] = (d[k] as number) * (1 - t * t);
    }
  }
}

/**
 * A seeded inverted-dropout mask of n entries: 0 with probability p, 1 / (1 − p) otherwise.
 * @throws RangeError when p is outside [0, 1).
 */
export function dropoutMask(n: number, p: number, rng: Rng): Float64Array {
  if (!(p >= 0 && p < 1)) throw new RangeError(`dropout is ${p}, expected a probability in [0, 1)`);
  const mask = new Float64Array(n);
  const keep = 1 / (1 - p);
  for (let k = 0; k < n; k++) mask[k] = rng.uniform() < p ? 0 : keep;
  return mask;
}

/** Multiplies the first n entries of `a` by `mask` in place (forward and backward alike). */
export function applyMask(a: Float64Array, mask: Float64Array, n: number): void {
  for (let k = 0; k < n; k++) a[k] = (a[k] as number) * (mask[k] as number);
}
