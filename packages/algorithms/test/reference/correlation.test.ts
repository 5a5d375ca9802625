/*
 * `correlation` against R (test/fixtures/correlation/make-reference.R: cor() over the complete
 * cases and cor.test() p-values). n must match exactly, r within rtol 1e-6 and p-values within
 * atol 1e-6 (issue 3). The same rows split over 1, 3 and 5 sites must give the same result.
 */
import { describe, expect, it } from 'vitest';
import { correlation } from '../../src/correlation/index.js';
import type { CorrelationResult } from '../../src/correlation/schemas.js';
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
  expected: CorrelationResult;
}

const table = loadFixtureTable('correlation');
const { cases } = readReference<{ cases: Case[] }>('correlation');

/** 1 site, then random splits over 3 and 5 sites (300+ rows a site). */
const LAYOUTS: readonly { sites: number; seed: number }[] = [
  { sites: 1, seed: 0 },
  { sites: 3, seed: 51 },
  { sites: 3, seed: 52 },
  { sites: 5, seed: 53 },
  { sites: 5, seed: 54 },
];
const tablesFor = (sites: number, seed: number): Table[] =>
  sites === 1 ? [table] : splitRandomly(table, sites, seed, 300);

describe('correlation matches R', () => {
  for (const c of cases) {
    for (const { sites, seed } of LAYOUTS) {
      it(`${c.name}, ${sites} site(s), split seed ${seed}`, () => {
        const { decision } = simulateJob(correlation, c.params, tablesFor(sites, seed));
        if (decision.kind !== 'done') throw new Error(`${decision.code}: ${decision.reason}`);
        const result = decision.result as CorrelationResult;
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
    }
  }
});
