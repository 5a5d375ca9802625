import { describe, expect, it } from 'vitest';
import { loadFixtureTable, splitRandomly } from '../../test/support/fixtures.js';
import { anova } from '../anova/index.js';
import { crosstab } from '../crosstab/index.js';
import type { Algorithm } from '../framework.js';
import { logisticRegression, poissonRegression } from '../glm/index.js';
import { histogram } from '../histogram/index.js';
import { kaplanMeier } from '../kaplan-meier/index.js';
import { linearRegression } from '../linear-regression/index.js';
import { simulateJob } from '../simulate.js';
import { summary } from '../summary/index.js';
import { ttest } from '../ttest/index.js';
import type { Table } from '../table.js';
import type { SecureAggregationReport } from './hub.js';
import { simulateSecureJob } from './simulate-secure.js';
import { SUM_FORMS } from './sum-forms/index.js';

/*
 * Secure and plain aggregation of the same job agree. Counts come back exactly (each summed
 * element is within errorBound = sites · 2^-21 < 0.5 of an integer, then rounded). Moments and
 * regression statistics are compared with rtol 1e-6: the summed elements carry at most errorBound
 * (≈ 2.4e-6 for 5 sites) of absolute error against sums of order 10^3..10^8, and summary's
 * Σx² form loses a few more digits to cancellation (see sum-forms/summary.ts).
 */

/** Fields that describe the transport, not the statistics: per-site counts and notes. */
const TRANSPORT = new Set(['sites', 'secureAggregation', 'coarsened']);

function expectAgree(secure: unknown, plain: unknown, path = 'result'): void {
  if (typeof plain === 'number' && typeof secure === 'number') {
    const tol = 1e-6 * Math.max(1, Math.abs(plain));
    if (Math.abs(secure - plain) > tol)
      throw new Error(`${path}: secure ${String(secure)}, plain ${String(plain)}`);
    return;
  }
  if (Array.isArray(plain)) {
    expect(Array.isArray(secure), path).toBe(true);
    expect((secure as unknown[]).length, path).toBe(plain.length);
    plain.forEach((v, i) => {
      expectAgree((secure as unknown[])[i], v, `${path}[${String(i)}]`);
    });
    return;
  }
  if (typeof plain === 'object' && plain !== null) {
    const s = secure as Record<string, unknown>;
    const keys = Object.keys(plain).filter((k) => !TRANSPORT.has(k));
    expect(
      Object.keys(s)
        .filter((k) => !TRANSPORT.has(k))
        .sort(),
      path,
    ).toEqual(keys.sort());
    for (const k of keys) expectAgree(s[k], (plain as Record<string, unknown>)[k], `${path}.${k}`);
    return;
  }
  expect(secure, path).toEqual(plain);
}

function both(alg: Algorithm, params: unknown, tables: readonly Table[]) {
  const plain = simulateJob(alg, params, tables);
  const secure = simulateSecureJob(alg, SUM_FORMS[alg.name] ?? {}, params, tables);
  if (plain.decision.kind !== 'done')
    throw new Error(`plain ${alg.name} failed: ${JSON.stringify(plain.decision)}`);
  if (secure.decision.kind !== 'done')
    throw new Error(`secure ${alg.name} failed: ${JSON.stringify(secure.decision)}`);
  return { plain: plain.decision.result, secure: secure.decision.result, steps: secure.steps };
}

const reportOf = (result: unknown): SecureAggregationReport =>
  (result as { secureAggregation: SecureAggregationReport }).secureAggregation;

