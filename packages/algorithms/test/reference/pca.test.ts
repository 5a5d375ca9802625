import { describe, expect, it } from 'vitest';
import { pca } from '../../src/pca/index.js';
import type { PcaResult } from '../../src/pca/schemas.js';
import type { Table } from '../../src/table.js';
import {
  expectClose,
  jobResult,
  loadFixtureTable,
  readReference,
  splitRandomly,
} from '../support/fixtures.js';

interface RFit {
  sdev: number[];
  rotation: Record<string, number[]>;
  center: number[];
  scale: number[] | null;
  cumulative: number[];
}
interface Reference {
  n: number;
  variables: string[];
  scaled: RFit;
  unscaled: RFit;
}

const reference = readReference<Reference>('pca');
const table = loadFixtureTable('pca');

function run(tables: Table[], standardize: boolean): PcaResult {
  return jobResult(pca, { variables: reference.variables, standardize }, tables) as PcaResult;
}

/** Compares with R's prcomp: sdev, loadings up to each component's sign, center, scale. */
function expectPrcomp(r: PcaResult, ref: RFit, what: string): void {
  expect(r.n).toBe(reference.n);
  ref.sdev.forEach((s, k) => {
    expectClose(r.standardDeviations[k], s, `${what} sdev PC${k + 1}`);
    expectClose(r.eigenvalues[k], s * s, `${what} eigenvalue PC${k + 1}`);
    expectClose(r.cumulativeProportion[k], ref.cumulative[k] ?? 0, `${what} cumulative PC${k + 1}`);
  });
  for (const [pc, column] of Object.entries(ref.rotation)) {
    const ours = reference.variables.map((v) => r.loadings[pc]?.[v] ?? Number.NaN);
    // Eigenvectors are unique up to sign: align R's to ours by their inner product.
    const sign = Math.sign(ours.reduce((s, x, i) => s + x * (column[i] ?? 0), 0));
    column.forEach((x, i) => {
      expectClose(ours[i], sign * x, `${what} loading ${pc} ${reference.variables[i] ?? ''}`, {
        rtol: 1e-6,
        atol: 1e-12,
      });
    });
  }
  reference.variables.forEach((v, i) => {
    expectClose(r.center[v], ref.center[i] ?? 0, `${what} center ${v}`);
    if (ref.scale === null) expect(r.scale).toBeNull();
    else expectClose(r.scale?.[v], ref.scale[i] ?? 0, `${what} scale ${v}`);
  });
}

describe('pca against R prcomp (fixture pca, rtol 1e-6)', () => {
  it('matches prcomp(x, scale. = TRUE) on one site', () => {
    expectPrcomp(run([table], true), reference.scaled, 'scaled');
  });

  it('matches prcomp(x, scale. = FALSE) on one site', () => {
    expectPrcomp(run([table], false), reference.unscaled, 'unscaled');
  });

  it('gives the same answer, signs included, when the rows are split over 3 and 5 sites', () => {
    const whole = run([table], true);
    for (const [sites, seed] of [
      [3, 11],
      [5, 12],
      [5, 13],
    ] as const) {
      const r = run(splitRandomly(table, sites, seed, 30), true);
      expect(r.sites).toBe(sites);
      expectPrcomp(r, reference.scaled, `${sites} sites`);
      for (const [pc, col] of Object.entries(whole.loadings)) {
        for (const [v, x] of Object.entries(col)) {
          expectClose(r.loadings[pc]?.[v], x, `${sites} sites ${pc} ${v}`, { atol: 1e-12 });
        }
      }
    }
  });
});
