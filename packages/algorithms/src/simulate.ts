import type { Algorithm, DisclosurePolicy, HubDecision, SiteResult } from './framework.js';
import { runLocalStep } from './run-local-step.js';
import { createRng } from './numerics/random.js';
import type { Table } from './table.js';

/**
 * A seeded stand-in for node:crypto's randomBytes (xoshiro128**): reproducible noise for
 * simulations and tests. NOT for a real release, whose noise must be unpredictable.
 */
export function seededRandomBytes(seed: number): (n: number) => Uint8Array {
  const rng = createRng(seed);
  return (n) => Uint8Array.from({ length: n }, () => rng.int(256));
}

export interface SimulationOptions {
  /** Disclosure rules applied at every simulated site (default minCount 10, no min/max). */
  readonly policy?: DisclosurePolicy;
  /** Stop with an error after this many steps (default 1000), so a runaway loop cannot hang. */
  readonly maxSteps?: number;
  /** Site names (default `site-1`, `site-2`, …). */
  readonly names?: readonly string[];
  /** Seed of the sites' random bytes (DP noise); each site and round gets its own stream. */
  readonly seed?: number;
}

export interface SimulationRun {
  /** The final decision: `done` with the result, or `failed` with a code and reason. */
  readonly decision: Exclude<HubDecision<unknown>, { kind: 'step' }>;
  /** Steps run, in order (one entry per round). */
  readonly steps: readonly string[];
  /** Every round's site results, as the hub's aggregate step saw them. */
  readonly rounds: readonly (readonly SiteResult[])[];
}

/**
 * Drives a job in one process as the hub and nodes would: the algorithm's hub part plans each step,
 * every table plays one site (local step, then disclosure check), outputs travel through a JSON
 * round trip, and the hub part aggregates. For tests, benchmarks and reference checks; the real
 * path adds transport, sealing, policy and persistence around the same calls.
 *
 * @throws Error when `params` do not fit the algorithm or the job exceeds `maxSteps`.
 */
export function simulateJob(
  alg: Algorithm,
  params: unknown,
  tables: readonly Table[],
  options: SimulationOptions = {},
): SimulationRun {
  const policy = options.policy ?? { minCount: 10, allowMinMax: false };
  const maxSteps = options.maxSteps ?? 1000;
  const parsed = alg.params.safeParse(params);
  if (!parsed.success) throw new Error(`params do not fit ${alg.name}: ${parsed.error.message}`);
  const p = parsed.data;
  const steps: string[] = [];
  const rounds: SiteResult[][] = [];
  let decision = alg.start(p);
  while (decision.kind === 'step') {
    if (steps.length >= maxSteps) throw new Error(`${alg.name} ran more than ${maxSteps} steps`);
    const { step, input, state } = decision;
    const round = steps.length;
    // The input crosses the wire as JSON too.
    const wireInput: unknown = JSON.parse(JSON.stringify(input ?? null));
    const named = decision.sites === undefined ? null : new Set(decision.sites);
    // A step that names its sites (e.g. a training round's sampled clients) goes to those only.
    const sites = tables
      .map((table, i) => ({ table, i, trust: options.names?.[i] ?? `site-${i + 1}` }))
      .filter((s) => named === null || named.has(s.trust));
    const results = sites.map(({ table, i, trust }): SiteResult => {
      try {
        const randomBytes = seededRandomBytes((options.seed ?? 1) * 1_000_003 + round * 1009 + i);
        const ctx = { table, params: p, input: wireInput, round, policy, randomBytes };
        const out = runLocalStep(alg, step, ctx);
        return out.status === 'ok'
          ? { trust, status: 'ok', output: JSON.parse(JSON.stringify(out.output)) as unknown }
          : { trust, status: 'refused', code: out.code, reason: out.reason };
      } catch (e) {
        const reason = e instanceof Error ? e.message : String(e);
        return { trust, status: 'failed', code: 'STEP_FAILED', reason };
      }
    });
    steps.push(step);
    rounds.push(results);
    // State is persisted as JSON by the hub.
    const wireState: unknown = JSON.parse(JSON.stringify(state ?? null));
    decision = alg.aggregate(p, wireState, step, results);
  }
  return { decision, steps, rounds };
}
