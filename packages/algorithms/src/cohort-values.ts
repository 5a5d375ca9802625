import type { ColumnKind } from './table.js';

/** A scalar of the cohort language (protocol `cohortSchema`). */
export type CohortScalar = string | number | boolean;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/**
 * Days since 1970-01-01 (UTC) of an ISO calendar date `YYYY-MM-DD`, or null when it is not a real
 * date (e.g. 2023-02-30), so that a typo never silently becomes another day.
 */
export function isoDateToDays(text: string): number | null {
  const m = ISO_DATE.exec(text);
  if (m === null) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = Date.UTC(y, mo - 1, d);
  const back = new Date(t);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) {
    return null;
  }
  return t / DAY_MS;
}

/**
 * The number a cohort scalar stands for when compared with a number or date column, or null when
 * it cannot be compared. Booleans count as 1 / 0 on number columns (0/1 flags are imported as
 * numbers); dates take a number of days or an ISO date string.
 */
export function scalarAsNumber(value: CohortScalar, kind: 'number' | 'date'): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'boolean') return kind === 'number' ? (value ? 1 : 0) : null;
  return kind === 'date' ? isoDateToDays(value) : null;
}

/** The level name a cohort scalar stands for on a categorical column (`1` matches level "1"). */
export function scalarAsLevel(value: CohortScalar): string {
  return String(value);
}

/** True for a kind whose values are ordered (so `<` and `between` apply). */
export function isOrdered(kind: ColumnKind): kind is 'number' | 'date' {
  return kind === 'number' || kind === 'date';
}
