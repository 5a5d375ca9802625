import { randomBytes } from 'node:crypto';
import {
  SUM_FORMS,
  getAlgorithm,
  keysPhase,
  parsePhaseStep,
  runSecureStep,
  type Algorithm,
  type LocalOutcome,
  type SecureNodeMemory,
  type SumForm,
} from '@tessera/algorithms';
import type { TaskPayload } from '@tessera/protocol';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { ExecOutcome } from '../exec/executor.js';
import type { NodePaths } from '../store/layout.js';
import type { NodeIdentity } from '../task/task-crypto.js';
import { FAILPOINT_EXIT_CODE, parseFailpoints, type Failpoint } from './failpoints.js';
import { createSecureStore } from './secure-store.js';

/*
 * The node's part of secure aggregation (issue 5; DESIGN "A job, end to end", step 4 "masks it"):
 * the task runner hands every phase step `S#sa-<phase>` here. At keys the step S runs exactly as a
 * plain step (policy, executor, disclosure check, differencing guard, privacy budget) and its
 * output is kept, never released; the later phases run the pure protocol (runSecureStep) on the
 * kept memory, which is persisted before each answer leaves and deleted after unmask.
 */

/** Memory older than this belongs to a job that ended without this node's unmask answer. */
export const SECURE_MEMORY_MAX_AGE_MS = 86_400_000;

export interface SecureStepsDeps {
  readonly paths: NodePaths;
  readonly me: NodeIdentity;
  readonly logger: Logger;
  readonly now: () => Date;
  /** Default: parsed once from TESSERA_FAILPOINTS (see failpoints.ts). */
  readonly failpoints?: ReadonlySet<Failpoint>;
  readonly exit?: (code: number) => void;
}

export interface SecureSteps {
  /**
   * Answers one phase task. `runPlain` runs a plain task exactly as the task runner does (the keys
   * phase runs step S through it). Protocol refusals come back as refused outcomes.
   */
  run(p: TaskPayload, runPlain: (p: TaskPayload) => Promise<ExecOutcome>): Promise<ExecOutcome>;
}

const keysInputSchema = z.object({ phase: z.literal('keys'), saRound: z.number().int().min(0) });
const rosterSchema = z.record(z.string(), z.string());
const NO_TABLE = { rows: 0, columns: {} };

/** Looks an algorithm up; unknown names are undefined, not a throw. */
function findAlgorithm(name: string): Algorithm | undefined {
  try {
    return getAlgorithm(name);
  } catch {
    return undefined;
  }
}

/**
 * The secure-step handler of one node process; sweeps memory older than a day at creation.
 * @throws Error when TESSERA_FAILPOINTS names an unknown failpoint.
 */
