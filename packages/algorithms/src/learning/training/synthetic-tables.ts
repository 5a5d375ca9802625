/*
 * Synthetic sites for federated learning tests, the demo and the bench: a task's rows as a
 * site's table, with label skew (each class kept with its own probability) and covariate shift
 * (rows kept more often on one side of the feature space), so the sites are non-identical while
 * P(y | x) stays the one of the task. Not patient data.
 */
import { createRng } from '../../numerics/random.js';
import type { Table } from '../../table.js';
import type { SyntheticTask } from './synthetic.js';

/**
 * `parts` disjoint consecutive slices of a task's rows, as tasks of their own: the sites of one
 * task share its labelling rule and differ only in their rows.
 * @throws RangeError unless 1 ≤ parts ≤ rows.
 */
export function splitTask(task: SyntheticTask, parts: number): SyntheticTask[] {
  if (!Number.isSafeInteger(parts) || parts < 1 || parts > task.rows)
    throw new RangeError(`cannot split ${task.rows} rows into ${parts} parts`);
  return Array.from({ length: parts }, (_, i) => {
    const from = Math.floor((i * task.rows) / parts);
    const to = Math.floor(((i + 1) * task.rows) / parts);
    return {
      x: task.x.slice(from * task.inputs, to * task.inputs),
      labels: task.labels.slice(from, to),
      rows: to - from,
      inputs: task.inputs,
    };
  });
}

/** How one site draws its rows from a task. */
export interface SiteSkew {
  /** Probability of keeping a row of class k (label skew); missing entries keep every row. */
  readonly keep: readonly number[];
  /**
   * Covariate shift: a row is kept with the extra probability σ(shift · x₁) on top of the
   * label rule, so shift > 0 favours large first features and shift < 0 small ones. 0: none.
   */
  readonly shift?: number;
  readonly seed: number;
}

/**
 * A site's table from `task`: number columns x1 … xp and a categorical outcome y with levels
 * c0 … c(K−1), holding the rows that survive the site's skew.
 */
export function skewedTable(task: SyntheticTask, skew: SiteSkew): Table {
  const rng = createRng(skew.seed);
  const classes = Math.max(...task.labels) + 1;
  const x: number[][] = [];
  const y: number[] = [];
  for (let r = 0; r < task.rows; r++) {
    const label = task.labels[r] ?? 0;
    const row = Array.from(task.x.subarray(r * task.inputs, (r + 1) * task.inputs));
    const shift = skew.shift ?? 0;
    const covariate = shift === 0 ? 1 : 1 / (1 + Math.exp(-shift * (row[0] ?? 0)));
    if (rng.uniform() >= (skew.keep[label] ?? 1) * covariate) continue;
    x.push(row);
    y.push(label);
  }
  const columns: Table['columns'] = Object.fromEntries(
    Array.from({ length: task.inputs }, (_, j) => [
      `x${j + 1}`,
      { kind: 'number', values: Float64Array.from(x, (row) => row[j] ?? Number.NaN) },
    ]),
  );
  const levels = Array.from({ length: classes }, (_, k) => `c${k}`);
  return {
    rows: y.length,
    columns: { ...columns, y: { kind: 'categorical', levels, codes: Int32Array.from(y) } },
  };
}
