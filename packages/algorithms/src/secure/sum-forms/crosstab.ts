import {
  crosstabLocalOutputSchema,
  type CrosstabLocalOutput,
  type CrosstabParams,
} from '../../crosstab/schemas.js';
import { layoutList, VectorReader, VectorWriter, type Layout, type SumForm } from '../sum-form.js';

/*
 * `crosstab` step 'table': rows, missing, then a [count, suppressed] cell per (row level, column
 * level) of the merged layout, row-major. A level a site lacks adds 0, as in the plain pooling.
 */

const ROWS = 'rows';
const COLUMNS = 'columns';

const size = (layout: Layout): number =>
  layoutList(layout, ROWS).length * layoutList(layout, COLUMNS).length;

/** `crosstab` step 'table'. */
export const crosstabSumForm: SumForm<CrosstabParams> = {
  layout(output) {
    const parsed = crosstabLocalOutputSchema.safeParse(output);
    if (!parsed.success) throw new Error('output does not fit the crosstab step');
    return { [ROWS]: parsed.data.rowLevels, [COLUMNS]: parsed.data.columnLevels };
  },
  length: (_params, _input, layout) => 2 + 2 * size(layout),
  toVector(output, _params, _input, layout) {
    const parsed = crosstabLocalOutputSchema.safeParse(output);
    if (!parsed.success) throw new Error('output does not fit the crosstab step');
    const o = parsed.data;
    const w = new VectorWriter(2 + 2 * size(layout));
    w.push(o.rows);
    w.push(o.missing);
    for (const row of layoutList(layout, ROWS)) {
      const a = o.rowLevels.indexOf(row);
      for (const col of layoutList(layout, COLUMNS)) {
        const b = o.columnLevels.indexOf(col);
        // A suppressed cell is null and must stay null, so no `?? 0` on it.
        const cell = a < 0 || b < 0 ? 0 : o.counts[a]?.[b];
        w.pushCell(cell === undefined ? 0 : cell);
      }
    }
    return w.done();
  },
  fromSum: (sum, _params, _input, _sites, layout): CrosstabLocalOutput => {
    const r = new VectorReader(sum);
    const rows = r.count();
    const missing = r.count();
    const rowLevels = [...layoutList(layout, ROWS)];
    const columnLevels = [...layoutList(layout, COLUMNS)];
    const counts = rowLevels.map(() => columnLevels.map(() => r.cell()));
    r.done();
    return { rows, missing, rowLevels, columnLevels, counts };
  },
};