describe('secure aggregation agrees with plain aggregation', () => {
  it('summary: counts exactly, mean and sd within 1e-6, level counts and suppressed levels alike', () => {
    const tables = splitRandomly(loadFixtureTable('summary'), 5, 11, 100);
    const r = both(summary, { variables: ['age', 'sbp', 'crp', 'sex', 'smoker'] }, tables);
    expectAgree(r.secure, r.plain);
    expect(r.steps).toEqual([
      'stats#sa-keys',
      'stats#sa-shares',
      'stats#sa-masked',
      'stats#sa-unmask',
    ]);
    expect(reportOf(r.secure)).toMatchObject({
      sites: 5,
      threshold: 3,
      scaleBits: 20,
      dropped: [],
      sums: 1,
    });
    expect(reportOf(r.secure).errorBound).toBeCloseTo(5 * 2 ** -21, 12);
  });

  it('histogram, with cells suppressed at some sites reported as suppressed', () => {
    const tables = splitRandomly(loadFixtureTable('histogram'), 5, 12, 100);
    const r = both(histogram, { variable: 'age', bins: 40, range: [0, 100] }, tables);
    expectAgree(r.secure, r.plain);
    expect((r.plain as { suppressed: number[] }).suppressed.length).toBeGreaterThan(0);
  });

  it('crosstab, with levels a site lacks and suppressed cells', () => {
    const tables = splitRandomly(loadFixtureTable('crosstab'), 4, 13, 100);
    const r = both(crosstab, { rows: 'smoker', columns: 'region' }, tables);
    expectAgree(r.secure, r.plain);
  });

  it('linear-regression: levels plain, moments secure', () => {
    const tables = splitRandomly(loadFixtureTable('linear-regression'), 5, 14, 200);
    const params = { outcome: 'sbp', covariates: ['age', 'bmi', 'sex', 'smoker'] };
    const r = both(linearRegression, params, tables);
    expectAgree(r.secure, r.plain);
    expect(r.steps[0]).toBe('levels');
  });

  it('logistic-regression over several secure Newton rounds', () => {
    const tables = splitRandomly(loadFixtureTable('logistic-regression'), 5, 15, 200);
    const params = { outcome: 'y', covariates: ['age', 'bmi', 'sex', 'smoker'] };
    const r = both(logisticRegression, params, tables);
    expectAgree(r.secure, r.plain);
    expect(reportOf(r.secure).sums).toBeGreaterThanOrEqual(3);
  });

  it('poisson-regression', () => {
    const tables = splitRandomly(loadFixtureTable('poisson-regression'), 3, 16, 200);
    const r = both(
      poissonRegression,
      { outcome: 'events', covariates: ['age', 'sex'], offset: 'logTime' },
      tables,
    );
    expectAgree(r.secure, r.plain);
  });

  it('anova: group moments summed, the F test alike', () => {
    const tables = splitRandomly(loadFixtureTable('anova'), 4, 19, 200);
    const r = both(anova, { variable: 'chol', group: 'diet' }, tables);
    expectAgree(r.secure, r.plain);
  });

  it("ttest: two-sample in the job's level order, and paired", () => {
    const tables = splitRandomly(loadFixtureTable('ttest'), 3, 20, 200);
    const twoSample = both(
      ttest,
      { variable: 'sbp', group: 'arm', levels: ['high', 'ctrl'] },
      tables,
    );
    expectAgree(twoSample.secure, twoSample.plain);
    const paired = both(ttest, { paired: true, variable: 'after', variable2: 'before' }, tables);
    expectAgree(paired.secure, paired.plain);
  });

  it('kaplan-meier by group', () => {
    const tables = splitRandomly(loadFixtureTable('kaplan-meier'), 5, 17, 200);
    const params = { time: 'survival_days', event: 'died', group: 'arm', interval: 30, until: 720 };
    const r = both(kaplanMeier, params, tables);
    expectAgree(r.secure, r.plain);
  });
});

describe('what secure aggregation does not run', () => {
  it('fails a job that also asks for differential privacy, saying why, before any key leaves', () => {
    const tables = splitRandomly(loadFixtureTable('histogram'), 3, 18, 200);
    const params = {
      variable: 'age',
      edges: [0, 50, 101],
      dp: { mechanism: 'laplace', epsilon: 1, bounds: {} },
    };
    const run = simulateSecureJob(histogram, SUM_FORMS['histogram'] ?? {}, params, tables);
    expect(run.decision).toMatchObject({
      kind: 'failed',
      code: 'SECURE_AGGREGATION_UNSUPPORTED',
      reason: expect.stringContaining('differential privacy') as unknown,
    });
    expect(run.steps).toEqual([]);
  });
});
