/*
 * `anova` against R (test/fixtures/anova/make-reference.R: anova(lm(y ~ group)), group means
 * and sds). Counts must match exactly, every other number within rtol 1e-6, and
 * p-values within atol 1e-6 (issue 3). The same rows split over 1, 3 and 5 sites must give the
 * same result.
 */
import { describe, it } from 'vitest';
import { anova } from '../../src/anova/index.js';
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
  expected: Record<string, unknown>;
}

const table = loadFixtureTable('anova');
const { cases } = readReference<{ cases: Case[] }>('anova');

/** 1 site, then random splits over 3 and 5 sites; 300+ rows a site keeps every group ≥ minCount. */
const LAYOUTS: readonly { sites: number; seed: number }[] = [
  { sites: 1, seed: 0 },
  { sites: 3, seed: 41 },
  { sites: 3, seed: 42 },
  { sites: 5, seed: 43 },
  { sites: 5, seed: 44 },
];
const tablesFor = (sites: number, seed: number): Table[] =>
  sites === 1 ? [table] : splitRandomly(table, sites, seed, 300);

/**
 * Every field of `expected` (more are allowed): counts and flags exactly, p-values within atol
 * 1e-6, every other number within rtol 1e-6.
 */
describe('anova matches R', () => {
  for (const c of cases) {
    for (const { sites, seed } of LAYOUTS) {
      it(`${c.name}, ${sites} site(s), split seed ${seed}`, () => {
        const { decision } = simulateJob(anova, c.params, tablesFor(sites, seed));
        if (decision.kind !== 'done') throw new Error(`${decision.code}: ${decision.reason}`);
        expectMatchesReference(decision.result, c.expected, 'result');
      });
    }
  }
});
