/*
 * Whole-day shifts of DICOM dates (PS3.5 6.2: DA, DT) for Retain Longitudinal Temporal
 * Information with Modified Dates (PS3.15 E.3.6). Shifting by whole days keeps every interval
 * and leaves times of day (TM) and time zones unchanged.
 */

const DAY_MS = 86_400_000;

function shiftYmd(y: number, m: number, d: number, days: number): [number, number, number] {
  const t = new Date(Date.UTC(y, m - 1, d) + days * DAY_MS);
  return [t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate()];
}

function validYmd(y: number, m: number, d: number): boolean {
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** One DA value 'YYYYMMDD' shifted by `days`; undefined when it is not such a date. */
function shiftOneDate(value: string, days: number): string | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(value);
  if (m === null) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (!validYmd(y, mo, d)) return undefined;
  const [ny, nm, nd] = shiftYmd(y, mo, d, days);
  if (ny < 1 || ny > 9999) return undefined;
  return `${pad(ny, 4)}${pad(nm, 2)}${pad(nd, 2)}`;
}

/**
 * A DA value shifted by `days`: one date, or a range 'A-B', '-B' or 'A-' (PS3.4 C.2.2.2.5).
 * @returns undefined when the text is not a DA value (the caller then drops it).
 */
export function shiftDa(value: string, days: number): string | undefined {
  const v = value.trim();
  if (v === '') return '';
  if (!v.includes('-')) return shiftOneDate(v, days);
  const [from = '', to = '', ...rest] = v.split('-');
  if (rest.length > 0) return undefined;
  const a = from === '' ? '' : shiftOneDate(from, days);
  const b = to === '' ? '' : shiftOneDate(to, days);
  if (a === undefined || b === undefined || (a === '' && b === '')) return undefined;
  return `${a}-${b}`;
}

const DT = /^(\d{4})(\d{2})?(\d{2})?(\d{2}(?:\d{2}(?:\d{2}(?:\.\d{1,6})?)?)?)?([+-]\d{4})?$/;

/**
 * A DT value 'YYYY[MM[DD[HH[MM[SS[.F]]]]]][&ZZXX]' with its date part shifted by `days`; the
 * time of day, the fraction and the offset from UTC are kept, and so is the precision (a DT of
 * 'YYYYMM' is shifted from the first of the month and written back as 'YYYYMM').
 * @returns undefined when the text is not a DT value.
 */
export function shiftDt(value: string, days: number): string | undefined {
  const v = value.trim();
  if (v === '') return '';
  const m = DT.exec(v);
  if (m === null) return undefined;
  const y = Number(m[1]);
  const mo = m[2] === undefined ? 1 : Number(m[2]);
  const d = m[3] === undefined ? 1 : Number(m[3]);
  if (m[3] === undefined && m[4] !== undefined) return undefined;
  if (!validYmd(y, mo, d)) return undefined;
  const [ny, nm, nd] = shiftYmd(y, mo, d, days);
  if (ny < 1 || ny > 9999) return undefined;
  let out = pad(ny, 4);
  if (m[2] !== undefined) out += pad(nm, 2);
  if (m[3] !== undefined) out += pad(nd, 2);
  return out + (m[4] ?? '') + (m[5] ?? '');
}

/** 'YYYY-MM-DD' from a DA value 'YYYYMMDD'; undefined for anything else. */
export function isoDate(da: string): string | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(da.trim());
  if (m === null) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return validYmd(y, mo, d) ? `${m[1] ?? ''}-${m[2] ?? ''}-${m[3] ?? ''}` : undefined;
}
