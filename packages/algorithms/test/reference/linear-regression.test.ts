/*
 * `linear-regression` against R (test/fixtures/linear-regression/make-reference.R: lm(),
 * summary.lm and confint, with and without an intercept, number and dummy-coded categorical
 * covariates). n must match exactly, every other number within rtol 1e-6, and p-values within
 * atol 1e-6 (issue 3). The same rows split over 1, 3 and 5 sites must give the same result.
 */
import { describe, expect } from 'vitest';
import { getAlgorithm } from '../../src/registry.js';
import { simulateJob } from '../../src/simulate.js';
import {
  expectMatchesReference,
  fixtureSplits,
  itForEachSplit,
  loadFixtureTable,
  readReference,
  siteLayouts,
  type ReferenceCase,
} from '../support/fixtures.js';

type Case = ReferenceCase<{ coefficients: Record<string, unknown> } & Record<string, unknown>>;

const table = loadFixtureTable('linear-regression');
const { cases } = readReference<{ cases: Case[] }>('linear-regression');
// Through the registry: the module behind the name may change, its behaviour may not.
const linearRegression = getAlgorithm('linear-regression');

/** 1 site, then random splits over 3 and 5 sites; 300+ rows a site keeps every level and pair of levels ≥ minCount. */
const splits = fixtureSplits(table, siteLayouts(61), 300);

describe('linear-regression matches R', () => {
  itForEachSplit(cases, splits, (c, { tables }) => {
    if (linearRegression === undefined) throw new Error('linear-regression is not registered');
    const run = simulateJob(linearRegression, c.params, tables);
    expect(run.steps).toEqual(['levels', 'moments']);
    const { decision } = run;
    if (decision.kind !== 'done') throw new Error(`${decision.code}: ${decision.reason}`);
    const result = decision.result as { coefficients: Record<string, unknown> };
    // Design columns in R's order: intercept, then covariates as given, dummies by level.
    expect(Object.keys(result.coefficients)).toEqual(Object.keys(c.expected.coefficients));
    expectMatchesReference(result, c.expected, 'result');
  });
});
