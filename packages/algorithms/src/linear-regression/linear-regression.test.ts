import { describe, expect, it } from 'vitest';
import { jobResult } from '../../test/support/fixtures.js';
import { createRng } from '../numerics/random.js';
import { getAlgorithm } from '../registry.js';
import { runLocalStep } from '../run-local-step.js';
import { categoricalColumn, makeTable, numberColumn } from '../table-info.js';
import type { Table } from '../table.js';
import { linearRegression } from './index.js';
import { linearRegressionParamsSchema, type LinearRegressionResult } from './schemas.js';
import { seededRandomBytes, simulateJob } from '../simulate.js';

interface Row {
  y: number | null;
  age: number | null;
  bmi: number;
  sex: string | null;
  region: string;
}

function makeRows(n: number, seed: number): Row[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => {
    const age = 60 + 12 * rng.normal();
    const bmi = 27 + 4 * rng.normal();
    const sex = rng.uniform() < 0.5 ? 'F' : 'M';
    const region = ['north', 'south', 'west'][rng.int(3)] ?? 'north';
    const y = 100 + 0.5 * age - 0.8 * bmi + (sex === 'M' ? 4 : 0) + (region === 'west' ? -3 : 0);
    return {
      y: rng.uniform() < 0.03 ? null : y + 10 * rng.normal(),
      age: rng.uniform() < 0.03 ? null : age,
      bmi,
      sex: rng.uniform() < 0.02 ? null : sex,
      region,
    };
  });
}

function siteTable(rows: readonly Row[]): Table {
  return makeTable({
    y: numberColumn(rows.map((r) => r.y)),
    age: numberColumn(rows.map((r) => r.age)),
    bmi: numberColumn(rows.map((r) => r.bmi)),
    sex: categoricalColumn(rows.map((r) => r.sex)),
    region: categoricalColumn(rows.map((r) => r.region)),
  });
}

/** Splits rows into `k` uneven contiguous sites after a seeded shuffle. */
function split(rows: readonly Row[], k: number, seed: number): Row[][] {
  const rng = createRng(seed);
  const shuffled = [...rows];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [shuffled[i], shuffled[j]] = [shuffled[j] as Row, shuffled[i] as Row];
  }
  const weights = Array.from({ length: k }, () => 0.3 + rng.uniform());
  const total = weights.reduce((a, b) => a + b, 0);
  const sites: Row[][] = [];
  let start = 0;
  weights.forEach((w, i) => {
    const end = i === k - 1 ? shuffled.length : start + Math.round((w / total) * shuffled.length);
    sites.push(shuffled.slice(start, end));
    start = end;
  });
  return sites;
}

/**
 * Independent reference: least squares over the pooled complete cases by modified Gram–Schmidt QR
 * (X = QR, β = R⁻¹Qᵀy, SE_j = σ·‖row j of R⁻¹‖, RSS from the residuals themselves), never forming
 * X'X, so it shares no code or algebra with the federated path.
 */
function reference(x: number[][], y: number[]) {
  const n = x.length;
  const p = x[0]?.length ?? 0;
  const q = Array.from({ length: p }, (_, j) => x.map((r) => r[j] ?? NaN));
  const r = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  for (let j = 0; j < p; j++) {
    const qj = q[j] as number[];
    for (let k = 0; k < j; k++) {
      const qk = q[k] as number[];
      const proj = qk.reduce((s, v, i) => s + v * (qj[i] ?? NaN), 0);
      (r[k] as number[])[j] = proj;
      qk.forEach((v, i) => (qj[i] = (qj[i] ?? NaN) - proj * v));
    }
    const norm = Math.sqrt(qj.reduce((s, v) => s + v * v, 0));
    (r[j] as number[])[j] = norm;
    qj.forEach((v, i) => (qj[i] = v / norm));
  }
  const qty = q.map((qj) => qj.reduce((s, v, i) => s + v * (y[i] ?? NaN), 0));
  const rInv = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  for (let c = 0; c < p; c++) {
    for (let i = p - 1; i >= 0; i--) {
      let s = i === c ? 1 : 0;
      for (let k = i + 1; k < p; k++) s -= (r[i]?.[k] ?? NaN) * (rInv[k]?.[c] ?? NaN);
      (rInv[i] as number[])[c] = s / (r[i]?.[i] ?? NaN);
    }
  }
  const beta = rInv.map((row) => row.reduce((s, v, k) => s + v * (qty[k] ?? NaN), 0));
  const resid = x.map(
    (row, i) => (y[i] ?? NaN) - row.reduce((s, v, k) => s + v * (beta[k] ?? NaN), 0),
  );
  const rss = resid.reduce((s, e) => s + e * e, 0);
  const sigma = Math.sqrt(rss / (n - p));
  const se = rInv.map((row) => sigma * Math.sqrt(row.reduce((s, v) => s + v * v, 0)));
  const mean = y.reduce((s, v) => s + v, 0) / n;
  const tss = y.reduce((s, v) => s + (v - mean) ** 2, 0);
  return { beta, se, rSquared: 1 - rss / tss, sigma, df: n - p };
}

