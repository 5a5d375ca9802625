import type { Cohort } from '@tessera/protocol';
import { describe, expect, it } from 'vitest';
import { cohortVariables } from '@tessera/protocol';
import { identifierReason, identifierUse } from './identifier-check.js';

const identifiers = new Map([
  ['imaging', ['patient_id', 'study_uid', 'series_uid']],
  ['cohort', []],
]);

describe('cohortVariables', () => {
  it('lists every variable at any depth of and / or / not, each once', () => {
    const cohort: Cohort = {
      and: [
        { variable: 'age', op: '>=', value: 50 },
        {
          or: [
            { not: { variable: 'sex', op: '=', value: 'F' } },
            { variable: 'age', op: 'isNull' },
          ],
        },
        { not: { not: { variable: 'series_uid', op: 'in', value: ['a'] } } },
      ],
    };
    expect(cohortVariables(cohort)).toEqual(['age', 'sex', 'series_uid']);
    expect(cohortVariables(null)).toEqual([]);
  });
});

describe('identifierUse', () => {
  it('finds an identifier the algorithm reads as a variable', () => {
    expect(identifierUse(['modality', 'patient_id'], null, ['imaging'], identifiers)).toEqual({
      variable: 'patient_id',
      dataset: 'imaging',
      where: 'variables',
    });
  });

  it('finds an identifier named deep inside the cohort', () => {
    const cohort: Cohort = {
      or: [
        { variable: 'modality', op: '=', value: 'CT' },
        { and: [{ not: { variable: 'study_uid', op: 'notNull' } }] },
      ],
    };
    expect(identifierUse(['modality'], cohort, ['imaging'], identifiers)).toEqual({
      variable: 'study_uid',
      dataset: 'imaging',
      where: 'cohort',
    });
  });

  it('looks at every dataset the job names, since its rows are their union', () => {
    expect(identifierUse(['series_uid'], null, ['cohort', 'imaging'], identifiers)).toMatchObject({
      dataset: 'imaging',
    });
  });

  it('lets through a job that names no identifier, or a dataset that declares none', () => {
    const cohort: Cohort = { variable: 'modality', op: '=', value: 'CT' };
    expect(identifierUse(['modality', 'age'], cohort, ['imaging'], identifiers)).toBeNull();
    expect(identifierUse(['patient_id'], null, ['cohort'], identifiers)).toBeNull();
    expect(identifierUse(['patient_id'], null, ['unknown'], identifiers)).toBeNull();
  });
});

describe('identifierReason', () => {
  it('names the column and the dataset, and whether a variable or the cohort named it', () => {
    expect(
      identifierReason({ variable: 'patient_id', dataset: 'imaging', where: 'variables' }),
    ).toBe('variable patient_id is an identifier column of dataset imaging; no job may read it');
    expect(identifierReason({ variable: 'study_uid', dataset: 'imaging', where: 'cohort' })).toBe(
      'the cohort names study_uid, an identifier column of dataset imaging; no cohort may filter on it',
    );
  });
});
