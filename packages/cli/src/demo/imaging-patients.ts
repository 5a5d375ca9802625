import type { SynthPatient } from '@tessera/node';

/*
 * Which of a demo site's synthetic patients get imaging studies, and as whom: the same Patient ID
 * as their tabular row (so the node links images and rows by the same keyed pseudonym), their sex,
 * and a birth date consistent with their tabular `age`.
 */

/** The day on which a patient's tabular `age` is their age in whole years. */
export const AGE_REFERENCE_DATE = '2024-01-01';

/** The tabular columns the imaging patients are made from. */
export interface TabularPatient {
  readonly patient_id: string;
  readonly age: number;
  readonly sex: 'F' | 'M' | null;
}

/**
 * A birth date on which someone is `age` on {@link AGE_REFERENCE_DATE}: born in the year
 * 2024 − age − 1, on a day after 1 January spread by `index`, so the birthday is still to come.
 * @throws RangeError for an age that is not a whole number from 0 to 150.
 */
export function birthDateFor(age: number, index: number): string {
  if (!Number.isInteger(age) || age < 0 || age > 150) {
    throw new RangeError(`age must be a whole number of years from 0 to 150, got ${String(age)}`);
  }
  const year = Number(AGE_REFERENCE_DATE.slice(0, 4)) - age - 1;
  const month = 1 + ((index * 5) % 12);
  // Day 2 at the earliest: born on 1 January, one would already be a year older that day.
  const day = 2 + ((index * 7) % 27);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Whole years from `birth` to `on` (both YYYY-MM-DD). */
export function ageOn(birth: string, on: string): number {
  const years = Number(on.slice(0, 4)) - Number(birth.slice(0, 4));
  return on.slice(5) < birth.slice(5) ? years - 1 : years;
}

/** The first `count` rows as patients to image (fewer when the site has fewer). */
export function imagingPatients(rows: readonly TabularPatient[], count: number): SynthPatient[] {
  return rows.slice(0, count).map((r, i) => ({
    id: r.patient_id,
    sex: r.sex ?? 'O',
    birthDate: birthDateFor(r.age, i),
  }));
}
