import type { KeyObject } from 'node:crypto';
import { isTesseraError } from '@tessera/protocol';
import type { Algorithm, LocalOutcome, LocalStepContext } from '../framework.js';
import { runLocalStep } from '../run-local-step.js';
import {
  keysPhase,
  maskedPhase,
  sharesPhase,
  unmaskPhase,
  type NodeSecureState,
} from './node-phases.js';
import { NO_LAYOUT, type SumForm } from './sum-form.js';
import {
  keysInputSchema,
  maskedInputSchema,
  parsePhaseStep,
  sharesInputSchema,
  unmaskInputSchema,
} from './wire.js';

/** Who the node is in a secure job: from the task and the node's keys. */
export interface SecureNodeIdentity {
  readonly jobId: string;
  readonly me: string;
  /** The node's Ed25519 identity signing key. */
  readonly identity: KeyObject;
  /** Every trust's Ed25519 identity public key (raw base64url), as pinned at enrolment. */
  readonly identityKeys: ReadonlyMap<string, string>;
}

/** What a node keeps between the phases of one secure sum (persist it; it holds secrets). */
export interface SecureNodeMemory {
  readonly phases: NodeSecureState;
  /** The disclosed output of the step, computed once at the keys phase. */
  readonly output: unknown;
  readonly input: unknown;
}

/**
 * Runs one phase step (`S#sa-…`) at a node: at keys the algorithm's local step S runs with its
 * disclosure check (a refusal such as MIN_COUNT goes back as usual and ends this node's part),
 * later phases use the output kept in `memory`. Protocol refusals come back as refused outcomes:
 * BAD_SIGNATURE for an advertisement that does not verify, CRYPTO_FAILED for any other (share for
 * another job, replay, sets that do not fit).
 * @throws Error when `step` is not a phase step of a summable step, or the step itself throws.
 */
export function runSecureStep<P>(
  alg: Algorithm<P>,
  sumForms: Readonly<Record<string, SumForm<P>>>,
  step: string,
  ctx: LocalStepContext<P>,
  node: SecureNodeIdentity,
  memory: SecureNodeMemory | null,
): { outcome: LocalOutcome; memory: SecureNodeMemory | null } {
  const parsed = parsePhaseStep(step);
  const form =
    parsed !== null && Object.hasOwn(sumForms, parsed.step) ? sumForms[parsed.step] : undefined;
  if (parsed === null || form === undefined)
    throw new Error(`${alg.name} has no secure step '${step}'`);
  try {
    if (parsed.phase === 'keys') {
      const input = keysInputSchema.parse(ctx.input);
      const local = runLocalStep(alg, parsed.step, { ...ctx, input: input.input });
      if (local.status !== 'ok') return { outcome: local, memory: null };
      const layout = form.layout?.(local.output, ctx.params, input.input) ?? NO_LAYOUT;
      const r = keysPhase({
        jobId: node.jobId,
        saRound: input.saRound,
        me: node.me,
        identity: node.identity,
        layout,
      });
      return {
        outcome: { status: 'ok', output: r.output },
        memory: { phases: r.state, output: local.output, input: input.input },
      };
    }
    if (memory === null) {
      return {
        outcome: {
          status: 'refused',
          code: 'CRYPTO_FAILED',
          reason: `no secure-sum state for ${step}`,
        },
        memory,
      };
    }
    const phase = parsed.phase;
    const run = (): { output: unknown; state: NodeSecureState } => {
      switch (phase) {
        case 'shares':
          return sharesPhase(memory.phases, sharesInputSchema.parse(ctx.input), node.identityKeys);
        case 'masked': {
          const input = maskedInputSchema.parse(ctx.input);
          const vector = form.toVector(memory.output, ctx.params, memory.input, input.layout);
          return maskedPhase(memory.phases, input, vector);
        }
        case 'unmask':
          return unmaskPhase(memory.phases, unmaskInputSchema.parse(ctx.input));
      }
    };
    const r = run();
    return { outcome: { status: 'ok', output: r.output }, memory: { ...memory, phases: r.state } };
  } catch (e) {
    if (!isTesseraError(e)) throw e;
    const code = e.code === 'BAD_SIGNATURE' ? 'BAD_SIGNATURE' : 'CRYPTO_FAILED';
    return { outcome: { status: 'refused', code, reason: e.message }, memory };
  }
}
