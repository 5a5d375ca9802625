import { readdir } from 'node:fs/promises';
import { z } from 'zod';
import {
  idSchema,
  isoDateSchema,
  resultPayloadSchema,
  resultSubmissionSchema,
  siteCodeSchema,
  taskEnvelopeSchema,
  traceIdSchema,
} from '@tessera/protocol';
import { readJsonFile, writeJsonAtomic } from '../store/atomic-file.js';
import type { NodePaths } from '../store/layout.js';

/** A task's life at the node: received → done (result sealed, signed, kept) → acknowledged. */
export const TASK_STATES = ['received', 'done', 'acknowledged'] as const;
export type TaskState = (typeof TASK_STATES)[number];

/**
 * `<dir>/tasks/<taskId>.json`. The task is kept sealed (never its plaintext), so a node killed
 * mid-step resumes it; the sealed, signed result is kept, so a redelivered task is answered with
 * the same bytes and nothing is computed or released twice.
 */
export const taskRecordSchema = z
  .object({
    v: z.literal(1),
    taskId: idSchema,
    jobId: idSchema,
    projectId: idSchema,
    round: z.number().int().min(0),
    attempt: z.number().int().min(1),
    state: z.enum(TASK_STATES),
    receivedAt: isoDateSchema,
    updatedAt: isoDateSchema,
    traceId: traceIdSchema.nullable(),
    envelope: taskEnvelopeSchema,
    outcome: z
      .object({ status: z.enum(['ok', 'refused', 'failed']), code: siteCodeSchema.nullable() })
      .strict()
      .nullable(),
    /** What the task was (project, algorithm, step, datasets): the facts of its audit entries. */
    details: z.record(z.string(), z.unknown()).nullable(),
    /** The result in clear (an aggregate already through disclosure control), for the audit entry. */
    result: resultPayloadSchema.nullable(),
    submission: resultSubmissionSchema.nullable(),
    /** Whether the release (or refusal) is in the audit log: set right after the entry is written. */
    audited: z.boolean(),
    /** What the hub said when it took the result: accepted, duplicate, or a final error code. */
    ack: z.string().max(100).nullable(),
  })
  .strict();
export type TaskRecord = z.infer<typeof taskRecordSchema>;

/** Reads a task record, or null; a corrupt record reads as null and the task is redone by the hub. */
export async function readTask(paths: NodePaths, taskId: string): Promise<TaskRecord | null> {
  if (!idSchema.safeParse(taskId).success) return null;
  const raw = await readJsonFile(paths.task(taskId)).catch(() => undefined);
  if (raw === undefined) return null;
  const parsed = taskRecordSchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

/** Writes a task record atomically (only the running node writes tasks). */
export async function writeTask(paths: NodePaths, rec: TaskRecord): Promise<void> {
  await writeJsonAtomic(paths.task(rec.taskId), taskRecordSchema.parse(rec));
}

/** Every task record (for resuming and for status). */
export async function listTasks(paths: NodePaths): Promise<TaskRecord[]> {
  let names: string[];
  try {
    names = await readdir(paths.tasks);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const out: TaskRecord[] = [];
  for (const n of names) {
    if (!n.endsWith('.json') || n.startsWith('.')) continue;
    const rec = await readTask(paths, n.slice(0, -5));
    if (rec !== null) out.push(rec);
  }
  return out;
}
