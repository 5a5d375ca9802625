import { makeNoiser, type Noiser } from '../dp-release.js';
import type { LocalOutcome } from '../framework.js';
import type { RandomBytes } from '../privacy/random-source.js';
import type { DpSpec } from '../privacy/schemas.js';
import type {
  CategoricalStats,
  NumericStats,
  SummaryLocalOutput,
  VariableStats,
} from './schemas.js';

/**
 * The 'stats' output with noise (issue 5 point 3), after suppression. The job's ε and δ are split
 * evenly over the releases (basic composition):
 * - a number or date variable: its non-missing and missing counts as one release of Δ = 1 (a row
 *   is in exactly one), a noisy centred sum and a noisy centred sum of squares of its values
 *   clipped to the dp bounds (the mean is mid + S/n, the SD from the sum of squares);
 * - a categorical variable: its level cells and missing count as one release of Δ = 1. Levels
 *   suppressed above stay suppressed; their noisy values only enter `count`.
 * `rows` is the first variable's noisy count plus missing (post-processing, no extra cost).
 * Refuses INVALID_PARAMS when a number or date variable has no bounds: its sums cannot be
 * noised without them.
 */
export function addNoise(
  exactStats: Readonly<Record<string, VariableStats>>,
  released: SummaryLocalOutput,
  dp: DpSpec,
  source: RandomBytes,
): LocalOutcome {
  const entries = Object.entries(released.variables);
  const unbounded = entries.find(
    ([n, s]) => s.kind !== 'categorical' && !Object.hasOwn(dp.bounds, n),
  );
  if (unbounded !== undefined) {
    const reason = `dp needs bounds for the ${unbounded[1].kind} variable ${unbounded[0]}`;
    return { status: 'refused', code: 'INVALID_PARAMS', reason };
  }
  const releases = entries.reduce((a, [, s]) => a + (s.kind === 'categorical' ? 1 : 3), 0);
  const noiser = makeNoiser(dp, releases, source);
  const variables: Record<string, VariableStats> = {};
  let rows: number | null = null;
  for (const [name, stats] of entries) {
    const exact = exactStats[name] ?? stats;
    const noisy =
      exact.kind !== 'categorical'
        ? noisyNumeric(noiser, name, exact, dp.bounds[name] ?? [0, 1])
        : noisyLevels(noiser, name, stats.kind === 'categorical' ? stats : exact, exact);
    rows ??= noisy.count + noisy.missing;
    variables[name] = noisy;
  }
  const output = { rows: rows ?? 0, variables, privacy: noiser.report() };
  return { status: 'ok', output };
}

function noisyNumeric(
  noiser: Noiser,
  name: string,
  exact: NumericStats,
  bounds: readonly [number, number],
): NumericStats {
  const [count = 0, missing = 0] = noiser.cells(`${name}.count`, [exact.count, exact.missing]);
  const [m] = noiser.moments(name, [exact], [count], bounds);
  return { kind: exact.kind, count, missing, mean: m?.mean ?? 0, m2: m?.m2 ?? 0 };
}

function noisyLevels(
  noiser: Noiser,
  name: string,
  released: CategoricalStats,
  exact: CategoricalStats,
): CategoricalStats {
  const all = Object.keys(exact.levels);
  const noisy = noiser.cells(`${name}.levels`, [
    ...all.map((l) => exact.levels[l] ?? 0),
    exact.missing,
  ]);
  const kept = new Set(Object.keys(released.levels));
  return {
    kind: 'categorical',
    count: noisy.slice(0, all.length).reduce((a, b) => a + b, 0),
    missing: noisy[all.length] ?? 0,
    levels: Object.fromEntries(all.flatMap((l, i) => (kept.has(l) ? [[l, noisy[i] ?? 0]] : []))),
    suppressed: released.suppressed,
  };
}
