/*
 * The demo's proof that federation loses nothing: the same summary computed directly over all
 * sites' rows pooled in one place (which only the demo can do, since it made the data), compared
 * with what the hub aggregated from the sites' releases.
 */

type Cell = string | number | null;

function cell(x: unknown): Cell {
  return typeof x === 'number' || typeof x === 'string' ? x : null;
}

/** Pooled statistics of one variable, in the shape of the `summary` result. */
export type PooledVariable =
  | { count: number; missing: number; mean: number; sd: number | null }
  | { count: number; missing: number; levels: Record<string, number> };

/** The summary of `variables` over `rows` (sample sd, n − 1), numbers vs categories by value type. */
export function pooledSummary(
  rows: readonly object[],
  variables: readonly string[],
): Record<string, PooledVariable> {
  const out: Record<string, PooledVariable> = {};
  for (const v of variables) {
    const values = rows.map((r) => cell((r as Record<string, unknown>)[v]));
    const present = values.filter((x): x is string | number => x !== null);
    const missing = values.length - present.length;
    if (present.every((x) => typeof x === 'number')) {
      const xs = present;
      const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
      const ss = xs.reduce((s, x) => s + (x - mean) ** 2, 0);
      out[v] = {
        count: xs.length,
        missing,
        mean,
        sd: xs.length < 2 ? null : Math.sqrt(ss / (xs.length - 1)),
      };
    } else {
      const levels: Record<string, number> = {};
      for (const x of present) levels[String(x)] = (levels[String(x)] ?? 0) + 1;
      out[v] = { count: present.length, missing, levels };
    }
  }
  return out;
}

/** How far a federated `summary` result is from the pooled one. */
export interface PooledComparison {
  /** Largest relative difference of a mean or sd. */
  readonly maxRelativeDifference: number;
  /** Counts or levels that differ, or variables missing from the result. */
  readonly mismatches: string[];
}

function record(x: unknown): Record<string, unknown> {
  return typeof x === 'object' && x !== null ? (x as Record<string, unknown>) : {};
}

function relDiff(a: unknown, b: number | null): number {
  if (b === null) return a === null ? 0 : Infinity;
  if (typeof a !== 'number') return Infinity;
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
}

/** Compares a federated `summary` result with {@link pooledSummary}. */
export function compareWithPooled(
  result: unknown,
  pooled: Readonly<Record<string, PooledVariable>>,
): PooledComparison {
  const got = record(record(result)['variables']);
  const mismatches: string[] = [];
  let maxRel = 0;
  for (const [name, ref] of Object.entries(pooled)) {
    const g = record(got[name]);
    if (g['count'] !== ref.count || g['missing'] !== ref.missing) {
      mismatches.push(`${name}: count/missing`);
      continue;
    }
    if ('levels' in ref) {
      const levels = record(g['levels']);
      for (const [level, n] of Object.entries(ref.levels)) {
        if (levels[level] !== n) mismatches.push(`${name}=${level}`);
      }
    } else {
      maxRel = Math.max(maxRel, relDiff(g['mean'], ref.mean), relDiff(g['sd'], ref.sd));
    }
  }
  return { maxRelativeDifference: maxRel, mismatches };
}
