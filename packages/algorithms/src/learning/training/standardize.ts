/*
 * Feature standardisation z = (x − mean) / sd with means and SDs given from outside: in a
 * federated job they are pooled statistics (issue 6 "feature standardisation from federated
 * statistics"), so every site scales its features identically and the exported model carries
 * them as its preprocessing.
 */
import type { FloatArray } from '../models/dense.js';

/**
 * Standardises a row-major rows × features matrix (features = means.length) into a new
 * Float64Array. A feature with sd 0 (constant in the pooled data) is only centred.
 * @throws RangeError when lengths disagree, a mean or sd is not finite, an sd is negative, or
 *   a value is not finite (naming its row and feature).
 */
export function standardize(
  x: FloatArray,
  rows: number,
  means: ArrayLike<number>,
  sds: ArrayLike<number>,
): Float64Array {
  const features = means.length;
  if (sds.length !== features)
    throw new RangeError(`standardize got ${features} means and ${sds.length} SDs`);
  if (x.length !== rows * features)
    throw new RangeError(`standardize got ${x.length} values, expected ${rows} rows × ${features}`);
  const scale = new Float64Array(features);
  for (let j = 0; j < features; j++) {
    const m = means[j] as number;
    const s = sds[j] as number;
    if (!Number.isFinite(m) || !Number.isFinite(s) || s < 0)
      throw new RangeError(`feature ${j} has mean ${m} and sd ${s}, expected finite with sd ≥ 0`);
    scale[j] = s === 0 ? 1 : 1 / s;
  }
  const out = new Float64Array(x.length);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < features; j++) {
      const k = r * features + j;
      const v = x[k] as number;
      if (!Number.isFinite(v))
        throw new RangeError(`value at row ${r}, feature ${j} is ${v}, expected a finite number`);
      out[k] = (v - (means[j] as number)) * (scale[j] as number);
    }
  }
  return out;
}
