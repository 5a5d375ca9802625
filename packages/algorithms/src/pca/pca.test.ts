import { describe, expect, it } from 'vitest';
import type { HubDecision, LocalStepContext, SiteResult } from '../framework.js';
import { createRng } from '../numerics/random.js';
import { runLocalStep } from '../run-local-step.js';
import { simulateJob, seededRandomBytes } from '../simulate.js';
import { categoricalColumn, makeTable, numberColumn } from '../table-info.js';
import type { Table } from '../table.js';
import { PCA_STEP, pca, signConvention } from './index.js';
import type { PcaParams, PcaResult } from './schemas.js';

function makeSite(rows: number, seed: number, shift = 0): Table {
  const rng = createRng(seed);
  const a = Array.from({ length: rows }, () => rng.normal());
  return makeTable({
    x: numberColumn(a.map((v) => shift + v)),
    y: numberColumn(a.map((v) => 2 * v + 0.5 * rng.normal())),
    z: numberColumn(a.map(() => 10 * rng.normal())),
  });
}

const params = (overrides: Partial<PcaParams> = {}): PcaParams =>
  pca.params.parse({ variables: ['x', 'y', 'z'], ...overrides });

function ctx(table: Table, p: PcaParams): LocalStepContext<PcaParams> {
  return {
    table,
    params: p,
    input: null,
    round: 0,
    policy: { minCount: 10, allowMinMax: false },
    randomBytes: seededRandomBytes(1),
  };
}

function done(d: HubDecision<unknown>): PcaResult {
  if (d.kind !== 'done') throw new Error(`expected done, got ${JSON.stringify(d)}`);
  return d.result as PcaResult;
}

