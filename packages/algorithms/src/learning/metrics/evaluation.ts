/*
 * What a site returns from evaluating the global model on its held-out split: sums and counts
 * only, never a score (issue 6, "no site releases scores"). Predicted probabilities go into
 * `bins` equal-width bins on [0, 1]: bin b holds scores in [b/B, (b+1)/B), the last bin also 1.
 */

/** Counts of one score (e.g. P(class c)) per bin, split by whether the row is of that class. */
export interface ScoreHistogram {
  /** Rows of the class, per bin. */
  readonly positive: readonly number[];
  /** Rows of any other class, per bin. */
  readonly negative: readonly number[];
  /** Sum of the scores that fell in each bin (for the mean predicted probability per bin). */
  readonly scoreSum: readonly number[];
}

/** One site's (or the pooled) evaluation aggregates. */
export interface EvaluationCounts {
  /** Sum of the per-example loss (the site's loss function, e.g. cross-entropy in nats). */
  readonly lossSum: number;
  /** Validation rows. */
  readonly examples: number;
  /** Rows whose most probable class is the true one. */
  readonly correct: number;
  /** Bins per histogram. */
  readonly bins: number;
  /** Binary model: one histogram, of P(class 1). k ≥ 3 classes: k, one per class versus rest. */
  readonly tasks: readonly ScoreHistogram[];
}

/** A site's predictions on its validation split. */
export interface Predictions {
  /** Row-major n × classes probabilities, each row summing to 1. */
  readonly probabilities: Float64Array;
  /** True class per row, 0 … classes − 1. */
  readonly labels: ArrayLike<number>;
  /** Number of classes, at least 2. */
  readonly classes: number;
  /** Σ per-example loss, computed by the model's own loss function. */
  readonly lossSum: number;
}

/** Histograms per evaluation: binary models need only the score of class 1. */
export const taskCount = (classes: number): number => (classes === 2 ? 1 : classes);

/**
 * The bin of a probability.
 * @throws Error when the probability is not in [0, 1].
 */
export function binOf(p: number, bins: number): number {
  if (!(p >= 0 && p <= 1)) throw new Error(`probability ${p} is not in [0, 1]`);
  return Math.min(bins - 1, Math.floor(p * bins));
}

const zeros = (n: number): number[] => new Array<number>(n).fill(0);

const bump = (a: number[], i: number, x: number): void => {
  a[i] = (a[i] ?? 0) + x;
};

/**
 * One site's evaluation aggregates. Accuracy takes the most probable class, the lowest index
 * on a tie (so a binary model predicts class 1 only above 0.5).
 * @throws Error when the shapes disagree, a label is not a class, a probability is outside
 *   [0, 1], `bins` is not a positive integer or the loss sum is not finite.
 */
export function siteEvaluation(pred: Predictions, bins = 100): EvaluationCounts {
  const { probabilities, labels, classes, lossSum } = pred;
  if (!Number.isSafeInteger(bins) || bins < 1)
    throw new Error(`bins ${bins} is not a positive integer`);
  if (!Number.isSafeInteger(classes) || classes < 2)
    throw new Error(`classes ${classes} is below 2`);
  if (probabilities.length !== labels.length * classes)
    throw new Error(
      `${probabilities.length} probabilities for ${labels.length} rows of ${classes} classes`,
    );
  if (!Number.isFinite(lossSum)) throw new Error(`loss sum ${lossSum} is not finite`);
  const tasks = Array.from({ length: taskCount(classes) }, () => ({
    positive: zeros(bins),
    negative: zeros(bins),
    scoreSum: zeros(bins),
  }));
  const first = classes === 2 ? 1 : 0;
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i] ?? -1;
    if (!Number.isInteger(y) || y < 0 || y >= classes)
      throw new Error(`row ${i} has label ${y}, not a class in 0..${classes - 1}`);
    let best = 0;
    for (let c = 0; c < classes; c++) {
      const p = probabilities[i * classes + c] ?? Number.NaN;
      const b = binOf(p, bins);
      if (p > (probabilities[i * classes + best] ?? 0)) best = c;
      const task = tasks[c - first];
      if (task === undefined) continue;
      bump(y === c ? task.positive : task.negative, b, 1);
      bump(task.scoreSum, b, p);
    }
    if (best === y) correct++;
  }
  return { lossSum, examples: labels.length, correct, bins, tasks };
}

/**
 * The sites' aggregates added up: what one site would have returned for the pooled rows
 * (counts exactly; the float sums up to rounding).
 * @throws Error when there is no site or the sites' bins or tasks differ.
 */
export function poolEvaluations(sites: readonly EvaluationCounts[]): EvaluationCounts {
  const [head] = sites;
  if (head === undefined) throw new Error('no site evaluation to pool');
  const add = (a: readonly number[], b: readonly number[]): number[] =>
    a.map((x, i) => x + (b[i] ?? 0));
  return sites.slice(1).reduce((acc, s, k) => {
    if (s.bins !== acc.bins || s.tasks.length !== acc.tasks.length)
      throw new Error(
        `site ${k + 1} has ${s.tasks.length} histograms of ${s.bins} bins, site 0 ${acc.tasks.length} of ${acc.bins}`,
      );
    return {
      lossSum: acc.lossSum + s.lossSum,
      examples: acc.examples + s.examples,
      correct: acc.correct + s.correct,
      bins: acc.bins,
      tasks: acc.tasks.map((t, j) => {
        const u = s.tasks[j] ?? t;
        return {
          positive: add(t.positive, u.positive),
          negative: add(t.negative, u.negative),
          scoreSum: add(t.scoreSum, u.scoreSum),
        };
      }),
    };
  }, head);
}
