/*
 * `anova` against R (test/fixtures/anova/make-reference.R: anova(lm(y ~ group)), group means
 * and sds). Counts must match exactly, every other number within rtol 1e-6, and
 * p-values within atol 1e-6 (issue 3). The same rows split over 1, 3 and 5 sites must give the
 * same result.
 */
import { describe } from 'vitest';
import { anova } from '../../src/anova/index.js';
import {
  expectMatchesReference,
  fixtureSplits,
  itForEachSplit,
  jobResult,
  loadFixtureTable,
  readReference,
  siteLayouts,
  type ReferenceCase,
} from '../support/fixtures.js';

const table = loadFixtureTable('anova');
const { cases } = readReference<{ cases: ReferenceCase[] }>('anova');

/** 1 site, then random splits over 3 and 5 sites; 300+ rows a site keeps every group ≥ minCount. */
const splits = fixtureSplits(table, siteLayouts(41), 300);

describe('anova matches R', () => {
  itForEachSplit(cases, splits, (c, { tables }) => {
    expectMatchesReference(jobResult(anova, c.params, tables), c.expected, 'result');
  });
});
