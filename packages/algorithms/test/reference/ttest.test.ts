/*
 * `ttest` against R (test/fixtures/ttest/make-reference.R: t.test(var.equal = FALSE) and
 * t.test(paired = TRUE)). Counts must match exactly, every other number within rtol 1e-6, and
 * p-values within atol 1e-6 (issue 3). The same rows split over 1, 3 and 5 sites must give the
 * same result.
 */
import { describe } from 'vitest';
import { ttest } from '../../src/ttest/index.js';
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

const table = loadFixtureTable('ttest');
const { cases } = readReference<{ cases: ReferenceCase[] }>('ttest');

/** 1 site, then random splits over 3 and 5 sites; 300+ rows a site keeps every group ≥ minCount. */
const splits = fixtureSplits(table, siteLayouts(31), 300);

describe('ttest matches R', () => {
  itForEachSplit(cases, splits, (c, { tables }) => {
    expectMatchesReference(jobResult(ttest, c.params, tables), c.expected, 'result');
  });
});
