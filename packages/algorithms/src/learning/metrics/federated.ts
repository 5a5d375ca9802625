import { histogramAuc } from './auc.js';
import { calibration, type ReliabilityRow } from './calibration.js';
import type { EvaluationCounts } from './evaluation.js';

/** Federated evaluation of one round, from pooled aggregates. */
export interface FederatedMetrics {
  /** Validation rows across the sites. */
  readonly examples: number;
  /** Mean loss per row. */
  readonly loss: number;
  /** Fraction of rows whose most probable class is the true one. */
  readonly accuracy: number;
  /** ROC AUC (binary) or the mean of the one-versus-rest AUCs (k classes); null if undefined. */
  readonly auc: number | null;
  /** The most binning can have moved `auc` (see histogramAuc); null with `auc`. */
  readonly aucErrorBound: number | null;
  /** ECE of P(class 1) (binary) or the mean class-wise ECE (k classes). */
  readonly ece: number;
  /** Reliability table per histogram (one for a binary model, one per class otherwise). */
  readonly reliability: readonly (readonly ReliabilityRow[])[];
}

/**
 * Loss, accuracy, AUC and calibration from the pooled aggregates of every site. A multi-class
 * AUC is the unweighted mean over the classes that have both positives and negatives.
 * @throws Error when there is no validation row.
 */
export function federatedMetrics(pooled: EvaluationCounts): FederatedMetrics {
  if (pooled.examples <= 0) throw new Error('no validation rows to evaluate on');
  const aucs = pooled.tasks.map(histogramAuc).filter((a) => a !== null);
  const cal = pooled.tasks.map(calibration).filter((c) => c !== null);
  const mean = (x: readonly number[]): number => x.reduce((s, v) => s + v, 0) / x.length;
  return {
    examples: pooled.examples,
    loss: pooled.lossSum / pooled.examples,
    accuracy: pooled.correct / pooled.examples,
    auc: aucs.length === 0 ? null : mean(aucs.map((a) => a.auc)),
    aucErrorBound: aucs.length === 0 ? null : mean(aucs.map((a) => a.errorBound)),
    ece: mean(cal.map((c) => c.ece)),
    reliability: cal.map((c) => c.table),
  };
}