export function createSecureSteps(deps: SecureStepsDeps): SecureSteps {
  const { logger } = deps;
  const store = createSecureStore(deps.paths);
  const failpoints = deps.failpoints ?? parseFailpoints(process.env.TESSERA_FAILPOINTS);
  const exit = deps.exit ?? ((code: number) => process.exit(code));
  if (failpoints.size > 0)
    logger.warn({ failpoints: [...failpoints] }, 'fault injection is on (TESSERA_FAILPOINTS)');
  const swept = store.sweep(deps.now(), SECURE_MEMORY_MAX_AGE_MS);
  if (swept > 0) logger.info({ removed: swept }, 'stale secure-aggregation memory removed');

  const refuse = (reason: string): LocalOutcome => ({
    status: 'refused',
    code: 'CRYPTO_FAILED',
    reason,
  });

  async function keys(
    p: TaskPayload,
    step: string,
    alg: Algorithm,
    forms: Readonly<Record<string, SumForm>>,
    runPlain: (p: TaskPayload) => Promise<ExecOutcome>,
  ): Promise<{ outcome: ExecOutcome; memory: SecureNodeMemory | null }> {
    const header = keysInputSchema.safeParse(p.input);
    const inner: unknown = (p.input as { input?: unknown } | null)?.input ?? null;
    if (!header.success) return { outcome: refuse('malformed keys-phase input'), memory: null };
    const local = await runPlain({ ...p, step, input: inner });
    if (local.status !== 'ok') return { outcome: local, memory: null };
    const params = alg.params.safeParse(p.params);
    if (!params.success) {
      return {
        outcome: { status: 'refused', code: 'INVALID_PARAMS', reason: 'params do not fit' },
        memory: null,
      };
    }
    const layout = forms[step]?.layout?.(local.output, params.data, inner) ?? {};
    const r = keysPhase({
      jobId: p.jobId,
      saRound: header.data.saRound,
      me: deps.me.name,
      identity: deps.me.keys.signPrivate,
      layout,
    });
    return {
      outcome: { status: 'ok', output: r.output },
      memory: { phases: r.state, output: local.output, input: inner },
    };
  }

  function later(
    p: TaskPayload,
    alg: Algorithm,
    forms: Readonly<Record<string, SumForm>>,
    memory: SecureNodeMemory | null,
  ): { outcome: LocalOutcome; memory: SecureNodeMemory | null } {
    const params = alg.params.safeParse(p.params);
    if (!params.success)
      return {
        outcome: { status: 'refused', code: 'INVALID_PARAMS', reason: 'params do not fit' },
        memory,
      };
    let input: unknown = p.input;
    let identityKeys = new Map<string, string>();
    if (parsePhaseStep(p.step)?.phase === 'shares') {
      // The hub adds the pinned identity keys to the shares phase (hub orchestrator, phaseInput).
      const { identityKeys: roster, ...rest } = (p.input ?? {}) as Record<string, unknown>;
      const parsed = rosterSchema.safeParse(roster);
      if (!parsed.success)
        return { outcome: refuse('the shares phase carries no identity keys'), memory };
      identityKeys = new Map(Object.entries(parsed.data));
      input = rest;
    }
    const node = {
      jobId: p.jobId,
      me: deps.me.name,
      identity: deps.me.keys.signPrivate,
      identityKeys,
    };
    const ctx = {
      table: NO_TABLE,
      params: params.data,
      input,
      round: p.round,
      policy: { minCount: Number.MAX_SAFE_INTEGER, allowMinMax: false },
      // The phases after keys compute nothing from data; their randomness is node:crypto's own.
      randomBytes: (n: number) => randomBytes(n),
    };
    return runSecureStep(alg, forms, p.step, ctx, node, memory);
  }

  async function run(
    p: TaskPayload,
    runPlain: (p: TaskPayload) => Promise<ExecOutcome>,
  ): Promise<ExecOutcome> {
    const phase = parsePhaseStep(p.step);
    const alg = findAlgorithm(p.algorithm.name);
    const forms =
      alg !== undefined && Object.hasOwn(SUM_FORMS, alg.name) ? SUM_FORMS[alg.name] : undefined;
    if (
      phase === null ||
      alg === undefined ||
      forms === undefined ||
      !Object.hasOwn(forms, phase.step)
    )
      return refuse(`${p.algorithm.name} has no secure step ${p.step}`);
    const sumForms = forms as Readonly<Record<string, SumForm>>;
    const kept = await store.read(p.jobId);
    // Delivery is at least once and a resumed task runs again: never re-randomise an answer.
    if (kept?.last?.taskId === p.taskId) return { status: 'ok', output: kept.last.output };
    if (phase.phase !== 'keys' && Date.parse(p.deadline) <= deps.now().getTime())
      return { status: 'failed', code: 'TIMEOUT', reason: 'the task deadline had passed' };
    if (phase.phase === 'unmask' && failpoints.has('exit-after:sa-masked')) {
      logger.warn({ jobId: p.jobId, taskId: p.taskId }, 'failpoint exit-after:sa-masked: exiting');
      exit(FAILPOINT_EXIT_CODE);
    }
    let r: { outcome: ExecOutcome; memory: SecureNodeMemory | null };
    try {
      r =
        phase.phase === 'keys'
          ? await keys(p, phase.step, alg, sumForms, runPlain)
          : later(p, alg, sumForms, kept?.memory ?? null);
    } catch (e) {
      // Input that does not fit the phase's schema, or a step's own error: never a secret.
      const reason = e instanceof Error ? e.message.slice(0, 300) : 'unknown error';
      return {
        status: 'failed',
        code: 'STEP_FAILED',
        reason: `secure phase ${phase.phase}: ${reason}`,
      };
    }
    const outcome = r.outcome;
    if (phase.phase === 'unmask' || outcome.status !== 'ok') store.remove(p.jobId);
    else {
      const last = { taskId: p.taskId, output: outcome.output };
      // Synced before the answer leaves: a node that restarts answers the later phases.
      store.write({ jobId: p.jobId, memory: r.memory, last });
    }
    logger.info(
      {
        traceId: p.traceId,
        jobId: p.jobId,
        taskId: p.taskId,
        phase: phase.phase,
        status: outcome.status,
      },
      'secure-aggregation phase answered',
    );
    return outcome;
  }

  return { run };
}
