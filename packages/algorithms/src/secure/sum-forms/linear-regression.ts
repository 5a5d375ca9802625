import {
  momentsInputSchema,
  momentsOutputSchema,
  type LinearRegressionParams,
  type MomentsOutput,
} from '../../linear-regression/schemas.js';
import { VectorReader, VectorWriter, type SumForm } from '../sum-form.js';

/*
 * `linear-regression` step 'moments': n, X'X (p × p, row-major), X'y, y'y, Σy. 'levels' carries
 * level names, not sums, so it stays a plain step. p is the intercept (when asked) plus the hub's
 * design columns, the same at every site.
 */

function parameters(params: LinearRegressionParams, input: unknown): number {
  const parsed = momentsInputSchema.safeParse(input);
  if (!parsed.success) throw new Error('input does not fit the moments step');
  return parsed.data.columns.length + (params.intercept ? 1 : 0);
}

/** `linear-regression` step 'moments'. */
export const momentsSumForm: SumForm<LinearRegressionParams> = {
  length: (params, input) => {
    const p = parameters(params, input);
    return 3 + p * p + p;
  },
  toVector(output, params, input) {
    const parsed = momentsOutputSchema.safeParse(output);
    if (!parsed.success) throw new Error('output does not fit the moments step');
    const o = parsed.data;
    const p = parameters(params, input);
    const w = new VectorWriter(3 + p * p + p);
    w.push(o.n);
    for (let j = 0; j < p; j++) for (let k = 0; k < p; k++) w.push(o.xtx[j]?.[k] ?? NaN);
    for (let j = 0; j < p; j++) w.push(o.xty[j] ?? NaN);
    w.push(o.yty);
    w.push(o.sumY);
    return w.done();
  },
  fromSum: (sum, params, input): MomentsOutput => {
    const p = parameters(params, input);
    const r = new VectorReader(sum);
    const n = r.count();
    const xtx = Array.from({ length: p }, () => Array.from({ length: p }, () => r.next()));
    // X'X is symmetric at every site; the sum of rounding errors need not be, so mirror it.
    for (let j = 0; j < p; j++) {
      for (let k = 0; k < j; k++) {
        const row = xtx[j];
        if (row !== undefined) row[k] = xtx[k]?.[j] ?? 0;
      }
    }
    const xty = Array.from({ length: p }, () => r.next());
    const yty = r.next();
    const sumY = r.next();
    r.done();
    return { n, xtx, xty, yty, sumY };
  },
};
