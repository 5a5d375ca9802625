import type { ScoreHistogram } from './evaluation.js';

/** One row of a reliability table: a non-empty bin. */
export interface ReliabilityRow {
  /** Bin bounds on the probability scale. */
  readonly lo: number;
  readonly hi: number;
  /** Rows whose score fell in the bin. */
  readonly count: number;
  /** Mean predicted probability of the bin's rows. */
  readonly predicted: number;
  /** Fraction of the bin's rows that are of the class. */
  readonly observed: number;
}

/** Calibration of one score. */
export interface Calibration {
  /** Expected calibration error Σ_b (n_b/N)·|observed_b − predicted_b| (Naeini et al. 2015). */
  readonly ece: number;
  /** Non-empty bins in increasing order. */
  readonly table: readonly ReliabilityRow[];
}

/**
 * Calibration of a score from its histogram. The per-bin score sums make the predicted mean
 * exact, so the ECE equals the usual equal-width-bin ECE of the pooled rows. Null without rows.
 */
export function calibration(h: ScoreHistogram): Calibration | null {
  const bins = h.positive.length;
  const table: ReliabilityRow[] = [];
  let total = 0;
  let weighted = 0;
  h.positive.forEach((pos, b) => {
    const count = pos + (h.negative[b] ?? 0);
    if (count === 0) return;
    const predicted = (h.scoreSum[b] ?? 0) / count;
    const observed = pos / count;
    table.push({ lo: b / bins, hi: (b + 1) / bins, count, predicted, observed });
    total += count;
    weighted += count * Math.abs(observed - predicted);
  });
  return total === 0 ? null : { ece: weighted / total, table };
}
