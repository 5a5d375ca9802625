import { describe, expect, it } from 'vitest';
import { createRng } from '../numerics/random.js';
import { runLocalStep } from '../run-local-step.js';
import { simulateJob, seededRandomBytes } from '../simulate.js';
import { categoricalColumn, makeTable, numberColumn } from '../table-info.js';
import type { Column, Table } from '../table.js';
import { cachedDesign } from './design.js';
import {
  logisticParamsSchema,
  logisticRegression,
  poissonParamsSchema,
  poissonRegression,
  type GlmResult,
} from './index.js';

/** Synthetic logistic rows: age, bmi, sex, a 0/1 outcome from a moderate logit model. */
function makeLogistic(n: number, seed: number, overrides: Record<string, Column> = {}): Table {
  const rng = createRng(seed);
  const age: number[] = [];
  const bmi: number[] = [];
  const sex: string[] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = 55 + 10 * rng.normal();
    const b = 27 + 4 * rng.normal();
    const m = rng.uniform() < 0.5;
    const eta = -0.3 + 0.04 * (a - 55) + 0.05 * (b - 27) + (m ? 0.5 : 0);
    age.push(a);
    bmi.push(b);
    sex.push(m ? 'M' : 'F');
    y.push(rng.uniform() < 1 / (1 + Math.exp(-eta)) ? 1 : 0);
  }
  return makeTable({
    age: numberColumn(age),
    bmi: numberColumn(bmi),
    sex: categoricalColumn(sex),
    y: numberColumn(y),
    ...overrides,
  });
}

const values = (t: Table, name: string): Float64Array => {
  const col = t.columns[name];
  if (col?.kind !== 'number') throw new Error(`${name} is not a number column`);
  return col.values;
};

const PARAMS = { outcome: 'y', covariates: ['age', 'bmi', 'sex'] };

describe('logistic-regression failures', () => {
  it('fails SEPARATION naming the covariate when it separates the outcome completely', () => {
    const t = makeLogistic(400, 1);
    const age = values(t, 'age');
    const y = numberColumn(Array.from(age, (a) => (a > 55 ? 1 : 0)));
    const run = simulateJob(logisticRegression, PARAMS, [makeLogistic(400, 1, { y })]);
    expect(run.decision).toMatchObject({ kind: 'failed', code: 'SEPARATION' });
    expect(run.decision.kind === 'failed' && run.decision.reason).toMatch(/age/);
  });

  it('fails SEPARATION naming the level when one level holds only one outcome (quasi-complete)', () => {
    const base = makeLogistic(600, 2);
    const rng = createRng(3);
    const group = Array.from({ length: 600 }, () => (rng.uniform() < 0.2 ? 'rare' : 'usual'));
    const y = numberColumn(Array.from(values(base, 'y'), (v, i) => (group[i] === 'rare' ? 1 : v)));
    const t = makeLogistic(600, 2, { y, group: categoricalColumn(group) });
    const run = simulateJob(logisticRegression, { outcome: 'y', covariates: ['age', 'group'] }, [
      t,
    ]);
    expect(run.decision).toMatchObject({ kind: 'failed', code: 'SEPARATION' });
    expect(run.decision.kind === 'failed' && run.decision.reason).toMatch(/group:usual/);
  });

  it('fails SINGULAR_DESIGN naming a collinear covariate and a constant one', () => {
    const t = makeLogistic(300, 4);
    const twice = numberColumn(Array.from(values(t, 'age'), (a) => 2 * a + 1));
    const collinear = simulateJob(
      logisticRegression,
      { outcome: 'y', covariates: ['age', 'age2'] },
      [makeLogistic(300, 4, { age2: twice })],
    );
    expect(collinear.decision).toMatchObject({ kind: 'failed', code: 'SINGULAR_DESIGN' });
    expect(collinear.decision.kind === 'failed' && collinear.decision.reason).toMatch(/^age2 /);
    const flat = numberColumn(new Array<number>(300).fill(3));
    const constant = simulateJob(
      logisticRegression,
      { outcome: 'y', covariates: ['age', 'flat'] },
      [makeLogistic(300, 4, { flat })],
    );
    expect(constant.decision).toMatchObject({ kind: 'failed', code: 'SINGULAR_DESIGN' });
    expect(constant.decision.kind === 'failed' && constant.decision.reason).toMatch(/^flat /);
  });

  it('fails NOT_CONVERGED when maxIterations is reached first', () => {
    const run = simulateJob(logisticRegression, { ...PARAMS, maxIterations: 3 }, [
      makeLogistic(500, 5),
    ]);
    expect(run.decision).toMatchObject({ kind: 'failed', code: 'NOT_CONVERGED' });
    expect(run.steps.filter((s) => s === 'newton')).toHaveLength(3);
  });

  it('fails OUTCOME_NOT_BINARY for a categorical outcome with three levels', () => {
    const rng = createRng(6);
    const y3 = categoricalColumn(Array.from({ length: 300 }, () => ['a', 'b', 'c'][rng.int(3)]));
    const run = simulateJob(logisticRegression, { ...PARAMS, outcome: 'y3' }, [
      makeLogistic(300, 6, { y3 }),
    ]);
    expect(run.decision).toMatchObject({ kind: 'failed', code: 'OUTCOME_NOT_BINARY' });
  });

  it('reports STEP_FAILED naming the outcome when it holds values other than 0 and 1', () => {
    const y = numberColumn(Array.from({ length: 300 }, (_, i) => i % 3));
    const run = simulateJob(logisticRegression, PARAMS, [makeLogistic(300, 7, { y })]);
    expect(run.rounds[0]?.[0]).toMatchObject({ status: 'failed', code: 'STEP_FAILED' });
    expect(run.rounds[0]?.[0]?.reason).toMatch(/outcome y holds a value that is not 0 or 1/);
  });
});

