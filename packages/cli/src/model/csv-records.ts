import { TesseraError } from '@tessera/protocol';

/*
 * CSV for `model predict` (RFC 4180: comma-separated fields, CRLF or LF records, fields in double
 * quotes may hold commas, line breaks and doubled quotes; a BOM is ignored, empty lines are no
 * record). The node's importer reads CSV the same way (packages/node/src/data/csv.ts); its parser
 * is not exported from @tessera/node, so the CLI has this small one for local files.
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

/** Splits CSV text into records of fields, each with the line it starts on. */
function* records(text: string, file: string): Generator<{ line: number; fields: string[] }> {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  const n = text.length;
  const eol = (k: number): number =>
    text[k] === '\n' ? 1 : text[k] === '\r' && text[k + 1] === '\n' ? 2 : 0;
  while (i < n) {
    if (eol(i) > 0) {
      i += eol(i);
      line++;
      continue;
    }
    const start = line;
    const fields: string[] = [];
    for (;;) {
      let value = '';
      if (text[i] === '"') {
        let j = i + 1;
        for (;;) {
          const q = text.indexOf('"', j);
          if (q < 0) throw csvError(file, start, 'a quoted field is not closed');
          value += text.slice(j, q);
          if (text[q + 1] !== '"') {
            i = q + 1;
            break;
          }
          value += '"';
          j = q + 2;
        }
        line += (value.match(/\n/g) ?? []).length;
        if (i < n && text[i] !== ',' && eol(i) === 0)
          throw csvError(
            file,
            line,
            `unexpected text after the closing quote of field ${fields.length + 1}`,
          );
      } else {
        let j = i;
        while (j < n && text[j] !== ',' && eol(j) === 0) {
          if (text[j] === '"')
            throw csvError(file, line, `a quote inside unquoted field ${fields.length + 1}`);
          j++;
        }
        value = text.slice(i, j);
        i = j;
      }
      fields.push(value);
      if (i < n && text[i] === ',') {
        i++;
        continue;
      }
      if (i < n) {
        i += eol(i);
        line++;
      }
      break;
    }
    yield { line: start, fields };
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
