import { describe, expect, it } from 'vitest';
import { AGE_REFERENCE_DATE, ageOn, birthDateFor, imagingPatients } from './imaging-patients.js';

describe('imagingPatients', () => {
  it('keeps the tabular Patient ID and sex, with a birth date that gives the tabular age', () => {
    const rows = [
      { patient_id: 'S1-000001', age: 54, sex: 'F' as const },
      { patient_id: 'S1-000002', age: 18, sex: 'M' as const },
      { patient_id: 'S1-000003', age: 95, sex: null },
    ];
    const patients = imagingPatients(rows, 2);
    expect(patients.map((p) => [p.id, p.sex])).toEqual([
      ['S1-000001', 'F'],
      ['S1-000002', 'M'],
    ]);
    patients.forEach((p, i) => {
      expect(ageOn(p.birthDate, AGE_REFERENCE_DATE)).toBe(rows[i]?.age);
    });
    expect(imagingPatients(rows, 10).at(-1)?.sex).toBe('O');
  });

  it('gives the tabular age on the reference day for every spread of birthdays', () => {
    for (let i = 0; i < 400; i++) {
      const birth = birthDateFor(i % 100, i);
      expect(birth).toMatch(/^\d{4}-(0[1-9]|1[0-2])-(0[2-9]|[12]\d)$/);
      expect(ageOn(birth, AGE_REFERENCE_DATE)).toBe(i % 100);
    }
  });

  it('refuses an age that is not a whole number of years', () => {
    expect(() => birthDateFor(54.5, 0)).toThrowError('age must be a whole number');
    expect(() => birthDateFor(-1, 0)).toThrowError('got -1');
  });
});

describe('ageOn', () => {
  it('counts whole years, a year less before the birthday', () => {
    expect(ageOn('1970-06-15', '2024-06-14')).toBe(53);
    expect(ageOn('1970-06-15', '2024-06-15')).toBe(54);
  });
});
