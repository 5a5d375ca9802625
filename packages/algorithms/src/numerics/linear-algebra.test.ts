import { describe, expect, it } from 'vitest';
import {
  SingularMatrixError,
  cholesky,
  dot,
  invertSpd,
  matVec,
  solveSpd,
  type Matrix,
} from './linear-algebra.js';
import { createRng } from './random.js';

const matMul = (a: Matrix, b: Matrix): Matrix =>
  a.map((row) =>
    (b[0] ?? []).map((_, j) =>
      dot(
        row,
        b.map((r) => r[j] ?? Number.NaN),
      ),
    ),
  );
const transpose = (a: Matrix): Matrix => (a[0] ?? []).map((_, j) => a.map((r) => r[j] ?? 0));

describe('linear-algebra', () => {
  it('factors a textbook matrix exactly', () => {
    // Classic example (e.g. Wikipedia "Cholesky decomposition"): L = [[2,0,0],[6,1,0],[-8,5,3]].
    const a = [
      [4, 12, -16],
      [12, 37, -43],
      [-16, -43, 98],
    ];
    expect(cholesky(a)).toEqual([
      [2, 0, 0],
      [6, 1, 0],
      [-8, 5, 3],
    ]);
  });

  it('solves and inverts a random SPD matrix to 1e-10', () => {
    const rng = createRng(7);
    const x: Matrix = Array.from({ length: 40 }, () =>
      Array.from({ length: 6 }, () => rng.normal()),
    );
    const a = matMul(transpose(x), x);
    const truth = [1, -2, 3, 0.5, -0.25, 10];
    const b = matVec(a, truth);
    solveSpd(a, b).forEach((v, i) => {
      expect(v).toBeCloseTo(truth[i] ?? 0, 10);
    });
    const inv = invertSpd(a);
    const id = matMul(a, inv);
    id.forEach((row, i) => {
      row.forEach((v, j) => {
        expect(v).toBeCloseTo(i === j ? 1 : 0, 10);
      });
    });
    inv.forEach((row, i) => {
      row.forEach((v, j) => {
        expect(v).toBe(inv[j]?.[i]);
      });
    });
  });

  it('refuses singular and rank-deficient matrices with a clear error', () => {
    // Third column = first + second: rank 2.
    const x = [
      [1, 2, 3],
      [1, 0, 1],
      [2, 1, 3],
      [0, 1, 1],
    ];
    const a = matMul(transpose(x), x);
    expect(() => solveSpd(a, [1, 2, 3])).toThrow(SingularMatrixError);
    expect(() => invertSpd(a)).toThrow(/column 2 depends on earlier columns/);
    expect(() => cholesky([[0]])).toThrow(SingularMatrixError);
    expect(() => cholesky([[1, 0]])).toThrow(RangeError);
  });
});
