/*
 * `correlation` against R (test/fixtures/correlation/make-reference.R: cor() over the complete
 * cases and cor.test() p-values). n must match exactly, r within rtol 1e-6 and p-values within
 * atol 1e-6 (issue 3). The same rows split over 1, 3 and 5 sites must give the same result.
 */
import { describe, expect } from 'vitest';
import { correlation } from '../../src/correlation/index.js';
import type { CorrelationResult } from '../../src/correlation/schemas.js';
import {
  expectClose,
  fixtureSplits,
  itForEachSplit,
  jobResult,
  loadFixtureTable,
  readReference,
  REFERENCE_TOLERANCE,
  siteLayouts,
  type ReferenceCase,
} from '../support/fixtures.js';

const table = loadFixtureTable('correlation');
const { cases } = readReference<{ cases: ReferenceCase<CorrelationResult>[] }>('correlation');

/** 1 site, then random splits over 3 and 5 sites (300+ rows a site). */
const splits = fixtureSplits(table, siteLayouts(51), 300);

describe('correlation matches R', () => {
  itForEachSplit(cases, splits, (c, { tables }) => {
    const result = jobResult(correlation, c.params, tables) as CorrelationResult;
    expect(result.n).toBe(c.expected.n);
    expect(result.variables).toEqual(c.expected.variables);
    c.expected.matrix.forEach((row, i) => {
      row.forEach((r, j) => {
        const pair = `${c.expected.variables[i] ?? ''}, ${c.expected.variables[j] ?? ''}`;
        expectClose(result.matrix[i]?.[j], r, `r(${pair})`);
        const p = c.expected.pValues[i]?.[j] ?? Number.NaN;
        expectClose(result.pValues[i]?.[j], p, `p(${pair})`, REFERENCE_TOLERANCE);
      });
    });
  });
});
