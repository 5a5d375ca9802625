import type { SyntheticRow } from './generate.js';

/** The CSV columns, in order. */
export const SYNTHETIC_COLUMNS = [
  'patient_id',
  'age',
  'sex',
  'bmi',
  'smoking',
  'sbp',
  'hba1c',
  'diabetes',
  'followup_days',
  'event',
] as const satisfies readonly (keyof SyntheticRow)[];

/**
 * RFC 4180 CSV with a header line and `\n` line ends; a missing value is an empty field.
 * Fields are quoted only when they hold a comma, quote or line break.
 */
export function toCsv(rows: readonly SyntheticRow[]): string {
  const lines = [SYNTHETIC_COLUMNS.join(',')];
  for (const row of rows) lines.push(SYNTHETIC_COLUMNS.map((c) => field(row[c])).join(','));
  return `${lines.join('\n')}\n`;
}

function field(v: string | number | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
