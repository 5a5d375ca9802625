/*
 * `histogram` against R (test/fixtures/histogram/make-reference.R: cut(right = FALSE,
 * include.lowest = TRUE) with the same edges). Counts are integers, so they must match exactly;
 * edges too, since bin membership depends on every bit of them. The same rows split over 1, 3
 * and 5 sites must give the same result (issue 3, "Done when").
 */
import { describe, expect, it } from 'vitest';
import { histogram, type HistogramResult } from '../../src/histogram/index.js';
import {
  fixtureSplits,
  itForEachSplit,
  jobResult,
  loadFixtureTable,
  readReference,
  siteLayouts,
  type ReferenceCase,
} from '../support/fixtures.js';

const table = loadFixtureTable('histogram');
const { cases } = readReference<{
  cases: ReferenceCase<Omit<HistogramResult, 'sites' | 'suppressed'>>[];
}>('histogram');

/** 1 site, then random splits over 3 and 5 sites; 300+ rows a site keeps every cell ≥ minCount. */
const splits = fixtureSplits(table, siteLayouts(11), 300);

describe('histogram matches R', () => {
  itForEachSplit(cases, splits, (c, { sites, tables }) => {
    const result = jobResult(histogram, c.params, tables) as HistogramResult;
    expect(result).toEqual({ ...c.expected, sites, suppressed: [] });
  });

  it('hides a bin below minCount and, by secondary suppression, the smallest other cell', () => {
    // [50, 51) holds only age 50, fewer than 40 rows; the smallest other cell is `below`.
    const params = { variable: 'age', edges: [10, 50, 51, 85] };
    const policy = { minCount: 40, allowMinMax: false };
    const result = jobResult(histogram, params, [table], policy) as HistogramResult;
    expect(result.counts.map((c) => c === null)).toEqual([false, true, false]);
    expect(result.below).toBeNull();
    expect(result.above).not.toBeNull();
    expect(result.suppressed).toEqual([1]);
  });
});
