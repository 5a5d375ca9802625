import { taskCount, type EvaluationCounts } from './evaluation.js';

/*
 * The evaluation aggregates as one vector, for secure aggregation: every element is a plain
 * sum over sites, so the sum of the sites' vectors is the vector of the pooled rows.
 * Layout: [lossSum, examples, correct, then per histogram: positive[bins], negative[bins],
 * scoreSum[bins]].
 */

/** Elements of the vector for a model with `classes` classes and `bins` bins. */
export const evaluationLength = (classes: number, bins: number): number =>
  3 + 3 * taskCount(classes) * bins;

/** One site's aggregates as a vector (layout above). */
export function evaluationToVector(e: EvaluationCounts): Float64Array {
  const parts = [e.lossSum, e.examples, e.correct];
  for (const t of e.tasks) parts.push(...t.positive, ...t.negative, ...t.scoreSum);
  return Float64Array.from(parts);
}

/**
 * The pooled aggregates from the sum of the sites' vectors. Counts are rounded to integers,
 * which removes the fixed-point error of secure aggregation from them.
 * @throws Error when the length does not fit `classes` and `bins`.
 */
export function evaluationFromSum(
  sum: Float64Array,
  classes: number,
  bins: number,
): EvaluationCounts {
  const expected = evaluationLength(classes, bins);
  if (sum.length !== expected)
    throw new Error(
      `evaluation vector has ${sum.length} elements, ${classes} classes and ${bins} bins need ${expected}`,
    );
  const slice = (from: number, round: boolean): number[] =>
    Array.from(sum.subarray(from, from + bins), (x) => (round ? Math.round(x) : x));
  return {
    lossSum: sum[0] ?? 0,
    examples: Math.round(sum[1] ?? 0),
    correct: Math.round(sum[2] ?? 0),
    bins,
    tasks: Array.from({ length: taskCount(classes) }, (_, t) => {
      const at = 3 + 3 * t * bins;
      return {
        positive: slice(at, true),
        negative: slice(at + bins, true),
        scoreSum: slice(at + 2 * bins, false),
      };
    }),
  };
}
