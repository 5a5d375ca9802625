import {
  TesseraError,
  isTesseraError,
  type PublicKeys,
  type ResultSubmission,
} from '@tessera/protocol';
import type { Logger } from 'pino';
import { NODE_AUDIT_ACTIONS, appendAudit } from '../store/audit-log.js';
import type { NodePaths } from '../store/layout.js';
import { loadHubKeys, saveHubKeys, type NodeConfig } from '../store/node-config.js';
import type { NodeIdentity } from '../task/task-crypto.js';
import type { TaskRunner } from '../task/task-runner.js';
import { listTasks } from '../task/task-store.js';
import { backoffDelay, pause } from './backoff.js';
import type { HubClient } from './hub-client.js';

/** How long the hub may hold each poll (agreed: 25 s, under protocol's MAX_POLL_WAIT_MS). */
export const POLL_WAIT_MS = 25_000;
export const SOFTWARE = 'tessera-node/0.1.0';

export interface LoopDeps {
  readonly paths: NodePaths;
  readonly config: NodeConfig;
  readonly client: HubClient;
  readonly keys: NodeIdentity['keys'];
  readonly logger: Logger;
  readonly signal: AbortSignal;
  /** Builds the task runner once the hub's keys are known (after enrolment). */
  readonly makeRunner: (me: NodeIdentity) => TaskRunner;
  /** Called after every successful enrolment (the catalogue publisher starts or republishes). */
  readonly onEnrolled?: () => void;
  /** Called with a reason that stops the node for good. */
  readonly fatal: (e: TesseraError) => void;
  /** Reports progress to the console. */
  readonly onState: (s: {
    enrolled: boolean;
    lastPollAt: string | null;
    lastError: string | null;
  }) => void;
}

/**
 * The node's outbound loop (DESIGN "A job, end to end", step 3): enrol, then long-poll, handing
 * each task to the runner without waiting for it. Network and hub errors back off and retry; a
 * hub naming another trust, a changed hub key or a TLS pin mismatch stop the node.
 */
export async function runNodeLoop(d: LoopDeps): Promise<void> {
  let failures = 0;
  let runner: TaskRunner | null = null;
  let enrolled = false;
  while (!d.signal.aborted) {
    try {
      if (!enrolled) {
        const me = await enrol(d);
        enrolled = true;
        d.onState({ enrolled, lastPollAt: null, lastError: null });
        d.onEnrolled?.();
        if (runner === null) {
          runner = d.makeRunner(me);
          void resumeLater(runner, d);
        }
      }
      const res = await d.client.poll({ type: 'poll', waitMs: POLL_WAIT_MS, max: 10 }, d.signal);
      await checkTrust(d, res.trust.name);
      failures = 0;
      d.onState({ enrolled, lastPollAt: new Date().toISOString(), lastError: null });
      for (const t of res.tasks) void runner?.handle(t);
    } catch (e) {
      if (stopped(d.signal)) break;
      const err = isTesseraError(e)
        ? e
        : new TesseraError('INTERNAL', 'unexpected error', { cause: e });
      if (await isFatal(d, err)) {
        d.fatal(err);
        return;
      }
      if (err.code === 'CONFLICT') enrolled = false; // "enrol first": the hub lost or reset us
      d.onState({ enrolled, lastPollAt: null, lastError: err.code });
      const wait = backoffDelay(failures++);
      d.logger.warn(
        { code: err.code, msg: err.message, retryInMs: wait },
        'hub call failed; retrying',
      );
      await pause(wait, d.signal);
    }
  }
}

async function resumeLater(runner: TaskRunner, d: LoopDeps): Promise<void> {
  const records = await listTasks(d.paths);
  const open = records.filter((r) => r.state !== 'acknowledged');
  if (open.length > 0) d.logger.info({ tasks: open.length }, 'resuming unfinished tasks');
  await runner.resume(open);
}

const FATAL_CODES = new Set(['PIN_MISMATCH', 'FORBIDDEN']);

