import type { HubDecision, SiteResult } from '../framework.js';
import type { SummaryState } from './aggregate.js';
import { pooledQuantiles } from './quantiles-hub.js';
import {
  quantilesLocalOutputSchema,
  type Cell,
  type Grid,
  type NumericSummary,
  type QuantileEstimate,
  type SummaryParams,
  type SummaryResult,
} from './schemas.js';

/** True when `cells` are ordered, disjoint, inside the grid and add up to `count`. */
function fitsGrid(cells: readonly Cell[], grid: Grid, count: number): boolean {
  let at = 0;
  let sum = 0;
  for (const [from, to, n] of cells) {
    if (from < at || to <= from || to > grid.bins + 2) return false;
    at = to;
    sum += n;
  }
  return sum === count;
}

/** Every requested quantile, unavailable for `reason`. */
function unavailable(ps: readonly number[], reason: string): QuantileEstimate[] {
  return ps.map((p) => ({ p, estimate: null, lower: null, upper: null, errorBound: null, reason }));
}

/**
 * After 'quantiles': brackets each numeric variable's pooled quantiles from the sites' merged
 * histograms (see pooledQuantiles) and adds `quantiles` and `grid` to the result of 'stats'. The
 * histograms must come from exactly the sites that released 'stats'; if one of them did not
 * answer, every quantile is null with the reason, since the counts would not cover n.
 */
export function aggregateQuantiles(
  params: SummaryParams,
  state: SummaryState,
  results: readonly SiteResult[],
): HubDecision<SummaryState | null> {
  const ps = params.quantiles ?? [];
  const byTrust = new Map(results.map((r) => [r.trust, r]));
  const cells = new Map<string, Cell[][]>(Object.keys(state.grids).map((v) => [v, []]));
  let missing: string | null = null;
  for (const [trust, counts] of Object.entries(state.counts)) {
    const r = byTrust.get(trust);
    if (r?.status !== 'ok') {
      missing ??= `${trust} did not release the quantile step (${r?.code ?? 'no answer'})`;
      continue;
    }
    const parsed = quantilesLocalOutputSchema.safeParse(r.output);
    for (const [name, { grid }] of Object.entries(state.grids)) {
      const v =
        parsed.success && Object.hasOwn(parsed.data.variables, name)
          ? parsed.data.variables[name]
          : undefined;
      if (v === undefined || !fitsGrid(v.cells, grid, counts[name] ?? -1)) {
        return {
          kind: 'failed',
          code: 'INVALID_OUTPUT',
          reason: `${trust}: output does not fit the quantiles step`,
        };
      }
      cells.get(name)?.push(v.cells);
    }
  }
  const variables: SummaryResult['variables'] = { ...state.result.variables };
  for (const [name, { grid, source }] of Object.entries(state.grids)) {
    const v = variables[name];
    if (v === undefined || 'levels' in v) continue;
    const quantiles =
      missing === null
        ? pooledQuantiles(grid, cells.get(name) ?? [], v.count, ps, bounds(v))
        : unavailable(ps, missing);
    const binWidth = (grid.hi - grid.lo) / grid.bins;
    variables[name] = { ...v, quantiles, grid: { ...grid, binWidth, source } };
  }
  return { kind: 'done', result: { ...state.result, variables } };
}

function bounds(v: NumericSummary): { min?: number; max?: number } {
  return v.min !== undefined && v.max !== undefined ? { min: v.min, max: v.max } : {};
}
