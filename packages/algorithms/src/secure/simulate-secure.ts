import { generatePartyKeys, type PartyKeys } from '@tessera/protocol';
import type { Algorithm, DisclosurePolicy, HubDecision, SiteResult } from '../framework.js';
import type { Table } from '../table.js';
import { runLocalStep } from '../run-local-step.js';
import { seededRandomBytes } from '../simulate.js';
import { secureAlgorithm, type SecureOptions } from './hub.js';
import { runSecureStep, type SecureNodeMemory } from './node-step.js';
import type { SumForm } from './sum-form.js';
import { parsePhaseStep } from './wire.js';

/** Options of {@link simulateSecureJob}. */
export interface SecureSimulationOptions extends SecureOptions {
  readonly policy?: DisclosurePolicy;
  /** Site names (default `site-1`, `site-2`, …). */
  readonly names?: readonly string[];
  /** Sites that stop answering after sending their masked vector (no unmask answer). */
  readonly stopAfterMasked?: readonly string[];
  /** Sites that stop answering after sending their shares (no masked vector, no unmask answer). */
  readonly stopAfterShares?: readonly string[];
  /** Job id the nodes see (default `job-1`). */
  readonly jobId?: string;
  readonly maxSteps?: number;
}

/** A simulated secure job: the decision, the steps and what the hub received per round. */
export interface SecureSimulationRun {
  readonly decision: Exclude<HubDecision<unknown>, { kind: 'step' }>;
  readonly steps: readonly string[];
  readonly rounds: readonly (readonly SiteResult[])[];
}

/**
 * Drives a job with secure aggregation in one process: the wrapped hub part plans each step, every
 * table plays one node (with its own identity keys and secure-sum memory), every message crosses
 * a JSON round trip, and the hub aggregates. The test and benchmark counterpart of simulateJob.
 * @throws Error when `params` do not fit or the job exceeds `maxSteps`.
 */
export function simulateSecureJob<P>(
  alg: Algorithm<P>,
  sumForms: Readonly<Record<string, SumForm<P>>>,
  params: unknown,
  tables: readonly Table[],
  options: SecureSimulationOptions = {},
): SecureSimulationRun {
  const policy = options.policy ?? { minCount: 10, allowMinMax: false };
  const secure = secureAlgorithm(alg, sumForms, options);
  const parsed = alg.params.safeParse(params);
  if (!parsed.success) throw new Error(`params do not fit ${alg.name}: ${parsed.error.message}`);
  const p = parsed.data;
  const names = tables.map((_, i) => options.names?.[i] ?? `site-${String(i + 1)}`);
  const keys = new Map<string, PartyKeys>(names.map((n) => [n, generatePartyKeys()]));
  const identityKeys = new Map([...keys].map(([n, k]) => [n, k.public.sign]));
  const memory = new Map<string, SecureNodeMemory | null>();
  const stopped = new Set(options.stopAfterMasked ?? []);
  const early = new Set(options.stopAfterShares ?? []);
  const steps: string[] = [];
  const rounds: SiteResult[][] = [];
  const json = (v: unknown): unknown => JSON.parse(JSON.stringify(v ?? null)) as unknown;
  let decision = secure.start(p);
  while (decision.kind === 'step') {
    if (steps.length >= (options.maxSteps ?? 1000))
      throw new Error(`${alg.name} ran too many steps`);
    const { step, input, state } = decision;
    const phase = parsePhaseStep(step);
    const named = decision.sites === undefined ? null : new Set(decision.sites);
    // A step that names its sites goes to those only (the secure wrapper keeps the subset
    // through all four phases).
    const sites = tables
      .map((table, i) => ({ table, i, trust: names[i] ?? '' }))
      .filter((s) => named === null || named.has(s.trust));
    const results = sites.map(({ table, i, trust }): SiteResult => {
      const gone =
        (phase?.phase === 'unmask' && (stopped.has(trust) || early.has(trust))) ||
        (phase?.phase === 'masked' && early.has(trust));
      if (gone) {
        return { trust, status: 'failed', code: 'NO_RESPONSE', reason: 'stopped' };
      }
      const ctx = {
        table,
        params: p,
        input: json(input),
        round: steps.length,
        policy,
        randomBytes: seededRandomBytes(steps.length * 1009 + i),
      };
      try {
        let out;
        if (phase === null) out = runLocalStep(alg, step, ctx);
        else {
          const identity = keys.get(trust)?.signPrivate;
          if (identity === undefined) throw new Error(`no keys for ${trust}`);
          const node = { jobId: options.jobId ?? 'job-1', me: trust, identity, identityKeys };
          const r = runSecureStep(alg, sumForms, step, ctx, node, memory.get(trust) ?? null);
          memory.set(trust, r.memory);
          out = r.outcome;
        }
        return out.status === 'ok'
          ? { trust, status: 'ok', output: json(out.output) }
          : { trust, status: 'refused', code: out.code, reason: out.reason };
      } catch (e) {
        return { trust, status: 'failed', code: 'STEP_FAILED', reason: (e as Error).message };
      }
    });
    steps.push(step);
    rounds.push(results);
    decision = secure.aggregate(p, json(state) as typeof state, step, results);
  }
  return { decision, steps, rounds };
}
