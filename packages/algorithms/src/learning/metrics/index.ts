/*
 * Federated evaluation metrics (issue 6) — README.
 *
 * Each site evaluates the global model on its held-out split and returns only aggregates
 * (`siteEvaluation`); the hub adds them up (`poolEvaluations`, or secure aggregation) and
 * computes loss, accuracy, ROC AUC and calibration from the pooled sums (`federatedMetrics`).
 * No site releases a score.
 *
 * What secure aggregation (a SumForm) can carry — plain sums over sites, so Σ of the sites'
 * vectors is the vector of the pooled rows (`evaluationToVector` / `evaluationFromSum`):
 *   lossSum                         Σ per-row loss                       float sum
 *   examples, correct               row counts                           integer sums
 *   positive[b], negative[b]        histogram counts per bin and task    integer sums
 *   scoreSum[b]                     Σ score per bin and task             float sum
 * Vector length 3 + 3·T·B (T = 1 for a binary model, k for k classes; B bins, default 100).
 * Integer elements are rounded after unmasking, which removes the fixed-point error.
 *
 * What is NOT a sum, so is computed by the hub after pooling and never summed: loss and
 * accuracy (ratios), AUC (a pairwise statistic of the pooled histograms), ECE and the
 * reliability table (ratios per bin). The model update side is the same split: FedAvg, FedProx
 * and the FedOpt strategies need only Σ nᵢΔᵢ and Σ nᵢ (strategies `aggregateSum`); FedMedian
 * and the trimmed mean need every update and cannot run under secure aggregation.
 *
 * Binning error: a positive–negative pair in different bins is ordered exactly; a pair in the
 * same bin counts ½. So |AUC_binned − AUC| ≤ ½ Σ_b pos_b·neg_b / (P·N), reported with each AUC,
 * and 0 when no bin holds both classes. ECE is the standard equal-width-bin ECE exactly,
 * because the per-bin score sums give each bin's mean prediction.
 *
 * Disclosure: a per-site histogram with small cells reveals something about few rows; the
 * `train` algorithm decides, per node policy, whether the plain per-site aggregates may leave.
 */
export { histogramAuc, type BinnedAuc } from './auc.js';
export { calibration, type Calibration, type ReliabilityRow } from './calibration.js';
export {
  binOf,
  poolEvaluations,
  siteEvaluation,
  taskCount,
  type EvaluationCounts,
  type Predictions,
  type ScoreHistogram,
} from './evaluation.js';
export { federatedMetrics, type FederatedMetrics } from './federated.js';
export { evaluationFromSum, evaluationLength, evaluationToVector } from './vector.js';
