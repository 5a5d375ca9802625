import { parseCsv } from '@tessera/node';
import { TesseraError } from '@tessera/protocol';

/*
 * CSV for `model predict`, read by the node's RFC 4180 parser (the same the dataset importer
 * uses), with the file named in every error.
 */

/** One data record: its physical line (1-based) and its fields by header name. */
export interface CsvRow {
  readonly line: number;
  /** A Map, so that a column named like an Object property ("constructor") is just a column. */
  readonly values: ReadonlyMap<string, string>;
}

/** A CSV file's header and rows. */
export interface CsvTable {
  readonly header: readonly string[];
  readonly rows: readonly CsvRow[];
}

function csvError(file: string, line: number, what: string): TesseraError {
  return new TesseraError('BAD_REQUEST', `${file} line ${line}: ${what}`, { details: { line } });
}

/** The node's parser's records, its errors naming `file` ("CSV line 3: …" → "<file> line 3: …"). */
function* records(text: string, file: string): Generator<{ line: number; fields: string[] }> {
  try {
    yield* parseCsv(text);
  } catch (e) {
    if (e instanceof TesseraError && e.message.startsWith('CSV '))
      throw new TesseraError('BAD_REQUEST', `${file} ${e.message.slice(4)}`, {
        ...(e.details === undefined ? {} : { details: e.details }),
      });
    throw e;
  }
}

/**
 * Reads CSV text with a header line into rows keyed by column name (`file` names it in errors).
 * @throws TesseraError BAD_REQUEST naming the file and line of a malformed record, a record with
 *   another number of fields than the header, a blank or repeated column name, or no header.
 */
export function readCsvTable(text: string, file: string): CsvTable {
  const it = records(text, file);
  const first = it.next();
  if (first.done === true)
    throw new TesseraError('BAD_REQUEST', `${file} is empty (no header line)`);
  const header = first.value.fields.map((h) => h.trim());
  const seen = new Set<string>();
  header.forEach((h, k) => {
    if (h === '') throw csvError(file, first.value.line, `column ${k + 1} has no name`);
    if (seen.has(h)) throw csvError(file, first.value.line, `column "${h}" appears twice`);
    seen.add(h);
  });
  const rows: CsvRow[] = [];
  for (const r of it) {
    if (r.fields.length !== header.length)
      throw csvError(file, r.line, `${r.fields.length} fields, the header has ${header.length}`);
    rows.push({ line: r.line, values: new Map(header.map((h, k) => [h, r.fields[k] ?? ''])) });
  }
  return { header, rows };
}
