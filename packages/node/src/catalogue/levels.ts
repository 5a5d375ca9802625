import type { Column } from '@tessera/algorithms';
import type { CatalogueVariable } from '@tessera/protocol';
import type { DatasetSchemaFile } from '../data/dataset-format.js';

/*
 * Which categorical levels a catalogue may name (issue 3): only those held by at least the
 * node's minCount rows, because a rare level's name is itself disclosive ("the one patient with
 * condition X is here"). Counts stay at the node; none is ever published.
 */

/** Rows per level of a categorical column (missing rows, code -1, are not counted). */
export function countLevels(col: Column): number[] {
  if (col.kind !== 'categorical') return [];
  const counts = new Array<number>(col.levels.length).fill(0);
  for (const code of col.codes)
    if (code >= 0 && code < counts.length) counts[code] = (counts[code] ?? 0) + 1;
  return counts;
}

/**
 * The catalogue variables of a dataset: every variable's name and kind, and for a categorical
 * the levels whose count in `counts` (per variable, in level order) is at least `minCount`.
 * A categorical without counts publishes no level, so a missing count can never leak one.
 * An identifier column (`identifiers`) is marked as one and never lists a level, whatever its
 * counts: a patient with minCount series would otherwise have their pseudonym published.
 */
export function publishableVariables(
  variables: DatasetSchemaFile['variables'],
  counts: Readonly<Record<string, readonly number[]>>,
  minCount: number,
  identifiers: readonly string[],
): CatalogueVariable[] {
  return variables.map((v) => {
    if (identifiers.includes(v.name)) return { name: v.name, kind: v.kind, identifier: true };
    if (v.kind !== 'categorical') return { name: v.name, kind: v.kind };
    const c = Object.hasOwn(counts, v.name) ? counts[v.name] : undefined;
    const levels = (v.levels ?? []).filter((_, i) => (c?.[i] ?? 0) >= minCount);
    return { name: v.name, kind: v.kind, levels };
  });
}
