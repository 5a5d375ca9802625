import {
  summaryLocalOutputSchema,
  type CategoricalStats,
  type NumericStats,
  type SummaryLocalOutput,
  type SummaryParams,
  type VariableStats,
} from '../../summary/schemas.js';
import { layoutList, VectorReader, VectorWriter, type Layout, type SumForm } from '../sum-form.js';

/*
 * `summary` step 'stats' as a sum. Per numeric variable: count, missing, Σx, Σx²; per categorical
 * variable: count, missing and one [count, suppressed] cell per level of the merged layout.
 *
 * Precision: the plain hub pools (count, mean, m2) with Chan et al.'s update, which never forms
 * Σx². A sum of masked values must be linear, so here m2 = Σx² − (Σx)²/n at the hub: with a mean
 * large against the SD (|mean|/sd = 10^k) about k more significant digits are lost to
 * cancellation, and Σx² must fit the ring (|Σx²|·2^scaleBits·sites < 2^63, else the node fails
 * loudly at encoding). For typical clinical variables (|mean|/sd < 10^3, Σx² < 10^12) the error
 * stays far below the rounding of the released figures.
 *
 * Min and max are not sums, so secure mode never releases them (the result says "withheld");
 * groupBy and quantiles pool per-site structures and are refused in secure mode.
 */

const KIND = 'kind:';
const LEVELS = 'levels:';

function parse(output: unknown): SummaryLocalOutput {
  const parsed = summaryLocalOutputSchema.safeParse(output);
  if (!parsed.success) throw new Error('output does not fit the summary step');
  return parsed.data;
}

/** The one kind of `name` over the sites. @throws Error when sites disagree. */
function kindOf(layout: Layout, name: string): VariableStats['kind'] {
  const kinds = layoutList(layout, KIND + name);
  const kind = kinds[0];
  if (kinds.length !== 1 || (kind !== 'number' && kind !== 'date' && kind !== 'categorical')) {
    throw new Error(`${name}: different kinds at different sites (${kinds.join(' and ')})`);
  }
  return kind;
}

function stat(o: SummaryLocalOutput, name: string): VariableStats {
  const s = Object.hasOwn(o.variables, name) ? o.variables[name] : undefined;
  if (s === undefined) throw new Error(`output lacks variable ${name}`);
  return s;
}

function writeNumeric(w: VectorWriter, s: NumericStats): void {
  w.push(s.count);
  w.push(s.missing);
  w.push(s.mean * s.count);
  w.push(s.m2 + s.count * s.mean * s.mean);
}

function writeCategorical(w: VectorWriter, s: CategoricalStats, levels: readonly string[]): void {
  w.push(s.count);
  w.push(s.missing);
  const suppressed = new Set(s.suppressed);
  for (const l of levels) {
    if (suppressed.has(l)) w.pushCell(null);
    else w.pushCell(Object.hasOwn(s.levels, l) ? (s.levels[l] ?? 0) : 0);
  }
}

function readNumeric(r: VectorReader, kind: 'number' | 'date'): NumericStats {
  const count = r.count();
  const missing = r.count();
  const sum = r.next();
  const sumSq = r.next();
  const mean = count > 0 ? sum / count : 0;
  const m2 = count > 0 ? Math.max(0, sumSq - (sum * sum) / count) : 0;
  return { kind, count, missing, mean, m2 };
}

function readCategorical(r: VectorReader, levels: readonly string[]): CategoricalStats {
  const count = r.count();
  const missing = r.count();
  const counts: Record<string, number> = {};
  const suppressed: string[] = [];
  for (const l of levels) {
    const c = r.cell();
    if (c === null) suppressed.push(l);
    else counts[l] = c;
  }
  return { kind: 'categorical', count, missing, levels: counts, suppressed };
}

/** `summary` step 'stats' (see the comment above on precision). */
export const summarySumForm: SumForm<SummaryParams> = {
  unsupported: (params) =>
    params.groupBy !== undefined
      ? 'summary with groupBy pools per-site groups and cannot run with secure aggregation'
      : params.quantiles !== undefined
        ? 'summary quantiles pool per-site merged cells and cannot run with secure aggregation'
        : null,
  layout: (output, params) => {
    const o = parse(output);
    const layout: Record<string, string[]> = {};
    for (const name of params.variables) {
      const s = stat(o, name);
      layout[KIND + name] = [s.kind];
      if (s.kind === 'categorical') {
        layout[LEVELS + name] = [...Object.keys(s.levels), ...s.suppressed];
      }
    }
    return layout;
  },
  length: (params, _input, layout) =>
    1 +
    params.variables.reduce(
      (n, v) =>
        n +
        (kindOf(layout, v) === 'categorical' ? 2 + 2 * layoutList(layout, LEVELS + v).length : 4),
      0,
    ),
  toVector(output, params, input, layout) {
    const o = parse(output);
    const w = new VectorWriter(this.length(params, input, layout));
    w.push(o.rows);
    for (const name of params.variables) {
      const s = stat(o, name);
      if (s.kind !== kindOf(layout, name)) throw new Error(`${name}: kind differs from the layout`);
      if (s.kind === 'categorical') writeCategorical(w, s, layoutList(layout, LEVELS + name));
      else writeNumeric(w, s);
    }
    return w.done();
  },
  fromSum: (sum, params, _input, _sites, layout): SummaryLocalOutput => {
    const r = new VectorReader(sum);
    const rows = r.count();
    const variables: Record<string, VariableStats> = {};
    for (const name of params.variables) {
      const kind = kindOf(layout, name);
      variables[name] =
        kind === 'categorical'
          ? readCategorical(r, layoutList(layout, LEVELS + name))
          : readNumeric(r, kind);
    }
    r.done();
    return { rows, variables };
  },
};
