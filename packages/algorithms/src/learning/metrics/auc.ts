import type { ScoreHistogram } from './evaluation.js';

/** ROC AUC from binned scores, with the most the binning can have moved it. */
export interface BinnedAuc {
  /** AUC, counting a positive–negative pair in the same bin as a tie (½). */
  readonly auc: number;
  /** |auc − exact AUC| ≤ errorBound; 0 when no bin holds both classes. */
  readonly errorBound: number;
}

/**
 * ROC AUC (Mann–Whitney: P(S⁺ > S⁻) + ½ P(S⁺ = S⁻)) from a score histogram. A pair in
 * different bins is ordered correctly, because bins are ordered; a pair sharing bin b is
 * counted ½, the trapezoid under the ROC segment of that bin, where its true share is 0, ½ or 1.
 * Hence |error| ≤ ½ Σ_b pos_b·neg_b / (P·N): exact when no bin holds both classes.
 * Null when there are no positives or no negatives.
 */
export function histogramAuc(h: ScoreHistogram): BinnedAuc | null {
  let negativesBelow = 0;
  let ordered = 0;
  let shared = 0;
  let positives = 0;
  h.positive.forEach((pos, b) => {
    const neg = h.negative[b] ?? 0;
    ordered += pos * negativesBelow;
    shared += pos * neg;
    negativesBelow += neg;
    positives += pos;
  });
  const pairs = positives * negativesBelow;
  if (pairs === 0) return null;
  return { auc: (ordered + shared / 2) / pairs, errorBound: shared / 2 / pairs };
}
