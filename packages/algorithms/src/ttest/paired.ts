import { clipAll, makeNoiser } from '../dp-release.js';
import type { LocalOutcome, LocalStepContext } from '../framework.js';
import type { Bounds } from '../privacy/sensitivity.js';
import { studentTQuantile, twoSidedTPValue } from '../numerics/distributions.js';
import { moments, poolMoments, type Moments } from '../numerics/moments.js';
import type { Table } from '../table.js';
import type {
  TtestPairedLocalOutput,
  TtestPairedParams,
  TtestParams,
  TtestPairedResult,
} from './schemas.js';

/**
 * Paired local step: moments of `variable − variable2` over the rows where both are present.
 * Returns an `unfit` marker when either is not a number variable.
 *
 * @throws Error when a variable is not in the table (the node checks with checkVariables first).
 */
export function runPaired(
  table: Table,
  params: TtestPairedParams,
): TtestPairedLocalOutput | { unfit: string } {
  const cols = table.columns;
  const x = Object.hasOwn(cols, params.variable) ? cols[params.variable] : undefined;
  const y = Object.hasOwn(cols, params.variable2) ? cols[params.variable2] : undefined;
  if (x === undefined || y === undefined) throw new Error('a variable is not in the dataset');
  if (x.kind !== 'number' || y.kind !== 'number') {
    return { unfit: 'variable and variable2 must be number variables' };
  }
  // With dp each value is clipped to its bounds first, so a difference lies in differenceBounds.
  const bx = params.dp?.bounds[params.variable];
  const by = params.dp?.bounds[params.variable2];
  const xs = bx === undefined ? x.values : clipAll(x.values, bx);
  const ys = by === undefined ? y.values : clipAll(y.values, by);
  // NaN − anything is NaN, which moments() skips: that drops incomplete pairs.
  const d = xs.map((v, i) => v - (ys[i] ?? Number.NaN));
  return { paired: true, differences: moments(d) };
}

/**
 * Refuses MIN_COUNT when fewer than minCount complete pairs; else releases the moments, with
 * `dp` as a noisy count, centred sum and sum of squares of the clipped differences.
 */
export function disclosePaired(
  output: TtestPairedLocalOutput,
  min: number,
  ctx: LocalStepContext<TtestParams>,
): LocalOutcome {
  if (output.differences.count < min) {
    return { status: 'refused', code: 'MIN_COUNT', reason: `fewer than ${min} complete pairs` };
  }
  const p = ctx.params;
  const bounds = p.paired === true ? differenceBounds(p) : null;
  if (p.dp === undefined || bounds === null) return { status: 'ok', output };
  const noiser = makeNoiser(p.dp, 3, ctx.randomBytes);
  const counts = noiser.cells('count', [output.differences.count]);
  const [d] = noiser.moments('difference', [output.differences], counts, bounds);
  if (d === undefined) throw new Error('one difference in, one out');
  return { status: 'ok', output: { paired: true, differences: d, privacy: noiser.report() } };
}

/** The range of clip(x) − clip(y) under the dp bounds of both variables, or null without. */
function differenceBounds(p: TtestPairedParams): Bounds | null {
  const bx = p.dp?.bounds[p.variable];
  const by = p.dp?.bounds[p.variable2];
  return bx === undefined || by === undefined ? null : [bx[0] - by[1], bx[1] - by[0]];
}

/**
 * One-sample t-test of the pooled differences: t = mean/(sd/√n) on n − 1 df, two-sided p and a
 * 95% interval. Null when fewer than 2 differences or zero variance.
 */
export function pairedTest(sites: readonly TtestPairedLocalOutput[]): TtestPairedResult | null {
  const m = sites.reduce<Moments>((acc, s) => poolMoments(acc, s.differences), {
    count: 0,
    mean: 0,
    m2: 0,
  });
  if (m.count < 2 || !(m.m2 > 0)) return null;
  const sd = Math.sqrt(m.m2 / (m.count - 1));
  const se = sd / Math.sqrt(m.count);
  const df = m.count - 1;
  const statistic = m.mean / se;
  const half = studentTQuantile(0.975, df) * se;
  return {
    n: m.count,
    paired: true,
    difference: m.mean,
    sd,
    standardError: se,
    statistic,
    df,
    pValue: twoSidedTPValue(statistic, df),
    ci: [m.mean - half, m.mean + half],
  };
}
