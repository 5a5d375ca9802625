import { cohortSchema, TesseraError, type Cohort } from '@tessera/protocol';
import { describe, expect, it } from 'vitest';
import { evaluateCohort, filterTable } from './cohort-eval.js';
import { validateCohort } from './cohort-validate.js';
import { isoDateToDays } from './cohort-values.js';
import { categoricalColumn, makeTable, numberColumn, tableVariables } from './table-info.js';

function makePatients() {
  return makeTable({
    age: numberColumn([30, 55, null, 70, 50]),
    sex: categoricalColumn(['F', 'M', 'F', null, 'M']),
    seen: { kind: 'date', values: Float64Array.from([0, 19000, 19500, Number.NaN, 20000]) },
  });
}

const keep = (c: Cohort | null): number[] => [...evaluateCohort(makePatients(), c)];

describe('evaluateCohort', () => {
  it('keeps every row when there is no cohort', () => {
    expect(keep(null)).toEqual([1, 1, 1, 1, 1]);
  });

  it('applies each comparison operator on a number column', () => {
    expect(keep({ variable: 'age', op: '>=', value: 50 })).toEqual([0, 1, 0, 1, 1]);
    expect(keep({ variable: 'age', op: '>', value: 50 })).toEqual([0, 1, 0, 1, 0]);
    expect(keep({ variable: 'age', op: '<', value: 50 })).toEqual([1, 0, 0, 0, 0]);
    expect(keep({ variable: 'age', op: '<=', value: 50 })).toEqual([1, 0, 0, 0, 1]);
    expect(keep({ variable: 'age', op: '=', value: 70 })).toEqual([0, 0, 0, 1, 0]);
    expect(keep({ variable: 'age', op: '!=', value: 70 })).toEqual([1, 1, 0, 0, 1]);
    expect(keep({ variable: 'age', op: 'in', value: [30, 70] })).toEqual([1, 0, 0, 1, 0]);
    expect(keep({ variable: 'age', op: 'between', value: [50, 55] })).toEqual([0, 1, 0, 0, 1]);
    expect(keep({ variable: 'age', op: 'isNull' })).toEqual([0, 0, 1, 0, 0]);
    expect(keep({ variable: 'age', op: 'notNull' })).toEqual([1, 1, 0, 1, 1]);
  });

  it('matches categorical levels by name and treats an unknown level as matching nothing', () => {
    expect(keep({ variable: 'sex', op: '=', value: 'F' })).toEqual([1, 0, 1, 0, 0]);
    expect(keep({ variable: 'sex', op: '!=', value: 'F' })).toEqual([0, 1, 0, 0, 1]);
    expect(keep({ variable: 'sex', op: 'in', value: ['M', 'X'] })).toEqual([0, 1, 0, 0, 1]);
    expect(keep({ variable: 'sex', op: '=', value: 'X' })).toEqual([0, 0, 0, 0, 0]);
    expect(keep({ variable: 'sex', op: 'isNull' })).toEqual([0, 0, 0, 1, 0]);
  });

  it('compares date columns with ISO dates or day numbers', () => {
    expect(keep({ variable: 'seen', op: '>=', value: '2022-01-10' })).toEqual([0, 0, 1, 0, 1]);
    expect(keep({ variable: 'seen', op: '<', value: 19000 })).toEqual([1, 0, 0, 0, 0]);
    expect(isoDateToDays('2022-01-01')).toBe(18993);
    expect(isoDateToDays('2023-02-30')).toBeNull();
  });

  it('uses three-valued logic: not of a comparison with a missing value is still dropped', () => {
    // Row 3 (age missing) is in neither the cohort nor its negation, as in SQL.
    expect(keep({ variable: 'age', op: '<', value: 50 })[2]).toBe(0);
    expect(keep({ not: { variable: 'age', op: '<', value: 50 } })).toEqual([0, 1, 0, 1, 1]);
    // UNKNOWN OR TRUE is TRUE; UNKNOWN AND FALSE is FALSE; UNKNOWN AND TRUE is UNKNOWN (dropped).
    const ageLow: Cohort = { variable: 'age', op: '<', value: 50 };
    const female: Cohort = { variable: 'sex', op: '=', value: 'F' };
    expect(keep({ or: [ageLow, female] })).toEqual([1, 0, 1, 0, 0]);
    expect(keep({ not: { and: [ageLow, female] } })).toEqual([0, 1, 0, 1, 1]);
    expect(keep({ not: { or: [ageLow, female] } })).toEqual([0, 1, 0, 0, 1]);
  });

  it('combines and / or / not', () => {
    const c = cohortSchema.parse({
      and: [
        { variable: 'age', op: '>=', value: 50 },
        {
          or: [
            { variable: 'sex', op: '=', value: 'M' },
            { variable: 'sex', op: 'isNull' },
          ],
        },
      ],
    });
    expect(keep(c)).toEqual([0, 1, 0, 1, 1]);
  });

  it('refuses a cohort that does not fit the table with BAD_REQUEST listing the problems', () => {
    const bad: Cohort = { variable: 'weight', op: '>', value: 1 };
    expect(() => keep(bad)).toThrowError(TesseraError);
    expect(() => keep(bad)).toThrowError(/weight: not a variable/);
  });
});

