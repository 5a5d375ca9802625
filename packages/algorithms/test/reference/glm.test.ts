/*
 * logistic-regression and poisson-regression against R's glm (test/fixtures/{logistic,poisson}-
 * regression/make-reference.R, R 4.2): coefficients, SEs, z, Wald CIs, deviance, null deviance,
 * AIC and log-likelihood at rtol 1e-6, p-values at atol 1e-6 as well; on the whole table as one
 * site and split at random over 3 and 5 sites with several seeds (the same result each time).
 * The R values are at epsilon 1e-14 (see make-reference.R: at R's default, its SEs are taken at the
 * penultimate iterate); ours are all at the final β of R's default rule, tolerance 1e-8.
 */
import { describe, expect, it } from 'vitest';
import type { Algorithm } from '../../src/framework.js';
import { logisticRegression, poissonRegression, type GlmResult } from '../../src/glm/index.js';
import { simulateJob } from '../../src/simulate.js';
import type { Table } from '../../src/table.js';
import {
  REFERENCE_TOLERANCE,
  expectClose,
  jobResult,
  loadFixtureTable,
  readReference,
  splitRandomly,
} from '../support/fixtures.js';

interface RCoefficient {
  estimate: number;
  standardError: number;
  statistic: number;
  pValue: number;
  ci: [number, number];
}
interface RFit {
  n: number;
  coefficients: Record<string, RCoefficient>;
  deviance: number;
  nullDeviance: number;
  aic: number;
  logLikelihood: number;
  iterations: number;
}

const { rtol, atol } = REFERENCE_TOLERANCE;

function fit(alg: Algorithm, params: unknown, tables: readonly Table[]): GlmResult {
  return jobResult(alg, params, tables) as GlmResult;
}

function expectMatches(res: GlmResult, ref: RFit, sites: number): void {
  expect(res.n).toBe(ref.n);
  expect(res.sites).toBe(sites);
  expect(res.converged).toBe(true);
  expect(Object.keys(res.coefficients)).toEqual(Object.keys(ref.coefficients));
  for (const [name, want] of Object.entries(ref.coefficients)) {
    const got = res.coefficients[name];
    expectClose(got?.estimate, want.estimate, `${name} estimate`, { rtol });
    expectClose(got?.standardError, want.standardError, `${name} SE`, { rtol });
    expectClose(got?.statistic, want.statistic, `${name} z`, { rtol });
    expectClose(got?.pValue, want.pValue, `${name} p`, { rtol, atol });
    // A bound near 0 cancels digits; its error scale is the SE, so atol is rtol × SE.
    const ciTol = { rtol, atol: rtol * want.standardError };
    expectClose(got?.ci[0], want.ci[0], `${name} CI low`, ciTol);
    expectClose(got?.ci[1], want.ci[1], `${name} CI high`, ciTol);
  }
  expectClose(res.deviance, ref.deviance, 'deviance', { rtol });
  expectClose(res.nullDeviance, ref.nullDeviance, 'null deviance', { rtol });
  expectClose(res.aic, ref.aic, 'AIC', { rtol });
  expectClose(res.logLikelihood, ref.logLikelihood, 'log-likelihood', { rtol });
}

const SPLITS = [
  [3, 1],
  [3, 2],
  [3, 3],
  [5, 4],
  [5, 5],
  [5, 6],
] as const;

describe('logistic-regression against R glm(family = binomial)', () => {
  const table = loadFixtureTable('logistic-regression');
  const ref = readReference<Record<string, RFit>>('logistic-regression');
  const main = { outcome: 'y', covariates: ['age', 'bmi', 'sex', 'smoker'] };

  it('matches R on the whole table as one site', () => {
    expectMatches(fit(logisticRegression, main, [table]), ref.main as RFit, 1);
  });

  it.each(SPLITS)('matches R with the rows split over %i sites (seed %i)', (sites, seed) => {
    const res = fit(logisticRegression, main, splitRandomly(table, sites, seed, 200));
    expectMatches(res, ref.main as RFit, sites);
  });

  it('matches R without an intercept', () => {
    const params = { outcome: 'y', covariates: ['age', 'bmi'], intercept: false };
    expectMatches(
      fit(logisticRegression, params, splitRandomly(table, 3, 7, 200)),
      ref.noIntercept as RFit,
      3,
    );
  });

  it('codes a categorical outcome by "positive" like the 0/1 column', () => {
    const params = { ...main, outcome: 'status', positive: 'event' };
    expectMatches(
      fit(logisticRegression, params, splitRandomly(table, 3, 8, 200)),
      ref.main as RFit,
      3,
    );
  });

  it('equals the pooled fit from 3 sites in at most 8 Newton rounds', () => {
    const pooled = fit(logisticRegression, main, [table]);
    const run = simulateJob(logisticRegression, main, splitRandomly(table, 3, 9, 200));
    expect(run.decision.kind).toBe('done');
    const res = (run.decision.kind === 'done' ? run.decision.result : null) as GlmResult;
    expect(run.steps.filter((s) => s === 'newton').length).toBe(res.iterations);
    expect(res.iterations).toBeLessThanOrEqual(8);
    for (const [name, c] of Object.entries(pooled.coefficients)) {
      expectClose(res.coefficients[name]?.estimate, c.estimate, name, { rtol: 1e-9 });
      expectClose(res.coefficients[name]?.standardError, c.standardError, `${name} SE`, {
        rtol: 1e-9,
      });
    }
  });
});

describe('poisson-regression against R glm(family = poisson)', () => {
  const table = loadFixtureTable('poisson-regression');
  const ref = readReference<Record<string, RFit>>('poisson-regression');
  const withOffset = { outcome: 'events', covariates: ['age', 'sex', 'region'], offset: 'logTime' };

  it('matches R with an offset on the whole table as one site', () => {
    expectMatches(fit(poissonRegression, withOffset, [table]), ref.offset as RFit, 1);
  });

  it.each(SPLITS)('matches R with the rows split over %i sites (seed %i)', (sites, seed) => {
    const res = fit(poissonRegression, withOffset, splitRandomly(table, sites, seed, 200));
    expectMatches(res, ref.offset as RFit, sites);
  });

  it('matches R without an offset (rows missing only the offset count)', () => {
    const params = { outcome: 'events', covariates: ['age', 'sex', 'region'] };
    expectMatches(
      fit(poissonRegression, params, splitRandomly(table, 5, 10, 200)),
      ref.noOffset as RFit,
      5,
    );
  });
});
