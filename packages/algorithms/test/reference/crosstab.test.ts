/*
 * `crosstab` against R (test/fixtures/crosstab/make-reference.R: table() and
 * chisq.test(correct = FALSE)). Counts must match exactly; the statistic within rtol 1e-6 and the
 * p-value within atol 1e-6 (issue 3). The same rows split over 1, 3 and 5 sites must give the
 * same result.
 */
import { describe, expect, it } from 'vitest';
import { crosstab } from '../../src/crosstab/index.js';
import type { CrosstabResult } from '../../src/crosstab/schemas.js';
import {
  expectClose,
  fixtureSplits,
  itForEachSplit,
  jobResult,
  loadFixtureTable,
  readReference,
  REFERENCE_TOLERANCE,
  siteLayouts,
} from '../support/fixtures.js';

interface Case {
  name: string;
  params: unknown;
  expected: Omit<CrosstabResult, 'sites' | 'note' | 'chiSquare'> & {
    chiSquare: { statistic: number; df: number; pValue: number };
  };
}

const table = loadFixtureTable('crosstab');
const { cases } = readReference<{ cases: Case[] }>('crosstab');

/** 1 site, then random splits over 3 and 5 sites; 500+ rows a site keeps every cell ≥ minCount. */
const splits = fixtureSplits(table, siteLayouts(21), 500);

describe('crosstab matches R', () => {
  itForEachSplit(cases, splits, (c, { sites, tables }) => {
    const result = jobResult(crosstab, c.params, tables) as CrosstabResult;
    const { chiSquare, ...counts } = c.expected;
    expect(result).toMatchObject({ ...counts, sites });
    expect(result.note).toBeUndefined();
    expectClose(result.chiSquare?.statistic, chiSquare.statistic, 'chi-square statistic');
    expect(result.chiSquare?.df).toBe(chiSquare.df);
    expectClose(result.chiSquare?.pValue, chiSquare.pValue, 'p-value', REFERENCE_TOLERANCE);
  });

  it('withholds the chi-square test when a cell is suppressed', () => {
    // minCount one above the smallest cell: that cell and, by secondary suppression, one more go.
    const c = cases[0];
    if (c === undefined) throw new Error('no crosstab case');
    const smallest = Math.min(...c.expected.counts.flat().map((n) => n ?? Infinity));
    const result = jobResult(crosstab, c.params, [table], {
      minCount: smallest + 1,
      allowMinMax: false,
    }) as CrosstabResult;
    expect(result.counts.flat().filter((n) => n === null)).toHaveLength(2);
    expect(result.chiSquare).toBeNull();
    expect(result.note).toMatch(/suppressed/);
  });
});
