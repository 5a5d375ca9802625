import { describe, expect, it } from 'vitest';
import { symmetricEigen } from './eigen.js';
import { createRng } from './random.js';

const close = (a: number, b: number, tol: number): boolean => Math.abs(a - b) <= tol;

/** max |A·v − λ·v| over all eigenpairs, and max |VᵀV − I|. */
function residuals(a: number[][], values: number[], vectors: number[][]): [number, number] {
  let eig = 0;
  let orth = 0;
  vectors.forEach((v, k) => {
    a.forEach((row, i) => {
      const av = row.reduce((s, x, j) => s + x * (v[j] ?? 0), 0);
      eig = Math.max(eig, Math.abs(av - (values[k] ?? 0) * (v[i] ?? 0)));
    });
    vectors.forEach((w, l) => {
      const d = v.reduce((s, x, i) => s + x * (w[i] ?? 0), 0);
      orth = Math.max(orth, Math.abs(d - (k === l ? 1 : 0)));
    });
  });
  return [eig, orth];
}

describe('symmetricEigen', () => {
  it('sorts the eigenvalues of a diagonal matrix in decreasing order with unit vectors', () => {
    const { values, vectors } = symmetricEigen([
      [1, 0, 0],
      [0, 3, 0],
      [0, 0, 2],
    ]);
    expect(values).toEqual([3, 2, 1]);
    expect(vectors).toEqual([
      [0, 1, 0],
      [0, 0, 1],
      [1, 0, 0],
    ]);
  });

  it('finds 2 − √2, 2, 2 + √2 for the second-difference matrix, vectors sin(jkπ/4)', () => {
    const a = [
      [2, -1, 0],
      [-1, 2, -1],
      [0, -1, 2],
    ];
    const { values, vectors } = symmetricEigen(a);
    const expected = [2 + Math.SQRT2, 2, 2 - Math.SQRT2];
    values.forEach((v, i) => {
      expect(close(v, expected[i] ?? 0, 1e-14)).toBe(true);
    });
    // Eigenvector k of the n = 3 second-difference matrix is sin(j k π / 4), j = 1..3, normalised.
    [3, 2, 1].forEach((k, idx) => {
      const u = [1, 2, 3].map((j) => Math.sin((j * k * Math.PI) / 4));
      const norm = Math.hypot(...u);
      const v = vectors[idx] ?? [];
      const sign = Math.sign(v.reduce((s, x, i) => s + x * (u[i] ?? 0), 0));
      u.forEach((x, i) => {
        expect(close(sign * (v[i] ?? 0), x / norm, 1e-14)).toBe(true);
      });
    });
  });

  it('gives 1 + ρ and 1 − ρ for a 2 × 2 correlation matrix', () => {
    const { values, vectors } = symmetricEigen([
      [1, 0.6],
      [0.6, 1],
    ]);
    expect(close(values[0] ?? 0, 1.6, 1e-15)).toBe(true);
    expect(close(values[1] ?? 0, 0.4, 1e-15)).toBe(true);
    expect(close(Math.abs(vectors[0]?.[0] ?? 0), Math.SQRT1_2, 1e-15)).toBe(true);
    expect((vectors[0]?.[0] ?? 0) * (vectors[0]?.[1] ?? 0)).toBeGreaterThan(0);
  });

  it('matches the known eigenvalues of the 4 × 4 Hilbert matrix', () => {
    const h = Array.from({ length: 4 }, (_, i) =>
      Array.from({ length: 4 }, (_, j) => 1 / (i + j + 1)),
    );
    // Reference: numpy.linalg.eigvalsh(scipy.linalg.hilbert(4)).
    const expected = [
      1.5002142800592426, 0.16914122022144965, 0.006738273605760578, 9.670230402259251e-5,
    ];
    const { values, vectors } = symmetricEigen(h);
    values.forEach((v, i) => {
      const e = expected[i] ?? 0;
      expect(Math.abs(v - e) / e).toBeLessThan(1e-12);
    });
    const [eig, orth] = residuals(h, values, vectors);
    expect(eig).toBeLessThan(1e-15);
    expect(orth).toBeLessThan(1e-14);
  });

  it('reconstructs random symmetric matrices with repeated and negative eigenvalues', () => {
    const rng = createRng(5);
    for (const n of [1, 2, 5, 12]) {
      const a = Array.from({ length: n }, () => new Array<number>(n).fill(0));
      for (let i = 0; i < n; i++) {
        for (let j = 0; j <= i; j++) {
          const x = rng.normal();
          (a[i] as number[])[j] = x;
          (a[j] as number[])[i] = x;
        }
      }
      const { values, vectors } = symmetricEigen(a);
      for (let i = 1; i < n; i++) expect(values[i]).toBeLessThanOrEqual(values[i - 1] ?? 0);
      const [eig, orth] = residuals(a, values, vectors);
      expect(eig).toBeLessThan(1e-12);
      expect(orth).toBeLessThan(1e-13);
    }
    // The identity: one eigenvalue of multiplicity 3.
    expect(
      symmetricEigen([
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
      ]).values,
    ).toEqual([1, 1, 1]);
  });

  it('refuses a non-square matrix and a non-finite entry', () => {
    expect(() => symmetricEigen([[1, 2]])).toThrow(RangeError);
    expect(() =>
      symmetricEigen([
        [1, Number.NaN],
        [Number.NaN, 1],
      ]),
    ).toThrow('entry (1, 0) is not finite');
  });
});
