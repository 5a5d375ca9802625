import { chiSquarePValue } from '../numerics/distributions.js';
import { solveSpd } from '../numerics/linear-algebra.js';
import type { PooledCurve } from './estimate.js';
import type { LogRankTest } from './schemas.js';

/**
 * The log-rank test over the pooled group curves, as R's survdiff (rho = 0) computes it on the
 * grid-rounded times: at each grid point with events, a group expects n_g·d/n of the d events, and
 * the hypergeometric covariance is d(n − d)/(n − 1) · (n_g/n)(δ_gh − n_h/n). Groups with no
 * expected events are left out; chi-square = (O − E)ᵀ V⁻¹ (O − E) over the others but the first,
 * with (groups − 1) degrees of freedom.
 *
 * @returns null when fewer than two groups have expected events (R reports chi-square 0).
 * @throws SingularMatrixError when the covariance of the kept groups is singular.
 */
export function logRankTest(groups: ReadonlyMap<string, PooledCurve>): LogRankTest | null {
  const names = [...groups.keys()];
  const curves = names.map((g) => groups.get(g) ?? { atRisk: [], events: [], censored: [] });
  const points = Math.max(0, ...curves.map((c) => c.atRisk.length));
  const observed = curves.map((c) => c.events.reduce((a, b) => a + b, 0));
  const expected = names.map(() => 0);
  const v = names.map(() => names.map(() => 0));
  for (let j = 0; j < points; j++) {
    const nj = curves.map((c) => c.atRisk[j] ?? 0);
    const n = nj.reduce((a, b) => a + b, 0);
    const d = curves.reduce((s, c) => s + (c.events[j] ?? 0), 0);
    if (d === 0 || n === 0) continue;
    const spread = n > 1 ? (d * (n - d)) / (n - 1) : 0;
    nj.forEach((ng, g) => {
      expected[g] = (expected[g] ?? 0) + (ng * d) / n;
      const row = v[g] ?? [];
      nj.forEach((nh, h) => {
        row[h] = (row[h] ?? 0) + spread * (ng / n) * ((g === h ? 1 : 0) - nh / n);
      });
    });
  }
  const kept = names.map((_, g) => g).filter((g) => (expected[g] ?? 0) > 0);
  const result = (chiSquare: number, df: number): LogRankTest => ({
    chiSquare,
    df,
    pValue: chiSquarePValue(chiSquare, df),
    observed: Object.fromEntries(names.map((g, i) => [g, observed[i] ?? 0])),
    expected: Object.fromEntries(names.map((g, i) => [g, expected[i] ?? 0])),
  });
  if (kept.length < 2) return null;
  const rest = kept.slice(1);
  const diff = rest.map((g) => (observed[g] ?? 0) - (expected[g] ?? 0));
  const vv = rest.map((g) => rest.map((h) => v[g]?.[h] ?? 0));
  const solved = solveSpd(vv, diff);
  const chi = solved.reduce((s, x, i) => s + x * (diff[i] ?? 0), 0);
  return result(chi, kept.length - 1);
}
