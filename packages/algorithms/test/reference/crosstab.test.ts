/*
 * `crosstab` against R (test/fixtures/crosstab/make-reference.R: table() and
 * chisq.test(correct = FALSE)). Counts must match exactly; the statistic within rtol 1e-6 and the
 * p-value within atol 1e-6 (issue 3). The same rows split over 1, 3 and 5 sites must give the
 * same result.
 */
import { describe, expect, it } from 'vitest';
import { crosstab } from '../../src/crosstab/index.js';
import type { CrosstabResult } from '../../src/crosstab/schemas.js';
import { simulateJob } from '../../src/simulate.js';
import type { Table } from '../../src/table.js';
import {
  expectClose,
  loadFixtureTable,
  readReference,
  REFERENCE_TOLERANCE,
  splitRandomly,
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
const LAYOUTS: readonly { sites: number; seed: number }[] = [
  { sites: 1, seed: 0 },
  { sites: 3, seed: 21 },
  { sites: 3, seed: 22 },
  { sites: 5, seed: 23 },
  { sites: 5, seed: 24 },
];
const tablesFor = (sites: number, seed: number): Table[] =>
  sites === 1 ? [table] : splitRandomly(table, sites, seed, 500);

describe('crosstab matches R', () => {
  for (const c of cases) {
    for (const { sites, seed } of LAYOUTS) {
      it(`${c.name}, ${sites} site(s), split seed ${seed}`, () => {
        const { decision } = simulateJob(crosstab, c.params, tablesFor(sites, seed));
        if (decision.kind !== 'done') throw new Error(`${decision.code}: ${decision.reason}`);
        const result = decision.result as CrosstabResult;
        const { chiSquare, ...counts } = c.expected;
        expect(result).toMatchObject({ ...counts, sites });
        expect(result.note).toBeUndefined();
        expectClose(result.chiSquare?.statistic, chiSquare.statistic, 'chi-square statistic');
        expect(result.chiSquare?.df).toBe(chiSquare.df);
        expectClose(result.chiSquare?.pValue, chiSquare.pValue, 'p-value', REFERENCE_TOLERANCE);
      });
    }
  }

  it('withholds the chi-square test when a cell is suppressed', () => {
    // minCount one above the smallest cell: that cell and, by secondary suppression, one more go.
    const c = cases[0];
    if (c === undefined) throw new Error('no crosstab case');
    const smallest = Math.min(...c.expected.counts.flat().map((n) => n ?? Infinity));
    const { decision } = simulateJob(crosstab, c.params, [table], {
      policy: { minCount: smallest + 1, allowMinMax: false },
    });
    if (decision.kind !== 'done') throw new Error(`${decision.code}: ${decision.reason}`);
    const result = decision.result as CrosstabResult;
    expect(result.counts.flat().filter((n) => n === null)).toHaveLength(2);
    expect(result.chiSquare).toBeNull();
    expect(result.note).toMatch(/suppressed/);
  });
});
