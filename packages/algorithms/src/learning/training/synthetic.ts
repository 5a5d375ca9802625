/*
 * Seeded synthetic classification tasks for the learning tests and the bench: data no linear
 * model separates (two moons), and a wide Gaussian task for throughput. Not patient data.
 */
import { createRng } from '../../numerics/random.js';
import type { TrainingData } from './local-train.js';

/** A synthetic task's rows, with its width. */
export interface SyntheticTask extends TrainingData {
  readonly x: Float64Array;
  readonly labels: Int32Array;
  readonly inputs: number;
}

/**
 * Two interleaving half circles (as scikit-learn's make_moons): class 0 on (cos t, sin t),
 * class 1 on (1 − cos t, ½ − sin t), t uniform on [0, π], plus Gaussian noise of sd `noise`.
 * Classes alternate by row. @throws RangeError when rows < 1 or noise < 0.
 */
export function twoMoons(rows: number, noise: number, seed: number): SyntheticTask {
  if (!Number.isSafeInteger(rows) || rows < 1)
    throw new RangeError(`twoMoons rows is ${rows}, expected an integer ≥ 1`);
  if (!(noise >= 0)) throw new RangeError(`twoMoons noise is ${noise}, expected ≥ 0`);
  const rng = createRng(seed);
  const x = new Float64Array(rows * 2);
  const labels = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    const y = r % 2;
    const t = Math.PI * rng.uniform();
    x[2 * r] = (y === 0 ? Math.cos(t) : 1 - Math.cos(t)) + noise * rng.normal();
    x[2 * r + 1] = (y === 0 ? Math.sin(t) : 0.5 - Math.sin(t)) + noise * rng.normal();
    labels[r] = y;
  }
  return { x, labels, rows, inputs: 2 };
}

/**
 * Standard-normal features with labels from a seeded random linear rule over `classes` classes
 * (argmax of `classes` random projections). @throws RangeError on sizes < 1 or classes < 2.
 */
export function gaussianTask(
  rows: number,
  inputs: number,
  classes: number,
  seed: number,
): SyntheticTask {
  if (!Number.isSafeInteger(rows) || rows < 1 || !Number.isSafeInteger(inputs) || inputs < 1)
    throw new RangeError(`gaussianTask needs rows and inputs ≥ 1, got ${rows} and ${inputs}`);
  if (!Number.isSafeInteger(classes) || classes < 2)
    throw new RangeError(`gaussianTask classes is ${classes}, expected an integer ≥ 2`);
  const rng = createRng(seed);
  const w = Float64Array.from({ length: inputs * classes }, () => rng.normal());
  const x = Float64Array.from({ length: rows * inputs }, () => rng.normal());
  const labels = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    let bestScore = -Infinity;
    for (let k = 0; k < classes; k++) {
      let s = 0;
      for (let i = 0; i < inputs; i++)
        s += (x[r * inputs + i] as number) * (w[i * classes + k] as number);
      if (s > bestScore) {
        bestScore = s;
        best = k;
      }
    }
    labels[r] = best;
  }
  return { x, labels, rows, inputs };
}
