import {
  histogramEdges,
  histogramLocalOutputSchema,
  type HistogramLocalOutput,
  type HistogramParams,
} from '../../histogram/schemas.js';
import { VectorReader, VectorWriter, type SumForm } from '../sum-form.js';

/*
 * `histogram` step 'counts': rows, missing, then [count, suppressed] cells for every bin, below
 * and above. The bins come from params, so no layout is needed.
 */

const cellsOf = (params: HistogramParams): number => histogramEdges(params).length - 1 + 2;

/** `histogram` step 'counts'. */
export const histogramSumForm: SumForm<HistogramParams> = {
  length: (params) => 2 + 2 * cellsOf(params),
  toVector(output, params) {
    const parsed = histogramLocalOutputSchema.safeParse(output);
    if (!parsed.success) throw new Error('output does not fit the histogram step');
    const o = parsed.data;
    const bins = cellsOf(params) - 2;
    if (o.counts.length !== bins)
      throw new Error(`output has ${o.counts.length} bins, not ${bins}`);
    const w = new VectorWriter(2 + 2 * cellsOf(params));
    w.push(o.rows);
    w.push(o.missing);
    for (const c of o.counts) w.pushCell(c);
    w.pushCell(o.below);
    w.pushCell(o.above);
    return w.done();
  },
  fromSum: (sum, params): HistogramLocalOutput => {
    const r = new VectorReader(sum);
    const rows = r.count();
    const missing = r.count();
    const counts = Array.from({ length: cellsOf(params) - 2 }, () => r.cell());
    const below = r.cell();
    const above = r.cell();
    r.done();
    return { rows, missing, counts, below, above };
  },
};