async function isFatal(d: LoopDeps, e: TesseraError): Promise<boolean> {
  if (e.code === 'PIN_MISMATCH') {
    d.logger.error(
      { expected: d.config.pin, got: e.details?.got ?? null },
      "the hub's TLS key does not match the pinned fingerprint: not connecting",
    );
    await appendAudit(d.paths, {
      action: NODE_AUDIT_ACTIONS.pinMismatch,
      actor: 'system',
      target: `hub:${d.config.hubUrl}`,
      details: { expected: d.config.pin, got: e.details?.got ?? null },
    });
    return true;
  }
  return FATAL_CODES.has(e.code) && e.details?.fatal === true;
}

async function enrol(d: LoopDeps): Promise<NodeIdentity> {
  const res = await d.client.enrol(
    { type: 'enrol', keys: d.keys.public, software: SOFTWARE },
    d.signal,
  );
  await checkTrust(d, res.trust.name);
  const pinned = await loadHubKeys(d.paths);
  let hubKeys: PublicKeys;
  if (pinned === null) {
    await saveHubKeys(d.paths, res.hubKeys, new Date());
    hubKeys = res.hubKeys;
  } else if (pinned.seal !== res.hubKeys.seal || pinned.sign !== res.hubKeys.sign) {
    await appendAudit(d.paths, {
      action: NODE_AUDIT_ACTIONS.hubKeysMismatch,
      actor: 'system',
      target: `hub:${d.config.hubUrl}`,
      details: { pinned, offered: res.hubKeys },
    });
    d.logger.error('the hub offered other keys than those pinned at enrolment: stopping');
    throw new TesseraError('FORBIDDEN', 'the hub keys differ from the pinned ones', {
      details: { fatal: true },
    });
  } else {
    hubKeys = pinned;
  }
  await appendAudit(d.paths, {
    action: NODE_AUDIT_ACTIONS.enrolled,
    actor: 'system',
    target: `trust:${res.trust.name}`,
    details: { trustId: res.trust.id, hubUrl: d.config.hubUrl, hubKeysPinnedNow: pinned === null },
  });
  d.logger.info({ trust: res.trust.name }, 'enrolled with the hub');
  return { name: d.config.name, keys: d.keys, hubKeys };
}

/** DESIGN "Node identity": a node that finds another trust name than its own stops. */
async function checkTrust(d: LoopDeps, hubSays: string): Promise<void> {
  if (hubSays === d.config.name) return;
  await appendAudit(d.paths, {
    action: NODE_AUDIT_ACTIONS.trustMismatch,
    actor: 'system',
    target: `trust:${d.config.name}`,
    details: { configured: d.config.name, hubSays },
  });
  d.logger.error(
    { configured: d.config.name, hubSays },
    'the hub names another trust for this API key: stopping',
  );
  throw new TesseraError(
    'FORBIDDEN',
    `the hub says this key belongs to trust ${hubSays}, not ${d.config.name}`,
    {
      details: { fatal: true },
    },
  );
}

/**
 * Delivers a result until the hub takes it: 2xx and non-retryable 4xx are final (agreed), 5xx
 * and network errors are retried with back-off. Null when the node is stopping (kept for later).
 */
export async function deliverResult(
  d: Pick<LoopDeps, 'client' | 'logger' | 'signal' | 'fatal'>,
  s: ResultSubmission,
): Promise<string | null> {
  for (let attempt = 0; !d.signal.aborted; attempt++) {
    try {
      const ack = await d.client.submit(s, d.signal);
      return ack.duplicate ? 'duplicate' : 'accepted';
    } catch (e) {
      if (stopped(d.signal)) return null;
      if (isTesseraError(e) && e.code === 'PIN_MISMATCH') {
        d.fatal(e);
        return null;
      }
      if (isTesseraError(e) && !e.retryable) {
        d.logger.warn(
          { taskId: s.header.taskId, code: e.code },
          'the hub refused the result for good',
        );
        return e.code;
      }
      const wait = backoffDelay(attempt);
      d.logger.warn({ taskId: s.header.taskId, retryInMs: wait }, 'result not delivered; retrying');
      await pause(wait, d.signal);
    }
  }
  return null;
}

// A function, so the checker does not assume the signal cannot have changed since the loop test.
function stopped(signal: AbortSignal): boolean {
  return signal.aborted;
}
