/*
 * Small dense linear algebra for the regression algorithms: matrices are row-major arrays of rows
 * (p ≤ a few hundred), so clarity wins over blocking. Symmetric positive-definite systems are
 * solved through a Cholesky factor, which also detects a singular or rank-deficient X'X.
 */

/** A dense matrix as an array of rows. */
export type Matrix = number[][];

/** Thrown when a matrix that must be symmetric positive definite is not (singular design). */
export class SingularMatrixError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SingularMatrixError';
  }
}

/**
 * Relative pivot tolerance: a pivot below this fraction of its diagonal entry means the column is
 * (numerically) a linear combination of the earlier ones.
 */
const PIVOT_TOLERANCE = 1e-10;

/**
 * The lower-triangular Cholesky factor L with A = L·Lᵀ of a symmetric positive-definite matrix.
 * Only the lower triangle of `a` is read.
 *
 * @throws SingularMatrixError naming the first dependent column (0-based) when A is not positive
 *   definite (a pivot ≤ 1e-10 of its diagonal entry, or not finite).
 * @throws RangeError when `a` is not square.
 */
export function cholesky(a: Matrix): Matrix {
  const p = a.length;
  const l: Matrix = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  for (let j = 0; j < p; j++) {
    const row = a[j];
    if (row?.length !== p) throw new RangeError('matrix is not square');
    const lj = l[j] as number[];
    let d = row[j] as number;
    for (let k = 0; k < j; k++) d -= (lj[k] as number) ** 2;
    const scale = Math.abs(row[j] as number);
    if (!Number.isFinite(d) || d <= PIVOT_TOLERANCE * scale || scale === 0) {
      throw new SingularMatrixError(`matrix is singular: column ${j} depends on earlier columns`);
    }
    const djj = Math.sqrt(d);
    lj[j] = djj;
    for (let i = j + 1; i < p; i++) {
      const li = l[i] as number[];
      let s = a[i]?.[j] ?? Number.NaN;
      for (let k = 0; k < j; k++) s -= (li[k] as number) * (lj[k] as number);
      li[j] = s / djj;
    }
  }
  return l;
}

/** Solves L·Lᵀ·x = b given the Cholesky factor L. */
export function choleskySolve(l: Matrix, b: readonly number[]): number[] {
  const p = l.length;
  const y = new Array<number>(p).fill(0);
  for (let i = 0; i < p; i++) {
    const li = l[i] as number[];
    let s = b[i] ?? Number.NaN;
    for (let k = 0; k < i; k++) s -= (li[k] as number) * (y[k] as number);
    y[i] = s / (li[i] as number);
  }
  const x = new Array<number>(p).fill(0);
  for (let i = p - 1; i >= 0; i--) {
    let s = y[i] as number;
    for (let k = i + 1; k < p; k++) s -= (l[k]?.[i] as number) * (x[k] as number);
    x[i] = s / (l[i]?.[i] as number);
  }
  return x;
}

/**
 * Solves A·x = b for symmetric positive-definite A.
 * @throws SingularMatrixError when A is singular (see {@link cholesky}).
 */
export function solveSpd(a: Matrix, b: readonly number[]): number[] {
  return choleskySolve(cholesky(a), b);
}

/**
 * The inverse of a symmetric positive-definite matrix, column by column from its Cholesky factor.
 * @throws SingularMatrixError when A is singular (see {@link cholesky}).
 */
export function invertSpd(a: Matrix): Matrix {
  const l = cholesky(a);
  const p = a.length;
  const cols = Array.from({ length: p }, (_, j) =>
    choleskySolve(
      l,
      Array.from({ length: p }, (_, i) => (i === j ? 1 : 0)),
    ),
  );
  // Symmetric, so the columns are the rows; average the two triangles to make it exactly so.
  return cols.map((c, i) => c.map((v, j) => (v + (cols[j]?.[i] as number)) / 2));
}

/** The product A·x. */
export function matVec(a: Matrix, x: readonly number[]): number[] {
  return a.map((row) => dot(row, x));
}

/** The inner product of two vectors of equal length. */
export function dot(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] ?? Number.NaN);
  return s;
}