describe('pca', () => {
  it('defaults to standardize and lists every component with proportions summing to 1', () => {
    const r = done(simulateJob(pca, { variables: ['x', 'y', 'z'] }, [makeSite(200, 1)]).decision);
    expect(r.standardize).toBe(true);
    expect(Object.keys(r.loadings)).toEqual(['PC1', 'PC2', 'PC3']);
    // Under standardize the eigenvalues of a correlation matrix sum to the number of variables.
    expect(Math.abs(r.eigenvalues.reduce((a, b) => a + b, 0) - 3)).toBeLessThan(1e-12);
    expect(Math.abs((r.cumulativeProportion[2] ?? 0) - 1)).toBeLessThan(1e-12);
    expect(r.eigenvalues[0]).toBeGreaterThan(r.eigenvalues[1] ?? Infinity);
  });

  it('lists loadings of the first `components` only, each with its largest loading positive', () => {
    const r = done(
      simulateJob(pca, { variables: ['x', 'y', 'z'], components: 2 }, [makeSite(200, 2)]).decision,
    );
    expect(Object.keys(r.loadings)).toEqual(['PC1', 'PC2']);
    expect(r.eigenvalues).toHaveLength(3);
    for (const col of Object.values(r.loadings)) {
      const xs = Object.values(col);
      const largest = xs.reduce((m, x) => (Math.abs(x) > Math.abs(m) ? x : m), 0);
      expect(largest).toBeGreaterThan(0);
    }
  });

  it('signConvention flips a vector whose largest entry is negative, first on a tie', () => {
    expect(signConvention([0.2, -0.9, 0.3])).toEqual([-0.2, 0.9, -0.3]);
    expect(signConvention([-0.5, 0.5])).toEqual([0.5, -0.5]);
    expect(signConvention([0.1, 0.2])).toEqual([0.1, 0.2]);
  });

  it('pools sites with different means to the one-site answer', () => {
    const a = makeSite(150, 3, -40);
    const b = makeSite(90, 4, 25);
    const rows = (t: Table, name: string): number[] => {
      const col = t.columns[name];
      return col?.kind === 'number' ? [...col.values] : [];
    };
    const both = makeTable({
      x: numberColumn([...rows(a, 'x'), ...rows(b, 'x')]),
      y: numberColumn([...rows(a, 'y'), ...rows(b, 'y')]),
      z: numberColumn([...rows(a, 'z'), ...rows(b, 'z')]),
    });
    const p = { variables: ['x', 'y', 'z'], standardize: false };
    const split = done(simulateJob(pca, p, [a, b]).decision);
    const whole = done(simulateJob(pca, p, [both]).decision);
    expect(split.sites).toBe(2);
    expect(split.n).toBe(240);
    split.eigenvalues.forEach((v, k) => {
      expect(Math.abs(v - (whole.eigenvalues[k] ?? 0)) / v).toBeLessThan(1e-12);
    });
    expect(split.scale).toBeNull();
  });

  it('refuses MIN_COUNT below minCount complete cases and PARAMETER_LIMIT for too many variables', () => {
    const nine = makeTable({
      x: numberColumn([1, 2, 3, 4, 5, 6, 7, 8, 9, null, null]),
      y: numberColumn([2, 1, 4, 3, 6, 5, 8, 7, 9, 1, 2]),
      z: numberColumn([0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0]),
    });
    expect(runLocalStep(pca, PCA_STEP, ctx(nine, params()))).toEqual({
      status: 'refused',
      code: 'MIN_COUNT',
      reason: 'fewer than 10 complete cases',
    });
    // 3 variables need at least 3 / 0.33 ≈ 9.1, so 10 rows pass and the limit bites at minCount 5.
    const small = makeSite(9, 5);
    const loose: LocalStepContext<PcaParams> = {
      ...ctx(small, params()),
      policy: { minCount: 5, allowMinMax: false },
      randomBytes: seededRandomBytes(1),
    };
    expect(runLocalStep(pca, PCA_STEP, loose)).toMatchObject({
      status: 'refused',
      code: 'PARAMETER_LIMIT',
    });
    expect(runLocalStep(pca, PCA_STEP, ctx(makeSite(10, 5), params()))).toMatchObject({
      status: 'ok',
    });
  });

  it('refuses INVALID_PARAMS for a categorical variable', () => {
    const t = makeTable({
      x: numberColumn(Array.from({ length: 20 }, (_, i) => i)),
      y: categoricalColumn(Array.from({ length: 20 }, (_, i) => (i % 2 ? 'a' : 'b'))),
    });
    expect(runLocalStep(pca, PCA_STEP, ctx(t, params({ variables: ['x', 'y'] })))).toMatchObject({
      status: 'refused',
      code: 'INVALID_PARAMS',
    });
  });

  it('fails NO_SITES, INVALID_OUTPUT and DEGENERATE at the hub', () => {
    const p = params();
    expect(pca.aggregate(p, null, PCA_STEP, [])).toMatchObject({ code: 'NO_SITES' });
    const bad: SiteResult[] = [
      { trust: 's', status: 'ok', output: { count: 20, means: [0, 0], comoments: [[1], [1]] } },
    ];
    expect(pca.aggregate(p, null, PCA_STEP, bad)).toMatchObject({ code: 'INVALID_OUTPUT' });
    const flat = makeTable({
      x: numberColumn(Array.from({ length: 20 }, (_, i) => i)),
      y: numberColumn(Array.from({ length: 20 }, () => 3)),
      z: numberColumn(Array.from({ length: 20 }, (_, i) => i * i)),
    });
    expect(simulateJob(pca, { variables: ['x', 'y', 'z'] }, [flat]).decision).toMatchObject({
      code: 'DEGENERATE',
      reason: 'y has zero variance',
    });
    // Without standardize a constant variable is a zero-variance component, not an error.
    const r = done(
      simulateJob(pca, { variables: ['x', 'y', 'z'], standardize: false }, [flat]).decision,
    );
    expect(r.eigenvalues[2]).toBe(0);
  });

  it('refuses params with one variable, unknown keys or too many components', () => {
    expect(pca.params.safeParse({ variables: ['x'] }).success).toBe(false);
    expect(pca.params.safeParse({ variables: ['x', 'y'], scale: true }).success).toBe(false);
    expect(pca.params.safeParse({ variables: ['x', 'y'], components: 3 }).success).toBe(false);
  });
});
