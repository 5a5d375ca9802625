import {
  newtonInputSchema,
  newtonOutputSchema,
  type GlmParams,
  type NewtonOutput,
} from '../../glm/schemas.js';
import { VectorReader, VectorWriter, type SumForm } from '../sum-form.js';

/*
 * `logistic-regression` / `poisson-regression` step 'newton': n, the packed upper triangle of
 * X'WX, the score, the deviance, the log-likelihood and an overflow flag. A site whose μ
 * overflowed at this β sends zeros and the flag; the pooled output then says overflow (deviance
 * null, empty arrays), so the hub halves its step exactly as when one site overflows in plain mode.
 * 'levels' carries level names and stays a plain step.
 */

function parameters(params: GlmParams, input: unknown): number {
  const parsed = newtonInputSchema.safeParse(input);
  if (!parsed.success) throw new Error('input does not fit the newton step');
  return parsed.data.columns.length + (params.intercept ? 1 : 0);
}

const lengthOf = (p: number): number => 4 + (p * (p + 1)) / 2 + p;

/** The GLMs' step 'newton'. */
export const newtonSumForm: SumForm<GlmParams> = {
  length: (params, input) => lengthOf(parameters(params, input)),
  toVector(output, params, input) {
    const parsed = newtonOutputSchema.safeParse(output);
    if (!parsed.success) throw new Error('output does not fit the newton step');
    const o = parsed.data;
    const p = parameters(params, input);
    const w = new VectorWriter(lengthOf(p));
    w.push(o.n);
    const overflow = o.deviance === null || o.logLikelihood === null;
    const packed = (p * (p + 1)) / 2;
    for (let i = 0; i < packed; i++) w.push(overflow ? 0 : (o.xtwx[i] ?? NaN));
    for (let j = 0; j < p; j++) w.push(overflow ? 0 : (o.score[j] ?? NaN));
    w.push(o.deviance ?? 0);
    w.push(o.logLikelihood ?? 0);
    w.push(overflow ? 1 : 0);
    return w.done();
  },
  fromSum: (sum, params, input): NewtonOutput => {
    const p = parameters(params, input);
    const r = new VectorReader(sum);
    const n = r.count();
    const xtwx = Array.from({ length: (p * (p + 1)) / 2 }, () => r.next());
    const score = Array.from({ length: p }, () => r.next());
    const deviance = r.next();
    const logLikelihood = r.next();
    const overflow = r.count() > 0;
    r.done();
    if (overflow) return { n, xtwx: [], score: [], deviance: null, logLikelihood: null };
    return { n, xtwx, score, deviance, logLikelihood };
  },
};
