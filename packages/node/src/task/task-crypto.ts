import {
  isTesseraError,
  openJson,
  sealJson,
  signJson,
  taskAd,
  taskPayloadSchema,
  verifyJson,
  type PartyKeys,
  type PublicKeys,
  type ResultPayload,
  type ResultSubmission,
  type TaskEnvelope,
  type TaskHeader,
  type TaskPayload,
} from '@tessera/protocol';

/** Why a task could not be opened; `answer` says whether a signed refusal should go back. */
export type OpenOutcome =
  | { readonly ok: true; readonly payload: TaskPayload }
  | {
      readonly ok: false;
      readonly code: 'BAD_SIGNATURE' | 'CRYPTO_FAILED';
      readonly reason: string;
      /** True when the header is addressed to this node, so the job can report the site. */
      readonly answer: boolean;
    };

export interface NodeIdentity {
  readonly name: string;
  readonly keys: PartyKeys;
  readonly hubKeys: PublicKeys;
}

/**
 * Verifies and opens a task exactly as agreed: the hub's signature over `{header, sealed}` with the
 * pinned hub key, the header addressed to this node, the envelope opened under the task's
 * associated data, the payload parsed and its task id, job id and round equal to the header's.
 * Pure: no I/O, nothing runs.
 */
export function openTask(task: TaskEnvelope, me: NodeIdentity): OpenOutcome {
  const { header, sealed, sig } = task;
  if (!verifyJson({ header, sealed }, sig, me.hubKeys.sign)) {
    return refuse(
      'BAD_SIGNATURE',
      'the task signature does not verify against the pinned hub key',
      header.trust === me.name,
    );
  }
  if (header.trust !== me.name) {
    return refuse('CRYPTO_FAILED', `the task is addressed to another trust`, false);
  }
  let raw: unknown;
  try {
    raw = openJson(sealed, me.keys.sealPrivate, taskAd(header, 'task'));
  } catch (e) {
    const why =
      isTesseraError(e) && e.code === 'CRYPTO_FAILED'
        ? 'the task envelope could not be opened'
        : 'the task payload is not JSON';
    return refuse('CRYPTO_FAILED', why, true);
  }
  const parsed = taskPayloadSchema.safeParse(raw);
  if (!parsed.success)
    return refuse('CRYPTO_FAILED', 'the task payload does not match the protocol', true);
  const p = parsed.data;
  if (
    p.taskId !== header.taskId ||
    p.jobId !== header.jobId ||
    p.round !== header.round ||
    p.project.id !== header.projectId
  ) {
    return refuse('CRYPTO_FAILED', 'the task payload does not match its header', true);
  }
  return { ok: true, payload: p };
}

function refuse(
  code: 'BAD_SIGNATURE' | 'CRYPTO_FAILED',
  reason: string,
  answer: boolean,
): OpenOutcome {
  return { ok: false, code, reason, answer };
}

/** Seals a result to the hub and signs it, as agreed (AD purpose `result`). */
export function buildSubmission(
  header: Pick<TaskHeader, 'taskId' | 'jobId' | 'round'>,
  payload: ResultPayload,
  me: NodeIdentity,
  now: Date,
): ResultSubmission {
  const resultHeader = {
    taskId: header.taskId,
    jobId: header.jobId,
    trust: me.name,
    round: header.round,
    submittedAt: now.toISOString(),
  };
  const sealed = sealJson(payload, me.hubKeys.seal, taskAd(resultHeader, 'result'));
  const sig = signJson({ header: resultHeader, sealed }, me.keys.signPrivate);
  return { type: 'result', header: resultHeader, sealed, sig };
}
