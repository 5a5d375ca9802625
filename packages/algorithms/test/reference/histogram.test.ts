/*
 * `histogram` against R (test/fixtures/histogram/make-reference.R: cut(right = FALSE,
 * include.lowest = TRUE) with the same edges). Counts are integers, so they must match exactly;
 * edges too, since bin membership depends on every bit of them. The same rows split over 1, 3
 * and 5 sites must give the same result (issue 3, "Done when").
 */
import { describe, expect, it } from 'vitest';
import { histogram, type HistogramResult } from '../../src/histogram/index.js';
import { simulateJob } from '../../src/simulate.js';
import type { Table } from '../../src/table.js';
import { loadFixtureTable, readReference, splitRandomly } from '../support/fixtures.js';

interface Case {
  name: string;
  params: unknown;
  expected: Omit<HistogramResult, 'sites' | 'suppressed'>;
}

const table = loadFixtureTable('histogram');
const { cases } = readReference<{ cases: Case[] }>('histogram');

/** 1 site, then random splits over 3 and 5 sites; 300+ rows a site keeps every cell ≥ minCount. */
const LAYOUTS: readonly { sites: number; seed: number }[] = [
  { sites: 1, seed: 0 },
  { sites: 3, seed: 11 },
  { sites: 3, seed: 12 },
  { sites: 5, seed: 13 },
  { sites: 5, seed: 14 },
];
const tablesFor = (sites: number, seed: number): Table[] =>
  sites === 1 ? [table] : splitRandomly(table, sites, seed, 300);

function run(params: unknown, tables: readonly Table[]): HistogramResult {
  const { decision } = simulateJob(histogram, params, tables);
  if (decision.kind !== 'done') throw new Error(`${decision.code}: ${decision.reason}`);
  return decision.result as HistogramResult;
}

describe('histogram matches R', () => {
  for (const c of cases) {
    for (const { sites, seed } of LAYOUTS) {
      it(`${c.name}, ${sites} site(s), split seed ${seed}`, () => {
        const result = run(c.params, tablesFor(sites, seed));
        expect(result).toEqual({ ...c.expected, sites, suppressed: [] });
      });
    }
  }

  it('hides a bin below minCount and, by secondary suppression, the smallest other cell', () => {
    // [50, 51) holds only age 50, fewer than 40 rows; the smallest other cell is `below`.
    const params = { variable: 'age', edges: [10, 50, 51, 85] };
    const { decision } = simulateJob(histogram, params, [table], {
      policy: { minCount: 40, allowMinMax: false },
    });
    const result = (decision.kind === 'done' ? decision.result : null) as HistogramResult | null;
    expect(result?.counts.map((c) => c === null)).toEqual([false, true, false]);
    expect(result?.below).toBeNull();
    expect(result?.above).not.toBeNull();
    expect(result?.suppressed).toEqual([1]);
  });
});
