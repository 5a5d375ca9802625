/*
 * The hub reading a step's site results: one result per site in plain mode, or one pooled
 * result `secure-sum` (with the refusals of the keys phase) under secure aggregation. Results
 * from sites the step was not sent to are ignored, so a round's figures are those of its sampled
 * sites even where every site answered (a simulation, an older hub).
 */
import type { SiteResult } from '../../framework.js';
import { describeSites, type HubFailure } from '../../hub-failures.js';
import { PRIVACY_REPORT_KEY, privacyReportSchema } from '../../privacy/schemas.js';
import { poolEvaluations, type EvaluationCounts } from '../metrics/index.js';
import type { ClientUpdate, WeightedSum } from '../strategies/index.js';
import { trainAccountant, type TrainDp } from './dp.js';
import {
  evaluateOutputSchema,
  pooledRoundSchema,
  roundOutputSchema,
  type TrainParams,
} from './schemas.js';
import { SECURE_SUM, fail, type TrainState } from './state.js';

/** A round's contributions as the strategy and the records need them. */
export interface RoundResults {
  /** Pooled evaluation aggregates of the model the round started from. */
  readonly evaluation: EvaluationCounts;
  /** Plain mode: each ok sampled site's update; null under secure aggregation. */
  readonly updates: ClientUpdate[] | null;
  /** Secure mode: Σ nᵢ·Δᵢ and Σ nᵢ over the summed sites; null in plain mode. */
  readonly sum: WeightedSum | null;
  /** Sites whose updates are in the round. */
  readonly sites: number;
  /** Sampled sites known to have refused, failed or not answered, sorted. */
  readonly failed: string[];
  /** Examples-weighted mean training loss; null under dp. */
  readonly trainLoss: number | null;
  readonly secure: boolean;
}

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The output without its privacy report, or why the report does not fit the job's dp. */
function withoutPrivacy(r: SiteResult, dp: TrainDp | undefined): { output: unknown } | string {
  const o = r.output;
  const has = typeof o === 'object' && o !== null && Object.hasOwn(o, PRIVACY_REPORT_KEY);
  if (dp === undefined)
    return has ? `${r.trust}: a privacy report that dp was not asked for` : { output: o };
  if (!has) return `${r.trust}: an update without the noise dp asks for`;
  const { [PRIVACY_REPORT_KEY]: report, ...rest } = o as Record<string, unknown>;
  const parsed = privacyReportSchema.safeParse(report);
  const want = trainAccountant(dp);
  const acc = parsed.success ? parsed.data.accountant : undefined;
  if (acc?.sigma !== want.sigma || acc.delta !== want.delta)
    return `${r.trust}: a privacy report that does not name the job's accountant`;
  return { output: rest };
}

/** The sampled sites without an ok result (`ok` names the sites with one). */
function missing(sampled: readonly string[], ok: ReadonlySet<string>): string[] {
  return sampled.filter((s) => !ok.has(s)).sort(byCodeUnit);
}

/** Reads a secure round: the one pooled result, and the sampled sites the keys phase lost. */
function secureRound(
  state: TrainState,
  pooled: SiteResult,
  results: readonly SiteResult[],
): RoundResults | HubFailure {
  const parsed = pooledRoundSchema.safeParse(pooled.output);
  if (!parsed.success) return fail('INVALID_OUTPUT', `secure sum of round ${state.step}`);
  const p = parsed.data;
  const sampled = new Set(state.sampled);
  const failed = results
    .filter((r) => r.status !== 'ok' && sampled.has(r.trust))
    .map((r) => r.trust)
    .sort(byCodeUnit);
  return {
    evaluation: p.evaluation,
    updates: null,
    sum: { weighted: Float64Array.from(p.weighted), examples: p.examples },
    sites: p.sites,
    failed,
    trainLoss: p.trainLossSum === null ? null : p.trainLossSum / p.examples,
    secure: true,
  };
}

/**
 * The contributions of 'round' `state.step`: the evaluations and updates of the sampled sites
 * that answered, with the privacy reports taken off (and checked) under dp.
 * @returns the contributions, or the job's failure (no site, a malformed output, a privacy
 *   report that does not fit).
 */
export function readRound(
  params: TrainParams,
  state: TrainState,
  results: readonly SiteResult[],
): RoundResults | HubFailure {
  const pooled = results.find((r) => r.trust === SECURE_SUM && r.status === 'ok');
  if (pooled !== undefined) return secureRound(state, pooled, results);
  const sampled = new Set(state.sampled);
  const mine = results.filter((r) => sampled.has(r.trust));
  const updates: ClientUpdate[] = [];
  const evaluations: EvaluationCounts[] = [];
  const ok = new Set<string>();
  let lossSum: number | null = 0;
  for (const r of mine) {
    if (r.status !== 'ok') continue;
    const taken = withoutPrivacy(r, params.dp);
    if (typeof taken === 'string') return fail('PRIVACY_REPORT', taken);
    const parsed = roundOutputSchema.safeParse(taken.output);
    if (!parsed.success) return fail('INVALID_OUTPUT', `${r.trust}: round ${state.step}`);
    const o = parsed.data;
    ok.add(r.trust);
    updates.push({ vector: Float64Array.from(o.update), examples: o.examples });
    evaluations.push(o.evaluation);
    lossSum = lossSum === null || o.trainLoss === null ? null : lossSum + o.trainLoss * o.examples;
  }
  if (updates.length === 0) return fail('NO_SITES', describeSites(mine));
  const examples = updates.reduce((s, u) => s + u.examples, 0);
  return {
    evaluation: poolEvaluations(evaluations),
    updates,
    sum: null,
    sites: updates.length,
    failed: missing(state.sampled, ok),
    trainLoss: lossSum === null ? null : lossSum / examples,
    secure: false,
  };
}

/**
 * The pooled evaluation of 'evaluate' (plain per-site outputs or one secure sum).
 * @returns the pooled aggregates and whether they came as a secure sum, or the failure.
 */
export function readEvaluations(
  state: TrainState,
  results: readonly SiteResult[],
): { evaluation: EvaluationCounts; secure: boolean } | HubFailure {
  const sent = new Set(state.sampled);
  const evals: EvaluationCounts[] = [];
  let secure = false;
  for (const r of results) {
    if (r.status !== 'ok' || (r.trust !== SECURE_SUM && !sent.has(r.trust))) continue;
    const parsed = evaluateOutputSchema.safeParse(r.output);
    if (!parsed.success) return fail('INVALID_OUTPUT', `${r.trust}: evaluate`);
    evals.push(parsed.data.evaluation);
    secure ||= r.trust === SECURE_SUM;
  }
  if (evals.length === 0) return fail('NO_SITES', describeSites(results));
  return { evaluation: poolEvaluations(evals), secure };
}
