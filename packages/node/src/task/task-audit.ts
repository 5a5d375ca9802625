import type { TaskEnvelope } from '@tessera/protocol';
import {
  NODE_AUDIT_ACTIONS,
  readAudit,
  type AuditInput,
  type NodeAuditAction,
} from '../store/audit-log.js';
import type { TaskRecord } from './task-store.js';

/** The actions that record what a task released (or why it released nothing). */
const OUTCOME_ACTIONS: ReadonlySet<string> = new Set<NodeAuditAction>([
  NODE_AUDIT_ACTIONS.taskReleased,
  NODE_AUDIT_ACTIONS.taskRefused,
  NODE_AUDIT_ACTIONS.taskFailed,
]);

/** The `task.received` entry of a record just opened. */
export function receivedEntry(rec: TaskRecord): AuditInput {
  return {
    action: NODE_AUDIT_ACTIONS.taskReceived,
    actor: 'hub',
    target: `task:${rec.taskId}`,
    details: rec.details ?? {},
    ...(rec.traceId === null ? {} : { traceId: rec.traceId }),
  };
}

/**
 * The entry of a done record's outcome: the released output (the hospital's receipt of exactly
 * what left, DESIGN "Audit"), or the refusal or failure code and reason.
 */
export function outcomeEntry(rec: TaskRecord): AuditInput {
  const r = rec.result;
  const base = {
    ...(rec.details ?? { taskId: rec.taskId, jobId: rec.jobId, projectId: rec.projectId }),
  };
  const facts =
    r === null || r.status !== 'ok'
      ? {
          action:
            r?.status === 'refused'
              ? NODE_AUDIT_ACTIONS.taskRefused
              : NODE_AUDIT_ACTIONS.taskFailed,
          details: { ...base, code: r?.code ?? null, reason: r?.reason ?? null },
        }
      : { action: NODE_AUDIT_ACTIONS.taskReleased, details: { ...base, output: r.output } };
  return {
    ...facts,
    actor: 'system',
    target: `task:${rec.taskId}`,
    ...(rec.traceId === null ? {} : { traceId: rec.traceId }),
  };
}

/** The `task.refused` entry of a task that could not be verified or opened. */
export function unopenedEntry(task: TaskEnvelope, code: string, reason: string): AuditInput {
  const h = task.header;
  return {
    action: NODE_AUDIT_ACTIONS.taskRefused,
    actor: 'hub',
    target: `task:${h.taskId}`,
    details: {
      taskId: h.taskId,
      jobId: h.jobId,
      projectId: h.projectId,
      addressedTo: h.trust,
      round: h.round,
      attempt: h.attempt,
      code,
      reason,
    },
  };
}

/**
 * Whether the log holds a task's `task.received` entry. Read on recovery only (a task resumed from
 * its received record): that entry is not synced on its own, so a power cut may have lost it.
 */
export async function receivedAudited(auditPath: string, taskId: string): Promise<boolean> {
  const target = `task:${taskId}`;
  const { entries } = await readAudit(auditPath);
  return entries.some((e) => e.target === target && e.action === NODE_AUDIT_ACTIONS.taskReceived);
}

/**
 * Whether the log already holds a task's outcome entry. Read on recovery only (a record kept as
 * done but not yet marked audited: the node stopped between the entry and the record's update),
 * so that an outcome is audited exactly once.
 */
export async function outcomeAudited(auditPath: string, taskId: string): Promise<boolean> {
  const target = `task:${taskId}`;
  const { entries } = await readAudit(auditPath);
  return entries.some((e) => e.target === target && OUTCOME_ACTIONS.has(e.action));
}
