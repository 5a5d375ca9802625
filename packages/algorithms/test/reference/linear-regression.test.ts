/*
 * `linear-regression` against R (test/fixtures/linear-regression/make-reference.R: lm(),
 * summary.lm and confint, with and without an intercept, number and dummy-coded categorical
 * covariates). n must match exactly, every other number within rtol 1e-6, and p-values within
 * atol 1e-6 (issue 3). The same rows split over 1, 3 and 5 sites must give the same result.
 */
import { describe, expect, it } from 'vitest';
import { getAlgorithm } from '../../src/registry.js';
import { simulateJob } from '../../src/simulate.js';
import type { Table } from '../../src/table.js';
import {
  expectMatchesReference,
  loadFixtureTable,
  readReference,
  splitRandomly,
} from '../support/fixtures.js';

interface Case {
  name: string;
  params: unknown;
  expected: { coefficients: Record<string, unknown> } & Record<string, unknown>;
}

const table = loadFixtureTable('linear-regression');
const { cases } = readReference<{ cases: Case[] }>('linear-regression');
// Through the registry: the module behind the name may change, its behaviour may not.
const linearRegression = getAlgorithm('linear-regression');

/** 1 site, then random splits over 3 and 5 sites; 300+ rows a site keeps every level and pair of levels ≥ minCount. */
const LAYOUTS: readonly { sites: number; seed: number }[] = [
  { sites: 1, seed: 0 },
  { sites: 3, seed: 61 },
  { sites: 3, seed: 62 },
  { sites: 5, seed: 63 },
  { sites: 5, seed: 64 },
];
const tablesFor = (sites: number, seed: number): Table[] =>
  sites === 1 ? [table] : splitRandomly(table, sites, seed, 300);

/**
 * Every field of `expected` (more are allowed): counts and flags exactly, p-values within atol
 * 1e-6, every other number within rtol 1e-6.
 */
describe('linear-regression matches R', () => {
  for (const c of cases) {
    for (const { sites, seed } of LAYOUTS) {
      it(`${c.name}, ${sites} site(s), split seed ${seed}`, () => {
        if (linearRegression === undefined) throw new Error('linear-regression is not registered');
        const run = simulateJob(linearRegression, c.params, tablesFor(sites, seed));
        expect(run.steps).toEqual(['levels', 'moments']);
        const { decision } = run;
        if (decision.kind !== 'done') throw new Error(`${decision.code}: ${decision.reason}`);
        const result = decision.result as { coefficients: Record<string, unknown> };
        // Design columns in R's order: intercept, then covariates as given, dummies by level.
        expect(Object.keys(result.coefficients)).toEqual(Object.keys(c.expected.coefficients));
        expectMatchesReference(result, c.expected, 'result');
      });
    }
  }
});
