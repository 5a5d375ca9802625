import { TesseraError } from '@tessera/protocol';

/** One CSV record with the physical line it starts on (1-based), for error messages. */
export interface CsvRecord {
  readonly line: number;
  readonly fields: string[];
}

function csvError(line: number, column: number | null, what: string): TesseraError {
  const where = column === null ? `line ${line}` : `line ${line}, column ${column}`;
  return new TesseraError('BAD_REQUEST', `CSV ${where}: ${what}`, {
    details: { line, ...(column === null ? {} : { column }) },
  });
}

/**
 * Parses CSV text per RFC 4180: fields separated by commas, records by CRLF or LF, fields in
 * double quotes may hold commas, line breaks and doubled quotes. A BOM is ignored. Empty lines
 * are skipped (a trailing newline is common and not a record).
 *
 * @throws TesseraError BAD_REQUEST naming the line (and column) of an unclosed quote or a quote
 *   inside an unquoted field.
 */
export function* parseCsv(text: string): Generator<CsvRecord> {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  const n = text.length;
  while (i < n) {
    const startLine = line;
    const fields: string[] = [];
    let atEnd = false;
    // An empty physical line is no record.
    if (text[i] === '\n' || (text[i] === '\r' && text[i + 1] === '\n')) {
      i += text[i] === '\r' ? 2 : 1;
      line++;
      continue;
    }
    while (!atEnd) {
      const column = fields.length + 1;
      let value: string;
      if (text[i] === '"') {
        const quoteLine = line;
        let j = i + 1;
        let out = '';
        for (;;) {
          const q = text.indexOf('"', j);
          if (q < 0) throw csvError(quoteLine, column, 'a quoted field is not closed');
          const piece = text.slice(j, q);
          for (let k = 0; k < piece.length; k++) if (piece.charCodeAt(k) === 10) line++;
          out += piece;
          if (text[q + 1] === '"') {
            out += '"';
            j = q + 2;
            continue;
          }
          i = q + 1;
          break;
        }
        value = out;
        const c = text[i];
        if (i < n && c !== ',' && c !== '\n' && !(c === '\r' && text[i + 1] === '\n')) {
          throw csvError(line, column, 'unexpected text after a closing quote');
        }
      } else {
        let j = i;
        while (j < n) {
          const c = text.charCodeAt(j);
          if (c === 44 || c === 10 || (c === 13 && text.charCodeAt(j + 1) === 10)) break;
          if (c === 34) throw csvError(line, column, 'a quote inside an unquoted field');
          j++;
        }
        value = text.slice(i, j);
        i = j;
      }
      fields.push(value);
      if (i >= n) {
        atEnd = true;
      } else if (text[i] === ',') {
        i++;
      } else {
        i += text[i] === '\r' ? 2 : 1;
        line++;
        atEnd = true;
      }
    }
    yield { line: startLine, fields };
  }
}
