import type { LocalOutcome, LocalStepContext } from '../framework.js';
import { moments } from '../numerics/moments.js';
import type { Column } from '../table.js';
import type {
  CategoricalStats,
  SummaryLocalOutput,
  SummaryParams,
  VariableStats,
} from './schemas.js';

/**
 * Local step 'stats': per variable, the count of non-missing values, the missing count, and either
 * the mean and m2 (number, date) or the count of every level (categorical). Nothing is suppressed
 * here; {@link discloseStats} does that.
 *
 * @throws Error when a variable is not in the table (the node checks with checkVariables first).
 */
export function runStats(ctx: LocalStepContext<SummaryParams>): SummaryLocalOutput {
  const variables: Record<string, VariableStats> = {};
  for (const name of ctx.params.variables) {
    const col = Object.hasOwn(ctx.table.columns, name) ? ctx.table.columns[name] : undefined;
    if (col === undefined) throw new Error(`variable ${name} is not in the dataset`);
    variables[name] = columnStats(col);
  }
  return { rows: ctx.table.rows, variables };
}

function columnStats(col: Column): VariableStats {
  if (col.kind !== 'categorical') {
    const m = moments(col.values);
    return {
      kind: col.kind,
      count: m.count,
      missing: col.values.length - m.count,
      mean: m.mean,
      m2: m.m2,
    };
  }
  const counts = new Array<number>(col.levels.length).fill(0);
  let missing = 0;
  for (const code of col.codes) {
    if (code < 0) missing++;
    else counts[code] = (counts[code] ?? 0) + 1;
  }
  const levels = Object.fromEntries(col.levels.map((l, i) => [l, counts[i] ?? 0]));
  return {
    kind: 'categorical',
    count: col.codes.length - missing,
    missing,
    levels,
    suppressed: [],
  };
}

/**
 * Disclosure check of 'stats' (DESIGN "Disclosure control at the node"): refuses the whole output
 * (MIN_COUNT) when the table or any variable's non-missing count is below minCount, naming the
 * variable but not its count; suppresses small level cells; never releases min or max.
 */
export function discloseStats(
  output: SummaryLocalOutput,
  ctx: LocalStepContext<SummaryParams>,
): LocalOutcome {
  const min = ctx.policy.minCount;
  if (output.rows < min) {
    return { status: 'refused', code: 'MIN_COUNT', reason: `cohort has fewer than ${min} rows` };
  }
  const variables: Record<string, VariableStats> = {};
  for (const [name, stats] of Object.entries(output.variables)) {
    if (stats.count < min) {
      return {
        status: 'refused',
        code: 'MIN_COUNT',
        reason: `variable ${name} has fewer than ${min} non-missing values`,
      };
    }
    variables[name] = stats.kind === 'categorical' ? suppressSmallCells(stats, min) : stats;
  }
  return { status: 'ok', output: { rows: output.rows, variables } };
}

/**
 * Primary suppression of every cell with 0 < n < minCount (zeros are released, as DataSHIELD
 * does), then secondary suppression: while a single cell is suppressed, or the suppressed cells add
 * up to less than minCount, the smallest released non-zero cell is suppressed too. Otherwise the
 * released total minus the released cells would give a small cell back exactly.
 */
export function suppressSmallCells(stats: CategoricalStats, minCount: number): CategoricalStats {
  const cells = Object.entries(stats.levels);
  const hidden = new Set(cells.filter(([, n]) => n > 0 && n < minCount).map(([l]) => l));
  const hiddenSum = (): number => cells.reduce((s, [l, n]) => s + (hidden.has(l) ? n : 0), 0);
  while (hidden.size > 0 && (hidden.size === 1 || hiddenSum() < minCount)) {
    const next = cells
      .filter(([l, n]) => n > 0 && !hidden.has(l))
      .sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1))[0];
    if (next === undefined) break;
    hidden.add(next[0]);
  }
  return {
    ...stats,
    levels: Object.fromEntries(cells.filter(([l]) => !hidden.has(l))),
    suppressed: cells.filter(([l]) => hidden.has(l)).map(([l]) => l),
  };
}
