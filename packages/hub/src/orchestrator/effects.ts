import type { AuditInput } from '../audit/audit-log.js';

/**
 * What a transaction of the orchestrator decided, applied after commit: wake-ups and timers must
 * not fire for work a rollback undid, and audit entries are appended last in the transaction
 * (see audit-log.ts on lock order).
 */
export interface Effects {
  readonly audits: AuditInput[];
  readonly wakeTrusts: string[];
  deadline: { jobId: string; round: number; at: Date } | null;
  /** A job that moved to a new step (new round, new progress): clients waiting on it wake. */
  changedJob: string | null;
  finishedJob: string | null;
}

export function noEffects(): Effects {
  return { audits: [], wakeTrusts: [], deadline: null, changedJob: null, finishedJob: null };
}
