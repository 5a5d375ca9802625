/*
 * The cohort filter (evaluateCohort) against R (test/fixtures/cohort/make-reference.R): each
 * filter is paired with an R expression, and R's which() gives the rows where it is TRUE under
 * R's three-valued logic, which is the filter language's. The kept rows must be exactly R's, on
 * the whole table and with the rows split over 3 and 5 sites (each node filters its own rows).
 */
import { cohortSchema } from '@tessera/protocol';
import { describe, expect, it } from 'vitest';
import { evaluateCohort } from '../../src/cohort-eval.js';
import type { Column, Table } from '../../src/table.js';
import { loadFixtureTable, readReference, splitRandomly } from '../support/fixtures.js';

interface Case {
  name: string;
  cohort: unknown;
  rows: number[];
}

/** The fixture with `visit` (days since 1970-01-01 in the CSV) as the date column it stands for. */
function fixtureTable(): Table {
  const raw = loadFixtureTable('cohort', { categorical: ['stage'] });
  const visit = raw.columns.visit;
  if (visit?.kind !== 'number') throw new Error('fixture lacks the visit column');
  const columns: Record<string, Column> = { ...raw.columns, visit: { ...visit, kind: 'date' } };
  return { rows: raw.rows, columns };
}

const table = fixtureTable();
const { cases } = readReference<{ cases: Case[] }>('cohort');

/** The `id` of every row the cohort keeps. */
function keptIds(t: Table, cohort: unknown): number[] {
  const mask = evaluateCohort(t, cohortSchema.parse(cohort));
  const id = t.columns.id;
  if (id?.kind !== 'number') throw new Error('fixture lacks the id column');
  return [...id.values].filter((_, i) => mask[i] === 1);
}

describe('cohort filter keeps the rows R keeps', () => {
  for (const c of cases) {
    it(`${c.name} on the whole table`, () => {
      expect(keptIds(table, c.cohort)).toEqual(c.rows);
    });

    it(`${c.name} with the rows split over 3 and 5 sites`, () => {
      for (const [sites, seed] of [
        [3, 71],
        [5, 72],
      ] as const) {
        const kept = splitRandomly(table, sites, seed).flatMap((t) => keptIds(t, c.cohort));
        expect(kept.sort((a, b) => a - b)).toEqual(c.rows);
      }
    });
  }
});
