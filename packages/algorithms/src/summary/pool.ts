import { poolMoments, sampleVariance, type Moments } from '../numerics/moments.js';
import type {
  CategoricalStats,
  CategoricalSummary,
  NumericStats,
  NumericSummary,
} from './schemas.js';

/**
 * Pools one numeric variable over the sites: moments exactly; min and max only when every site
 * released them.
 */
export function poolNumeric(stats: readonly NumericStats[]): NumericSummary {
  let m: Moments = { count: 0, mean: 0, m2: 0 };
  let missing = 0;
  let min = Infinity;
  let max = -Infinity;
  let extremes = true;
  for (const s of stats) {
    m = poolMoments(m, s);
    missing += s.missing;
    if (s.min === undefined || s.max === undefined) extremes = false;
    else {
      min = Math.min(min, s.min);
      max = Math.max(max, s.max);
    }
  }
  const v = sampleVariance(m);
  const sd = v === null ? null : Math.sqrt(v);
  const out: NumericSummary = { count: m.count, missing, mean: m.mean, sd };
  return extremes && min <= max ? { ...out, min, max } : out;
}

/** Pools one categorical variable over the sites (suppressed anywhere means not counted). */
export function poolCategorical(stats: readonly CategoricalStats[]): CategoricalSummary {
  const totals = new Map<string, number>();
  const suppressed = new Set<string>();
  let count = 0;
  let missing = 0;
  for (const s of stats) {
    count += s.count;
    missing += s.missing;
    for (const l of s.suppressed) suppressed.add(l);
    for (const [l, n] of Object.entries(s.levels)) totals.set(l, (totals.get(l) ?? 0) + n);
  }
  const levels = [...totals.keys()]
    .filter((l) => !suppressed.has(l))
    .sort()
    .map((l): [string, number] => [l, totals.get(l) ?? 0]);
  return {
    count,
    missing,
    levels: Object.fromEntries(levels),
    ...(suppressed.size === 0 ? {} : { suppressed: [...suppressed].sort() }),
  };
}
