import type { Column } from '@tessera/algorithms';
import { TesseraError } from '@tessera/protocol';

/** Most distinct levels a categorical column may have: more is an identifier, not a category. */
export const MAX_LEVELS = 1000;

const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/** Empty, NA and NULL are missing (surrounding blanks ignored). */
export function isMissing(raw: string): boolean {
  const t = raw.trim();
  return t === '' || t === 'NA' || t === 'NULL';
}

/** A finite number, or null when the text is not one (hex, Infinity and blanks are not numbers). */
export function parseNumber(raw: string): number | null {
  const t = raw.trim();
  if (!NUMBER_RE.test(t)) return null;
  const v = Number(t);
  return Number.isFinite(v) ? v : null;
}

/** Days since 1970-01-01 (UTC) of a real calendar date YYYY-MM-DD, or null. */
export function parseDate(raw: string): number | null {
  const m = DATE_RE.exec(raw.trim());
  if (m === null) return null;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) {
    return null;
  }
  return ms / DAY_MS;
}

/**
 * Infers a column's type and encodes it (DESIGN: number if every non-missing value is a finite
 * number, date if every one is YYYY-MM-DD, else categorical with sorted levels). A column with no
 * value at all is numeric and entirely missing.
 *
 * @throws TesseraError BAD_REQUEST when a categorical column has more than {@link MAX_LEVELS}
 *   levels, naming the column and the line where the limit was passed.
 */
export function inferColumn(
  name: string,
  values: readonly string[],
  lines: readonly number[],
): Column {
  const n = values.length;
  const asNumber = tryAll(values, parseNumber);
  if (asNumber !== null) return { kind: 'number', values: asNumber };
  const asDate = tryAll(values, parseDate);
  if (asDate !== null) return { kind: 'date', values: asDate };
  const seen = new Set<string>();
  for (let r = 0; r < n; r++) {
    const raw = values[r] ?? '';
    if (isMissing(raw)) continue;
    seen.add(raw.trim());
    if (seen.size > MAX_LEVELS) {
      throw new TesseraError(
        'BAD_REQUEST',
        `CSV line ${lines[r] ?? '?'}, column "${name}": more than ${MAX_LEVELS} distinct values; ` +
          'an identifier should be given as --id-column, free text is not supported',
        { details: { line: lines[r], column: name } },
      );
    }
  }
  const levels = [...seen].sort();
  const index = new Map(levels.map((l, i) => [l, i]));
  const codes = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    const raw = values[r] ?? '';
    codes[r] = isMissing(raw) ? -1 : (index.get(raw.trim()) ?? -1);
  }
  return { kind: 'categorical', levels, codes };
}

function tryAll(
  values: readonly string[],
  parse: (raw: string) => number | null,
): Float64Array | null {
  const out = new Float64Array(values.length);
  for (let r = 0; r < values.length; r++) {
    const raw = values[r] ?? '';
    if (isMissing(raw)) {
      out[r] = NaN;
      continue;
    }
    const v = parse(raw);
    if (v === null) return null;
    out[r] = v;
  }
  return out;
}