/** The pooled design with the algorithm's coding: intercept, age, bmi, sex:M, region:{south,west}. */
function pooledDesign(rows: readonly Row[]) {
  const cc = rows.filter((r) => r.y !== null && r.age !== null && r.sex !== null);
  const x = cc.map((r) => [
    1,
    r.age ?? NaN,
    r.bmi,
    r.sex === 'M' ? 1 : 0,
    r.region === 'south' ? 1 : 0,
    r.region === 'west' ? 1 : 0,
  ]);
  return { x, y: cc.map((r) => r.y ?? NaN) };
}

const NAMES = ['(Intercept)', 'age', 'bmi', 'sex:M', 'region:south', 'region:west'];
const PARAMS = { outcome: 'y', covariates: ['age', 'bmi', 'sex', 'region'] };
/** Normal equations vs QR on well-conditioned data (cond(X'X) ≈ 1e5) agree to ~1e-12. */
const RTOL = 1e-9;
const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

describe('linear-regression', () => {
  it('is registered as a built-in', () => {
    expect(getAlgorithm('linear-regression')).toBe(linearRegression);
  });

  it('equals a QR fit over the pooled rows for 1, 3 and 5 uneven sites', () => {
    const rows = makeRows(2000, 11);
    const { x, y } = pooledDesign(rows);
    const ref = reference(x, y);
    for (const [k, seed] of [
      [1, 1],
      [3, 2],
      [5, 3],
    ] as const) {
      // n equal to the pooled count also shows that no site refused (every cell ≥ minCount).
      const tables = split(rows, k, seed).map(siteTable);
      const res = jobResult(linearRegression, PARAMS, tables) as LinearRegressionResult;
      expect(res.n).toBe(y.length);
      expect(res.df).toBe(ref.df);
      expect(Object.keys(res.coefficients)).toEqual(NAMES);
      NAMES.forEach((name, j) => {
        const c = res.coefficients[name];
        expect(rel(c?.estimate ?? NaN, ref.beta[j] ?? NaN)).toBeLessThan(RTOL);
        expect(rel(c?.standardError ?? NaN, ref.se[j] ?? NaN)).toBeLessThan(RTOL);
        expect(c?.statistic).toBeCloseTo((c?.estimate ?? NaN) / (c?.standardError ?? NaN), 12);
      });
      expect(rel(res.rSquared, ref.rSquared)).toBeLessThan(RTOL);
      expect(rel(res.residualStandardError, ref.sigma)).toBeLessThan(RTOL);
      const adj = 1 - ((1 - ref.rSquared) * (ref.df + 5)) / ref.df;
      expect(rel(res.adjustedRSquared, adj)).toBeLessThan(RTOL);
    }
  });

  it('fits without an intercept (uncentred R², as R) against the QR reference', () => {
    const rows = makeRows(400, 5);
    const noIntercept = { outcome: 'y', covariates: ['age', 'bmi'], intercept: false };
    const tables = split(rows, 3, 9).map(siteTable);
    const res = jobResult(linearRegression, noIntercept, tables) as LinearRegressionResult;
    const cc = rows.filter((r) => r.y !== null && r.age !== null);
    const y = cc.map((r) => r.y ?? NaN);
    const ref = reference(
      cc.map((r) => [r.age ?? NaN, r.bmi]),
      y,
    );
    expect(Object.keys(res.coefficients)).toEqual(['age', 'bmi']);
    expect(rel(res.coefficients.age?.estimate ?? NaN, ref.beta[0] ?? NaN)).toBeLessThan(RTOL);
    expect(rel(res.coefficients.bmi?.standardError ?? NaN, ref.se[1] ?? NaN)).toBeLessThan(RTOL);
    const rss = ref.sigma ** 2 * ref.df;
    const yty = y.reduce((s, v) => s + v * v, 0);
    expect(rel(res.rSquared, 1 - rss / yty)).toBeLessThan(RTOL);
  });

  it("matches R's published summary(lm(dist ~ speed, data = cars))", () => {
    // R datasets::cars (Ezekiel 1930). R's summary prints: (Intercept) -17.5791 (SE 6.7584,
    // t -2.601, p 0.0123), speed 3.9324 (SE 0.4155, t 9.464, p 1.49e-12); residual standard
    // error 15.38 on 48 df; R² 0.6511, adjusted 0.6438; confint: speed 3.096964 .. 4.767853.
    const speed = [
      4, 4, 7, 7, 8, 9, 10, 10, 10, 11, 11, 12, 12, 12, 12, 13, 13, 13, 13, 14, 14, 14, 14, 15, 15,
      15, 16, 16, 17, 17, 17, 18, 18, 18, 18, 19, 19, 19, 20, 20, 20, 20, 20, 22, 23, 24, 24, 24,
      24, 25,
    ];
    const dist = [
      2, 10, 4, 22, 16, 10, 18, 26, 34, 17, 28, 14, 20, 24, 28, 26, 34, 34, 46, 26, 36, 60, 80, 20,
      26, 54, 32, 40, 32, 40, 50, 42, 56, 76, 84, 36, 46, 68, 32, 48, 52, 56, 64, 66, 54, 70, 92,
      93, 120, 85,
    ];
    const table = (lo: number, hi: number): Table =>
      makeTable({
        dist: numberColumn(dist.slice(lo, hi)),
        speed: numberColumn(speed.slice(lo, hi)),
      });
    const cars = { outcome: 'dist', covariates: ['speed'] };
    const res = jobResult(linearRegression, cars, [
      table(0, 20),
      table(20, 50),
    ]) as LinearRegressionResult;
    const b0 = res.coefficients['(Intercept)'];
    const b1 = res.coefficients.speed;
    // Tolerances are half a unit in the last printed digit.
    expect(b0?.estimate).toBeCloseTo(-17.5791, 4);
    expect(b0?.standardError).toBeCloseTo(6.7584, 4);
    expect(b0?.statistic).toBeCloseTo(-2.601, 3);
    expect(b0?.pValue).toBeCloseTo(0.0123, 4);
    expect(b1?.estimate).toBeCloseTo(3.9324, 4);
    expect(b1?.standardError).toBeCloseTo(0.4155, 4);
    expect(b1?.statistic).toBeCloseTo(9.464, 3);
    expect(Math.abs((b1?.pValue ?? NaN) - 1.49e-12)).toBeLessThan(0.005e-12);
    expect(b1?.ci[0]).toBeCloseTo(3.096964, 6);
    expect(b1?.ci[1]).toBeCloseTo(4.767853, 6);
    expect(res.residualStandardError).toBeCloseTo(15.38, 2);
    expect(res.df).toBe(48);
    expect(res.rSquared).toBeCloseTo(0.6511, 4);
    expect(res.adjustedRSquared).toBeCloseTo(0.6438, 4);
  });

  it('refuses MIN_COUNT when complete cases are fewer than minCount', () => {
    const rows = makeRows(60, 3).map((r, i) => (i < 52 ? { ...r, y: null } : r));
    const d = simulateJob(linearRegression, PARAMS, [siteTable(rows)]).decision;
    expect(d).toMatchObject({ kind: 'failed', code: 'NO_SITES' });
    expect(d.kind === 'failed' && d.reason).toMatch(/site-1: MIN_COUNT \(fewer than 10 complete/);
  });

  it('refuses PARAMETER_LIMIT when parameters exceed 0.33 × complete cases', () => {
    // 24 rows, 7 covariates + intercept = 8 parameters > 0.33 × 24 = 7.92.
    const rng = createRng(4);
    const cols: Record<string, ReturnType<typeof numberColumn>> = {};
    const covariates = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    for (const c of [...covariates, 'y']) {
      cols[c] = numberColumn(Array.from({ length: 24 }, () => rng.normal()));
    }
    const params = linearRegressionParamsSchema.parse({ outcome: 'y', covariates });
    const ctx = {
      table: makeTable(cols),
      params,
      input: {
        columns: covariates.map((c) => ({ name: c, variable: c, level: null })),
        levels: {},
      },
      round: 1,
      policy: { minCount: 10, allowMinMax: false },
      randomBytes: seededRandomBytes(1),
    };
    expect(runLocalStep(linearRegression, 'moments', ctx)).toMatchObject({
      status: 'refused',
      code: 'PARAMETER_LIMIT',
    });
    // One covariate fewer: 7 ≤ 7.92 is released.
    const fewer = linearRegressionParamsSchema.parse({
      outcome: 'y',
      covariates: covariates.slice(1),
    });
    const ok = runLocalStep(linearRegression, 'moments', {
      ...ctx,
      params: fewer,
      input: { ...ctx.input, columns: ctx.input.columns.slice(1) },
    });
    expect(ok.status).toBe('ok');
    expect(Object.keys(ok.status === 'ok' ? (ok.output as object) : {}).sort()).toEqual([
      'n',
      'sumY',
      'xtx',
      'xty',
      'yty',
    ]);
  });

  it('refuses MIN_COUNT for a small level or a small cell of two categories', () => {
    const rows = makeRows(200, 8).map((r, i) => (i < 4 ? { ...r, region: 'east' } : r));
    const d = simulateJob(linearRegression, PARAMS, [siteTable(rows)]).decision;
    expect(d.kind === 'failed' && d.reason).toMatch(/MIN_COUNT \(a level of region/);
    // Every level is large, but only 3 complete cases are both M and west.
    const cell = makeRows(300, 9).map((r) =>
      r.sex === 'M' && r.region === 'west' ? { ...r, region: 'north' } : r,
    );
    (cell[0] as Row).sex = 'M';
    (cell[0] as Row).region = 'west';
    for (const i of [1, 2])
      Object.assign(cell[i] as Row, { sex: 'M', region: 'west', y: 1, age: 1 });
    (cell[0] as Row).y = 1;
    (cell[0] as Row).age = 1;
    const d2 = simulateJob(linearRegression, PARAMS, [siteTable(cell)]).decision;
    expect(d2.kind === 'failed' && d2.reason).toMatch(/MIN_COUNT \(a category or pair/);
  });

  it('fails SINGULAR_DESIGN for collinear covariates instead of returning numbers', () => {
    const rows = makeRows(100, 12);
    const t = siteTable(rows);
    const age = t.columns.age;
    if (age?.kind !== 'number') throw new Error('age is a number');
    const table = makeTable({
      ...t.columns,
      age2: numberColumn(Array.from(age.values, (v) => 2 * v)),
    });
    const d = simulateJob(linearRegression, { outcome: 'y', covariates: ['age', 'age2'] }, [
      table,
    ]).decision;
    expect(d).toMatchObject({ kind: 'failed', code: 'SINGULAR_DESIGN' });
  });

  it('fails VARIABLE_KIND_MISMATCH when sites disagree on a covariate kind', () => {
    const a = siteTable(makeRows(80, 1));
    const b = siteTable(makeRows(80, 2));
    const bAsNumber = makeTable({ ...b.columns, sex: numberColumn(new Array(80).fill(1)) });
    const d = simulateJob(linearRegression, PARAMS, [a, bAsNumber]).decision;
    expect(d).toMatchObject({ kind: 'failed', code: 'VARIABLE_KIND_MISMATCH' });
  });

  it('has strict params: defaults intercept, rejects unknown keys, >50 covariates, outcome as covariate', () => {
    expect(linearRegressionParamsSchema.parse(PARAMS).intercept).toBe(true);
    expect(linearRegressionParamsSchema.safeParse({ ...PARAMS, extra: 1 }).success).toBe(false);
    const many = Array.from({ length: 51 }, (_, i) => `v${i}`);
    expect(linearRegressionParamsSchema.safeParse({ outcome: 'y', covariates: many }).success).toBe(
      false,
    );
    expect(
      linearRegressionParamsSchema.safeParse({ outcome: 'y', covariates: ['y'] }).success,
    ).toBe(false);
    expect(linearRegressionParamsSchema.safeParse({ outcome: 'y', covariates: [] }).success).toBe(
      false,
    );
  });
});
