import { describe, expect, it } from 'vitest';
import { firstStepResults, jobResult } from '../../test/support/fixtures.js';
import type { SiteResult } from '../framework.js';
import { createRng } from '../numerics/random.js';
import { getAlgorithm } from '../registry.js';
import { categoricalColumn, makeTable, numberColumn } from '../table-info.js';
import type { Table } from '../table.js';
import { correlation } from './index.js';
import type { CorrelationParams, CorrelationResult } from './schemas.js';
import { simulateJob } from '../simulate.js';

type Row = [number | null, number | null, number | null];

const siteTable = (rows: readonly Row[]): Table =>
  makeTable({
    x: numberColumn(rows.map((r) => r[0])),
    y: numberColumn(rows.map((r) => r[1])),
    z: numberColumn(rows.map((r) => r[2])),
  });

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);
const params: CorrelationParams = { variables: ['x', 'y', 'z'] };

describe('correlation', () => {
  it('is registered as a built-in', () => {
    expect(getAlgorithm('correlation')).toBe(correlation);
  });

  it('matches SciPy 1.17 pearsonr on a fixed data set within 1e-9', () => {
    // Reference: scipy.stats.pearsonr for (x, y), (x, z), (y, z).
    const x = [5.1, 4.9, 6.2, 5.8, 6.0, 5.5, 5.3, 6.4, 4.7, 5.9, 6.1, 5.6];
    const y = [4.2, 4.8, 5.0, 3.9, 4.4, 5.2, 4.6, 4.1, 4.9, 5.3, 4.0, 4.5];
    const z = [1.0, 2.1, 2.9, 4.2, 5.1, 5.8, 7.2, 8.1, 8.8, 10.2, 11.1, 11.9];
    const rows: Row[] = x.map((v, i) => [v, y[i] ?? null, z[i] ?? null]);
    rows.push([1, null, 2], [null, 3, 4]);
    const r = jobResult(correlation, params, [siteTable(rows)]) as CorrelationResult;
    expect(r.n).toBe(12);
    expect(r.variables).toEqual(['x', 'y', 'z']);
    const ref: [number, number, number, number][] = [
      [0, 1, -0.26272786501793993, 0.40937192165348135],
      [0, 2, 0.2403006474846734, 0.451863912780283],
      [1, 2, 0.028929815225187075, 0.9288849198056254],
    ];
    for (const [i, j, rho, p] of ref) {
      expect(rel(r.matrix[i]?.[j] ?? 0, rho)).toBeLessThan(1e-9);
      expect(r.matrix[j]?.[i]).toBe(r.matrix[i]?.[j]);
      expect(rel(r.pValues[i]?.[j] ?? 0, p)).toBeLessThan(1e-9);
    }
    expect(r.matrix[1]?.[1]).toBe(1);
    expect(r.pValues[1]?.[1]).toBe(0);
  });

  it('pools uneven sites to the concatenated computation within 1e-10', () => {
    const rng = createRng(23);
    const rows: Row[] = Array.from({ length: 3000 }, () => {
      const a = rng.normal();
      const b = 0.6 * a + 0.8 * rng.normal();
      return [rng.uniform() < 0.04 ? null : 1e4 + a, 50 + 3 * b, -2 + rng.normal() + 0.1 * a];
    });
    const cuts = [0, 200, 1900, 2100, 3000];
    const tables = cuts.slice(1).map((end, i) => siteTable(rows.slice(cuts[i], end)));
    const r = jobResult(correlation, params, tables) as CorrelationResult;
    // Independent reference: direct two-pass Pearson over the concatenated complete cases.
    const cc = rows
      .filter((row) => row.every((v) => v !== null))
      .map((row) => row.map((v) => v ?? 0));
    const mean = (k: number) => cc.reduce((s, row) => s + (row[k] ?? 0), 0) / cc.length;
    const m = [mean(0), mean(1), mean(2)];
    const cov = (i: number, j: number) =>
      cc.reduce((s, row) => s + ((row[i] ?? 0) - (m[i] ?? 0)) * ((row[j] ?? 0) - (m[j] ?? 0)), 0);
    expect(r.n).toBe(cc.length);
    for (const [i, j] of [
      [0, 1],
      [0, 2],
      [1, 2],
    ] as const) {
      const rho = cov(i, j) / Math.sqrt(cov(i, i) * cov(j, j));
      expect(Math.abs((r.matrix[i]?.[j] ?? 0) - rho)).toBeLessThan(1e-10);
    }
  });

  it('refuses MIN_COUNT with fewer complete cases than minCount, INVALID_PARAMS for a non-number', () => {
    const rows: Row[] = Array.from({ length: 30 }, (_, i) => [i, i < 21 ? null : i * i, 1 - i]);
    expect(firstStepResults(correlation, params, [siteTable(rows)])[0]).toEqual({
      trust: 'site-1',
      status: 'refused',
      code: 'MIN_COUNT',
      reason: 'fewer than 10 complete cases',
    });
    const t = makeTable({
      x: numberColumn(Array.from({ length: 20 }, (_, i) => i)),
      g: categoricalColumn(Array.from({ length: 20 }, () => 'a')),
    });
    const p: CorrelationParams = { variables: ['x', 'g'] };
    expect(firstStepResults(correlation, p, [t])[0]).toMatchObject({
      status: 'refused',
      code: 'INVALID_PARAMS',
    });
  });

  it('fails NO_SITES, INVALID_OUTPUT and DEGENERATE at the hub', () => {
    expect(correlation.aggregate(params, null, 'comoments', [])).toMatchObject({
      code: 'NO_SITES',
    });
    const bad: SiteResult[] = [
      {
        trust: 's',
        status: 'ok',
        output: {
          count: 20,
          means: [0, 0],
          comoments: [
            [1, 0],
            [0, 1],
          ],
        },
      },
    ];
    expect(correlation.aggregate(params, null, 'comoments', bad)).toMatchObject({
      code: 'INVALID_OUTPUT',
    });
    const rows: Row[] = Array.from({ length: 20 }, (_, i) => [i, 7, i * 2]);
    expect(simulateJob(correlation, params, [siteTable(rows)]).decision).toMatchObject({
      code: 'DEGENERATE',
      reason: 'y has zero variance',
    });
  });

  it('refuses params with one variable or duplicates', () => {
    expect(correlation.params.safeParse({ variables: ['x'] }).success).toBe(false);
    expect(correlation.params.safeParse({ variables: ['x', 'x'] }).success).toBe(false);
  });
});
