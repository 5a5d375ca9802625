import {
  kaplanMeierLocalOutputSchema,
  timeGrid,
  type KaplanMeierLocalOutput,
  type KaplanMeierParams,
  type SiteCurve,
} from '../../kaplan-meier/schemas.js';
import { layoutList, VectorReader, VectorWriter, type Layout, type SumForm } from '../sum-form.js';

/*
 * `kaplan-meier` step 'counts': per curve of the merged layout (group levels, or "all"): n,
 * deferred, events[K], censored[K]. A site whose curve stops at J < K pads with zeros, which
 * leaves the pooled at-risk counts unchanged (a site's at-risk at t_j sums its cells from j on).
 * What secure mode loses is the per-site `coarsened` note: the pooled curve reports the sum of
 * deferred points and no site's last point, since no single site's curve may be seen.
 */

const CURVES = 'curves';

const lengthOf = (params: KaplanMeierParams, layout: Layout): number =>
  layoutList(layout, CURVES).length * (2 + 2 * timeGrid(params).length);

function parse(output: unknown): KaplanMeierLocalOutput {
  const parsed = kaplanMeierLocalOutputSchema.safeParse(output);
  if (!parsed.success) throw new Error('output does not fit the kaplan-meier step');
  return parsed.data;
}

/** `kaplan-meier` step 'counts'. */
export const kaplanMeierSumForm: SumForm<KaplanMeierParams> = {
  layout: (output) => ({ [CURVES]: Object.keys(parse(output).curves) }),
  length: (params, _input, layout) => lengthOf(params, layout),
  toVector(output, params, _input, layout) {
    const o = parse(output);
    const k = timeGrid(params).length;
    const w = new VectorWriter(lengthOf(params, layout));
    for (const key of layoutList(layout, CURVES)) {
      const c = Object.hasOwn(o.curves, key) ? o.curves[key] : undefined;
      if (c !== undefined && c.events.length > k)
        throw new Error(`curve ${key} is longer than the grid`);
      w.push(c?.n ?? 0);
      w.push(c?.deferred ?? 0);
      for (let j = 0; j < k; j++) w.push(c?.events[j] ?? 0);
      for (let j = 0; j < k; j++) w.push(c?.censored[j] ?? 0);
    }
    return w.done();
  },
  fromSum: (sum, params, _input, _sites, layout): KaplanMeierLocalOutput => {
    const k = timeGrid(params).length;
    const r = new VectorReader(sum);
    const curves: Record<string, SiteCurve> = {};
    for (const key of layoutList(layout, CURVES)) {
      const n = r.count();
      const deferred = r.count();
      const events = Array.from({ length: k }, () => r.count());
      const censored = Array.from({ length: k }, () => r.count());
      curves[key] = { n, events, censored, deferred };
    }
    r.done();
    return { curves };
  },
};
