import { expect } from 'vitest';
import type { Algorithm } from '../../src/framework.js';
import { discreteLaplaceVariance } from '../../src/privacy/discrete.js';
import type { DpSpec } from '../../src/privacy/schemas.js';
import { simulateJob, type SimulationOptions } from '../../src/simulate.js';
import type { Table } from '../../src/table.js';

/** The `privacy` block of a noisy result, as the tests read it. */
export interface PrivacyBlock {
  mechanism: string;
  epsilonPerSite: number;
  deltaPerSite: number;
  sites: number;
  noiseScale: Record<string, number>;
}

export const LAPLACE: DpSpec = { mechanism: 'laplace', epsilon: 1, bounds: {} };
export const GAUSSIAN: DpSpec = { mechanism: 'gaussian', epsilon: 1, delta: 1e-6, bounds: {} };

/**
 * The standard deviation of one site's noise on a statistic from its stated scale: the discrete
 * Laplace of scale b has variance 2e^{−1/b}/(1 − e^{−1/b})² (in grid steps, about 2b²); the
 * discrete Gaussian's is at most σ². `resolution` is the grid step (1 for counts).
 */
export function noiseSd(mechanism: string, scale: number, resolution = 1): number {
  if (mechanism === 'gaussian') return scale;
  return Math.sqrt(discreteLaplaceVariance(scale / resolution)) * resolution;
}

/** The result of `simulateJob` that must be done. */
export function doneResult(
  alg: Algorithm,
  params: unknown,
  tables: readonly Table[],
  o: SimulationOptions = {},
): unknown {
  const run = simulateJob(alg, params, tables, o);
  if (run.decision.kind !== 'done') throw new Error(`job failed: ${JSON.stringify(run.decision)}`);
  return run.decision.result;
}

/** The same job without noise and with it (seeded), both done. */
export function plainAndNoisy<R>(
  alg: Algorithm,
  params: Record<string, unknown>,
  dp: DpSpec,
  tables: readonly Table[],
  o: SimulationOptions = {},
): { plain: R; noisy: R & { privacy: PrivacyBlock } } {
  return {
    plain: doneResult(alg, params, tables, o) as R,
    noisy: doneResult(alg, { ...params, dp }, tables, { seed: 11, ...o }) as R & {
      privacy: PrivacyBlock;
    },
  };
}

/**
 * |noisy − plain| ≤ 6 sd: a false alarm has probability 2e-9 per Gaussian value and e^{−6√2} ≈
 * 2e-4 per Laplace one; the tests are seeded, so a pass is reproducible.
 */
export function expectWithin(noisy: number, plain: number, sd: number, what: string): void {
  expect(Math.abs(noisy - plain), `${what}: ${noisy} vs ${plain}, sd ${sd}`).toBeLessThanOrEqual(
    6 * sd,
  );
}