describe('validateCohort', () => {
  const vars = tableVariables(makePatients());

  it('accepts a cohort that fits, including an unknown categorical level', () => {
    expect(validateCohort(vars, { variable: 'sex', op: 'in', value: ['F', 'X'] })).toEqual([]);
    expect(validateCohort(vars, { variable: 'age', op: '=', value: true })).toEqual([]);
  });

  it('names the variable in every problem', () => {
    const problems = validateCohort(vars, {
      and: [
        { variable: 'nope', op: 'isNull' },
        { variable: 'age', op: '<', value: 'fifty' },
        { variable: 'sex', op: 'between', value: [1, 2] },
        { variable: 'sex', op: '<', value: 'M' },
        { variable: 'age', op: 'between', value: [60, 50] },
        { variable: 'seen', op: '=', value: '2022-13-01' },
        { variable: 'age', op: 'in', value: [1, 'x'] },
      ],
    });
    expect(problems).toEqual([
      'nope: not a variable of the dataset',
      "age: '<' on a number variable needs a number, got a string",
      "sex: 'between' does not apply to a categorical variable",
      "sex: '<' does not apply to a categorical variable",
      "age: 'between' needs the lower bound first",
      "seen: '=' on a date variable needs a date (YYYY-MM-DD) or a number of days, got a string",
      "age: 'in' on a number variable needs a number, got a string",
    ]);
  });

  it('refuses a tree deeper than the protocol allows', () => {
    let c: Cohort = { variable: 'age', op: 'isNull' };
    for (let i = 0; i < 10; i++) c = { not: c };
    expect(validateCohort(vars, c)).toEqual(['cohort: nested deeper than 10 levels']);
  });
});

describe('filterTable', () => {
  it('keeps the masked rows of every column', () => {
    const t = filterTable(makePatients(), Uint8Array.from([1, 0, 1, 0, 0]));
    expect(t.rows).toBe(2);
    const age = t.columns.age;
    const sex = t.columns.sex;
    expect(age?.kind === 'number' && [...age.values]).toEqual([30, Number.NaN]);
    expect(sex?.kind === 'categorical' && [...sex.codes]).toEqual([0, 0]);
  });

  it('refuses a mask of the wrong length', () => {
    expect(() => filterTable(makePatients(), new Uint8Array(4))).toThrowError(RangeError);
  });
});

describe('tableVariables', () => {
  it('describes columns with their kinds and levels', () => {
    expect(tableVariables(makePatients())).toEqual([
      { name: 'age', kind: 'number' },
      { name: 'sex', kind: 'categorical', levels: ['F', 'M'] },
      { name: 'seen', kind: 'date' },
    ]);
  });
});
