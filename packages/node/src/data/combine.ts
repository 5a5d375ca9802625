import type { Column, Table } from '@tessera/algorithms';

/**
 * Stacks the rows of several datasets into one table (a job may name several datasets at a node).
 * Only variables present in all of them with the same kind are kept; categorical levels are
 * merged and sorted, and codes remapped. One table is returned as is.
 */
export function combineTables(tables: readonly Table[]): Table {
  const [first, ...rest] = tables;
  if (first === undefined) return { rows: 0, columns: {} };
  if (rest.length === 0) return first;
  const rows = tables.reduce((n, t) => n + t.rows, 0);
  const columns: Record<string, Column> = {};
  for (const [name, col] of Object.entries(first.columns)) {
    const parts = tables.map((t) => t.columns[name]);
    if (parts.some((p) => p?.kind !== col.kind)) continue;
    const present = parts as Column[];
    if (col.kind === 'categorical') {
      columns[name] = stackCategorical(present, rows);
    } else {
      const values = new Float64Array(rows);
      let at = 0;
      for (const p of present) {
        if (p.kind === 'categorical') continue;
        values.set(p.values, at);
        at += p.values.length;
      }
      columns[name] = { kind: col.kind, values };
    }
  }
  return { rows, columns };
}

function stackCategorical(parts: readonly Column[], rows: number): Column {
  const levelSet = new Set<string>();
  for (const p of parts) if (p.kind === 'categorical') for (const l of p.levels) levelSet.add(l);
  const levels = [...levelSet].sort();
  const index = new Map(levels.map((l, i) => [l, i]));
  const codes = new Int32Array(rows);
  let at = 0;
  for (const p of parts) {
    if (p.kind !== 'categorical') continue;
    const remap = p.levels.map((l) => index.get(l) ?? -1);
    for (let i = 0; i < p.codes.length; i++) {
      const c = p.codes[i] ?? -1;
      codes[at++] = c < 0 ? -1 : (remap[c] ?? -1);
    }
  }
  return { kind: 'categorical', levels, codes };
}
