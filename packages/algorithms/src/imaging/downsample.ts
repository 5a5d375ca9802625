/**
 * Resamples a rows × columns image (row-major) to size × size by area averaging: each output
 * pixel is the mean of the source area it covers, partly covered source pixels weighted by the
 * covered fraction. Works for shrinking and enlarging alike (enlarging repeats values).
 *
 * @throws RangeError when a dimension is not a positive integer or `values` is too short.
 */
export function areaDownsample(
  values: ArrayLike<number>,
  rows: number,
  columns: number,
  size: number,
): Float32Array {
  for (const [name, n] of [
    ['rows', rows],
    ['columns', columns],
    ['size', size],
  ] as const) {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`${name} must be a positive integer`);
  }
  if (values.length < rows * columns) throw new RangeError('fewer values than rows × columns');
  const wr = weights(rows, size);
  const wc = weights(columns, size);
  // Columns first: rows × size, then rows: size × size.
  const half = new Float64Array(rows * size);
  for (let r = 0; r < rows; r++) {
    for (const [j, from, w] of wc) {
      half[r * size + j] = (half[r * size + j] ?? 0) + w * (values[r * columns + from] ?? 0);
    }
  }
  const out = new Float32Array(size * size);
  const acc = new Float64Array(size * size);
  for (const [i, from, w] of wr) {
    for (let j = 0; j < size; j++) {
      acc[i * size + j] = (acc[i * size + j] ?? 0) + w * (half[from * size + j] ?? 0);
    }
  }
  acc.forEach((v, k) => (out[k] = v));
  return out;
}

/**
 * The (output index, source index, weight) triples of area averaging n source cells onto m
 * output cells: output cell i covers [i·n/m, (i+1)·n/m) in source units; weights of one output
 * cell sum to 1.
 */
function weights(n: number, m: number): [number, number, number][] {
  const out: [number, number, number][] = [];
  const span = n / m;
  for (let i = 0; i < m; i++) {
    const lo = i * span;
    const hi = (i + 1) * span;
    for (let s = Math.floor(lo); s < Math.min(n, Math.ceil(hi)); s++) {
      const overlap = Math.min(hi, s + 1) - Math.max(lo, s);
      if (overlap > 0) out.push([i, s, overlap / span]);
    }
  }
  return out;
}

/**
 * Which of n instances (in instance order) is "the middle instance" of SeriesImages.thumbnail:
 * ⌊n / 2⌋, so every reader of a series picks the same one.
 */
export function middleInstance(n: number): number {
  return Math.floor(n / 2);
}
