/**
 * Where a command writes. `out` is stdout: with `--json` exactly one JSON document goes there and
 * nothing else (DESIGN "Public contract"); `err` is stderr: progress, warnings and the failure line.
 */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Whether stderr is a terminal, so progress may redraw one line (default: not). */
  readonly errTty?: boolean;
  /** The terminal's width when stderr is one. */
  readonly errColumns?: () => number | undefined;
}

/** The real terminal. */
export function processIo(): Io {
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    errTty: process.stderr.isTTY,
    errColumns: () => process.stderr.columns,
  };
}

/** Prints one JSON document on stdout. */
export function printJson(io: Io, value: unknown): void {
  io.out(`${JSON.stringify(value, null, 2)}\n`);
}

/** A progress or warning line on stderr, never on stdout. */
export function progress(io: Io, line: string): void {
  io.err(`${line}\n`);
}

/**
 * A plain-text table with a header row and a rule; numbers-looking cells are right-aligned so
 * columns of figures line up.
 */
export function formatTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const numeric = headers.map(
    (_, i) => rows.length > 0 && rows.every((r) => /^-?[\d.,e+-]*$/.test(r[i] ?? '')),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => {
        const w = widths[i] ?? 0;
        return numeric[i] === true ? c.padStart(w) : c.padEnd(w);
      })
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '─'.repeat(w)).join('  ');
  return [line(headers), rule, ...rows.map(line)].join('\n') + '\n';
}

/** A number for humans: integers as they are, others with 4 significant decimals. */
export function formatNumber(x: unknown): string {
  if (x === null || x === undefined) return '—';
  if (typeof x === 'string') return x;
  if (typeof x !== 'number') return JSON.stringify(x);
  if (Number.isInteger(x)) return String(x);
  return Math.abs(x) >= 1000 ? x.toFixed(1) : x.toPrecision(5).replace(/\.?0+$/, '');
}