describe('logistic-regression disclosure at the node', () => {
  const policy = { minCount: 10, allowMinMax: false };

  it('refuses MIN_COUNT naming the outcome when a class has fewer than minCount rows', () => {
    const y = numberColumn(Array.from({ length: 200 }, (_, i) => (i < 4 ? 1 : 0)));
    const run = simulateJob(logisticRegression, PARAMS, [makeLogistic(200, 8, { y })], { policy });
    const site = run.rounds[0]?.[0];
    expect(site).toMatchObject({ status: 'refused', code: 'MIN_COUNT' });
    expect(site?.reason).toBe('a level of y has fewer than 10 complete cases');
    expect(site?.reason).not.toMatch(/\b4\b/);
  });

  it('refuses MIN_COUNT naming a covariate with a small level', () => {
    const sex = categoricalColumn(
      Array.from({ length: 200 }, (_, i) => (i < 3 ? 'X' : i % 2 ? 'F' : 'M')),
    );
    const run = simulateJob(logisticRegression, PARAMS, [makeLogistic(200, 9, { sex })], {
      policy,
    });
    expect(run.rounds[0]?.[0]).toMatchObject({
      status: 'refused',
      code: 'MIN_COUNT',
      reason: 'a level of sex has fewer than 10 complete cases',
    });
  });

  it('refuses MIN_COUNT at newton for a small cell of outcome × level', () => {
    const t = makeLogistic(300, 10);
    const sex = t.columns.sex;
    if (sex?.kind !== 'categorical') throw new Error('sex is categorical');
    // Every M row is 0 but five: each class and level is large, the cell (y = 1, M) is not.
    let left = 5;
    const y = numberColumn(
      Array.from(values(t, 'y'), (v, i) => (sex.codes[i] === 1 ? (left-- > 0 ? 1 : 0) : v)),
    );
    const run = simulateJob(logisticRegression, PARAMS, [makeLogistic(300, 10, { y })], { policy });
    expect(run.steps).toEqual(['levels', 'newton']);
    expect(run.rounds[1]?.[0]).toMatchObject({
      status: 'refused',
      code: 'MIN_COUNT',
      reason: 'a cell of sex × y has fewer than 10 complete cases',
    });
  });

  it('refuses PARAMETER_LIMIT when parameters exceed 0.33 × complete cases', () => {
    const rng = createRng(11);
    const cols: Record<string, Column> = {};
    const covariates = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    for (const c of covariates)
      cols[c] = numberColumn(Array.from({ length: 24 }, () => rng.normal()));
    cols.y = numberColumn(Array.from({ length: 24 }, (_, i) => (i < 12 ? 0 : 1)));
    const params = logisticParamsSchema.parse({ outcome: 'y', covariates });
    const input = {
      columns: covariates.map((c) => ({ name: c, variable: c, level: null })),
      levels: {},
      positive: null,
      beta: new Array<number>(8).fill(0),
    };
    const ctx = {
      table: makeTable(cols),
      params,
      input,
      round: 1,
      policy: { ...policy, minCount: 5 },
      randomBytes: seededRandomBytes(1),
    };
    expect(runLocalStep(logisticRegression, 'newton', ctx)).toMatchObject({
      status: 'refused',
      code: 'PARAMETER_LIMIT',
    });
  });

  it('refuses MIN_COUNT when complete cases are fewer than minCount', () => {
    const t = makeLogistic(40, 12);
    const age = numberColumn(Array.from(values(t, 'age'), (a, i) => (i < 35 ? null : a)));
    const run = simulateJob(logisticRegression, PARAMS, [makeLogistic(40, 12, { age })], {
      policy,
    });
    expect(run.rounds[0]?.[0]).toMatchObject({ status: 'refused', code: 'MIN_COUNT' });
    expect(run.decision).toMatchObject({ kind: 'failed', code: 'NO_SITES' });
  });

  it('releases only n, X′WX, score, deviance and log-likelihood from a newton round', () => {
    const run = simulateJob(logisticRegression, PARAMS, [makeLogistic(300, 13)], { policy });
    expect(Object.keys(run.rounds[1]?.[0]?.output as object).sort()).toEqual([
      'deviance',
      'logLikelihood',
      'n',
      'score',
      'xtwx',
    ]);
    // 4 parameters: the packed upper triangle has 10 entries.
    expect((run.rounds[1]?.[0]?.output as { xtwx: number[] }).xtwx).toHaveLength(10);
  });
});

