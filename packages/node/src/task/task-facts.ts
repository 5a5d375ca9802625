import {
  canonicalJson,
  type ResultPayload,
  type TaskEnvelope,
  type TaskPayload,
} from '@tessera/protocol';
import type { ExecOutcome } from '../exec/executor.js';
import type { TaskRecord } from './task-store.js';

/** The result payload of a step outcome; an output that is not JSON becomes STEP_FAILED. */
export function toResultPayload(taskId: string, o: ExecOutcome): ResultPayload {
  if (o.status !== 'ok')
    return { taskId, status: o.status, code: o.code, reason: o.reason.slice(0, 2000) };
  try {
    // Canonical JSON refuses NaN, Infinity and the like: such an output cannot be sealed faithfully.
    canonicalJson(o.output);
  } catch {
    return {
      taskId,
      status: 'failed',
      code: 'STEP_FAILED',
      reason: 'the local step produced an output that is not JSON',
    };
  }
  return { taskId, status: 'ok', output: o.output };
}

/** The facts of a task that its audit entries carry (never data values). */
export function describe(p: TaskPayload, attempt: number): Record<string, unknown> {
  return {
    taskId: p.taskId,
    jobId: p.jobId,
    projectId: p.project.id,
    project: p.project.name,
    algorithm: `${p.algorithm.name}@${p.algorithm.version}`,
    step: p.step,
    round: p.round,
    attempt,
    datasets: p.datasets,
    cohort: p.cohort,
  };
}

/** The record of a task just opened: received, nothing computed yet. */
export function receivedRecord(task: TaskEnvelope, p: TaskPayload, at: Date): TaskRecord {
  return {
    v: 1,
    taskId: p.taskId,
    jobId: p.jobId,
    projectId: p.project.id,
    round: p.round,
    attempt: task.header.attempt,
    state: 'received',
    receivedAt: at.toISOString(),
    updatedAt: at.toISOString(),
    traceId: p.traceId,
    envelope: task,
    outcome: null,
    details: describe(p, task.header.attempt),
    result: null,
    submission: null,
    audited: false,
    ack: null,
  };
}
