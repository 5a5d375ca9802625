import type { Table } from '@tessera/algorithms';

/*
 * The disclosure checks a step worker makes once it has the cohort's rows (the policy check
 * before the step sees only the schema).
 */

/**
 * The first categorical variable among `variables` with more distinct levels present in `table`
 * than `density` × its rows (DataSHIELD's levels-density rule: a factor with nearly one level per
 * row names its rows), or null. Variables not in the table, or not categorical, are skipped. Pure.
 */
export function denseLevelVariable(
  table: Table,
  variables: readonly string[],
  density: number,
): string | null {
  const allowed = density * table.rows;
  for (const v of variables) {
    const col = table.columns[v];
    if (col?.kind !== 'categorical') continue;
    const seen = new Uint8Array(col.levels.length);
    let distinct = 0;
    for (const c of col.codes) {
      if (c >= 0 && seen[c] === 0) {
        seen[c] = 1;
        distinct++;
      }
    }
    if (distinct > allowed) return v;
  }
  return null;
}

/**
 * Splits a cohort mask over the stacked datasets (in the order they were combined, `sizes` rows
 * each) into sorted row positions per dataset; null for a dataset whose every row is selected.
 * @throws RangeError when the mask is not as long as the datasets together.
 */
export function rowsPerDataset(
  mask: Uint8Array | null,
  sizes: readonly number[],
): (Uint32Array | null)[] {
  const total = sizes.reduce((a, b) => a + b, 0);
  if (mask !== null && mask.length !== total)
    throw new RangeError('the cohort mask differs from the row count');
  let start = 0;
  return sizes.map((n) => {
    const from = start;
    start += n;
    if (mask === null) return null;
    let count = 0;
    for (let i = from; i < from + n; i++) count += mask[i] === 1 ? 1 : 0;
    if (count === n) return null;
    const out = new Uint32Array(count);
    let k = 0;
    for (let i = from; i < from + n; i++) if (mask[i] === 1) out[k++] = i - from;
    return out;
  });
}
