/*
 * Eigen-decomposition of small dense symmetric matrices (p ≤ a few dozen: covariance matrices of
 * PCA) by the cyclic Jacobi method with Rutishauser's threshold strategy (Golub & Van Loan,
 * "Matrix Computations", 4th ed., §8.5). Jacobi is slower than QR but simple, and it computes
 * small eigenvalues to high relative accuracy, which is what a covariance spectrum needs.
 */
import type { Matrix } from './linear-algebra.js';

/** Eigenvalues in decreasing order and the matching unit eigenvectors. */
export interface SymmetricEigen {
  readonly values: number[];
  /** `vectors[j]` is the eigenvector of `values[j]` (unit length). */
  readonly vectors: number[][];
}

/** Sweeps after which a matrix that has not become diagonal is reported as not converging. */
const MAX_SWEEPS = 100;

function offDiagonalNorm(a: Matrix): number {
  let s = 0;
  a.forEach((row, i) => {
    row.forEach((x, j) => {
      if (i !== j) s += x * x;
    });
  });
  return Math.sqrt(s);
}

/** Applies the rotation in the (p, q) plane that zeroes a[p][q], to `a` and to the columns of `v`. */
function rotate(a: Matrix, v: Matrix, p: number, q: number): void {
  const rp = a[p] as number[];
  const rq = a[q] as number[];
  const apq = rp[q] as number;
  const app = rp[p] as number;
  const aqq = rq[q] as number;
  // t = tan θ, the smaller root of t² + 2τt − 1 = 0, for stability (Golub & Van Loan Alg. 8.5.1).
  const tau = (aqq - app) / (2 * apq);
  const t = (tau >= 0 ? 1 : -1) / (Math.abs(tau) + Math.sqrt(1 + tau * tau));
  const c = 1 / Math.sqrt(1 + t * t);
  const s = t * c;
  const n = a.length;
  for (let k = 0; k < n; k++) {
    const rk = a[k] as number[];
    const akp = rk[p] as number;
    const akq = rk[q] as number;
    rk[p] = c * akp - s * akq;
    rk[q] = s * akp + c * akq;
  }
  for (let k = 0; k < n; k++) {
    const apk = rp[k] as number;
    const aqk = rq[k] as number;
    rp[k] = c * apk - s * aqk;
    rq[k] = s * apk + c * aqk;
  }
  // Exact zeros where the rotation was aimed, so rounding does not leave residue there.
  rp[q] = 0;
  rq[p] = 0;
  for (const row of v) {
    const vkp = row[p] as number;
    const vkq = row[q] as number;
    row[p] = c * vkp - s * vkq;
    row[q] = s * vkp + c * vkq;
  }
}

/**
 * Eigenvalues and eigenvectors of a real symmetric matrix, eigenvalues in decreasing order. Only
 * the symmetry of the input is assumed (the upper triangle is mirrored from the lower). Signs of
 * the eigenvectors are whatever the rotations left; callers fix a sign convention.
 *
 * @throws RangeError when `a` is not square or holds a non-finite entry.
 * @throws Error when the off-diagonal part has not vanished after 100 sweeps (not seen in practice:
 *   Jacobi converges quadratically).
 */
export function symmetricEigen(a: Matrix): SymmetricEigen {
  const n = a.length;
  const m: Matrix = a.map((row, i) => {
    if (row.length !== n) throw new RangeError('matrix is not square');
    return row.map((_, j) => {
      const x = (j <= i ? row[j] : a[j]?.[i]) ?? Number.NaN;
      if (!Number.isFinite(x)) {
        throw new RangeError(`entry (${Math.max(i, j)}, ${Math.min(i, j)}) is not finite`);
      }
      return x;
    });
  });
  const v: Matrix = Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)),
  );
  const scale = Math.sqrt(m.reduce((s, row) => s + row.reduce((t, x) => t + x * x, 0), 0));
  let sweeps = 0;
  while (offDiagonalNorm(m) > Number.EPSILON * scale) {
    if (sweeps++ >= MAX_SWEEPS) throw new Error('Jacobi eigen solver did not converge');
    // Rutishauser: in the first sweeps, skip rotations whose entry is already small.
    const threshold = sweeps < 4 ? (0.2 * offDiagonalNorm(m)) / (n * n) : 0;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p]?.[q] ?? 0;
        if (apq !== 0 && Math.abs(apq) > threshold) rotate(m, v, p, q);
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (i, j) => (m[j]?.[j] ?? 0) - (m[i]?.[i] ?? 0) || i - j,
  );
  return {
    values: order.map((i) => m[i]?.[i] ?? 0),
    vectors: order.map((j) => v.map((row) => row[j] ?? 0)),
  };
}