describe('poisson-regression', () => {
  function makePoisson(n: number, seed: number): Table {
    const rng = createRng(seed);
    const x: number[] = [];
    const group: string[] = [];
    const logT: number[] = [];
    const y: number[] = [];
    for (let i = 0; i < n; i++) {
      const xi = rng.normal();
      const g = rng.uniform() < 0.3 ? 'b' : 'a';
      const lt = Math.log(0.5 + 4 * rng.uniform());
      const mu = Math.exp(lt - 1 + 0.3 * xi + (g === 'b' ? 0.4 : 0));
      // Knuth's Poisson sampler: small means only.
      let k = 0;
      for (let p = rng.uniform(); p > Math.exp(-mu); p *= rng.uniform()) k++;
      x.push(xi);
      group.push(g);
      logT.push(lt);
      y.push(k);
    }
    return makeTable({
      x: numberColumn(x),
      group: categoricalColumn(group),
      logT: numberColumn(logT),
      y: numberColumn(y),
    });
  }

  it('fits with an offset and converges', () => {
    const run = simulateJob(
      poissonRegression,
      { outcome: 'y', covariates: ['x', 'group'], offset: 'logT' },
      [makePoisson(800, 1)],
    );
    expect(run.decision.kind).toBe('done');
    const res = (run.decision.kind === 'done' ? run.decision.result : null) as GlmResult;
    expect(res).toMatchObject({ family: 'poisson', link: 'log', converged: true, sites: 1 });
    expect(res.coefficients.x?.estimate).toBeCloseTo(0.3, 1);
    expect(res.iterations).toBeLessThanOrEqual(8);
  });

  it('fails SEPARATION when a level has no events', () => {
    const t = makePoisson(800, 2);
    const group = t.columns.group;
    if (group?.kind !== 'categorical') throw new Error('group is categorical');
    const y = numberColumn(Array.from(values(t, 'y'), (v, i) => (group.codes[i] === 1 ? 0 : v)));
    const run = simulateJob(poissonRegression, { outcome: 'y', covariates: ['x', 'group'] }, [
      makeTable({ ...t.columns, y }),
    ]);
    expect(run.decision).toMatchObject({ kind: 'failed', code: 'SEPARATION' });
    expect(run.decision.kind === 'failed' && run.decision.reason).toMatch(/group:b/);
  });

  it('reports STEP_FAILED when the outcome is not a count', () => {
    const t = makePoisson(100, 3);
    const y = numberColumn(Array.from(values(t, 'y'), (v) => v + 0.5));
    const run = simulateJob(poissonRegression, { outcome: 'y', covariates: ['x'] }, [
      makeTable({ ...t.columns, y }),
    ]);
    expect(run.rounds[0]?.[0]?.reason).toMatch(/not a non-negative integer count/);
  });
});

describe('GLM params and design cache', () => {
  it('has strict params with R defaults', () => {
    expect(logisticParamsSchema.parse(PARAMS)).toEqual({
      ...PARAMS,
      intercept: true,
      maxIterations: 25,
      tolerance: 1e-8,
    });
    expect(logisticParamsSchema.safeParse({ ...PARAMS, offset: 'age' }).success).toBe(false);
    expect(poissonParamsSchema.safeParse({ ...PARAMS, positive: '1' }).success).toBe(false);
    expect(poissonParamsSchema.safeParse({ ...PARAMS, offset: 'age' }).success).toBe(false);
    expect(logisticParamsSchema.safeParse({ outcome: 'y', covariates: ['y'] }).success).toBe(false);
  });

  it('builds a design once per table and design, for every later round', () => {
    const t = makeLogistic(100, 14);
    const params = logisticParamsSchema.parse({ outcome: 'y', covariates: ['age'] });
    const design = {
      columns: [{ name: 'age', variable: 'age', level: null }],
      levels: {},
      positive: null,
    };
    const first = cachedDesign(t, params, 'binomial', design);
    expect(cachedDesign(t, params, 'binomial', { ...design })).toBe(first);
    expect(cachedDesign(makeLogistic(100, 14), params, 'binomial', design)).not.toBe(first);
  });
});
