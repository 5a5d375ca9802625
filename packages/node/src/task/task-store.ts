import { mkdir, readdir } from 'node:fs/promises';
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
import { readJsonFile, replaceFileSync, type Durability } from '../store/atomic-file.js';
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

/** Writes a task record durably, creating the folder if needed (for tools and tests). */
export async function writeTask(paths: NodePaths, rec: TaskRecord): Promise<void> {
  await mkdir(paths.tasks, { recursive: true, mode: 0o700 });
  putTask(paths, rec, 'full');
}

// Not re-validated: the node built the record. Indented, so operators can read the files.
function putTask(paths: NodePaths, rec: TaskRecord, durability: Durability): void {
  replaceFileSync(paths.task(rec.taskId), `${JSON.stringify(rec, null, 2)}\n`, { durability });
}

/** The running node's task records, with the ids it holds kept in memory. */
export interface TaskStore {
  /** The kept record of a task, or null; a task never kept costs no file access. */
  read(taskId: string): Promise<TaskRecord | null>;
  /** Writes a record atomically (only this process writes tasks), as durable as asked. */
  write(rec: TaskRecord, durability: Durability): Promise<void>;
}

/**
 * The task records of the running node. Ids of kept records are listed once (the folder is
 * created then), then tracked as records are written: only this process writes tasks, so an
 * id not in the set has no record and a new task is not looked up on disk.
 */
export function createTaskStore(paths: NodePaths): TaskStore {
  let ids: Promise<Set<string>> | null = null;
  const known = (): Promise<Set<string>> =>
    (ids ??= mkdir(paths.tasks, { recursive: true, mode: 0o700 }).then(
      async () => new Set(taskIdsIn(await readdir(paths.tasks))),
    ));
  return {
    async read(taskId) {
      return (await known()).has(taskId) ? readTask(paths, taskId) : null;
    },
    async write(rec, durability) {
      const set = await known();
      putTask(paths, rec, durability);
      set.add(rec.taskId);
    },
  };
}

function taskIdsIn(names: readonly string[]): string[] {
  return names.filter((n) => n.endsWith('.json') && !n.startsWith('.')).map((n) => n.slice(0, -5));
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
  for (const id of taskIdsIn(names)) {
    const rec = await readTask(paths, id);
    if (rec !== null) out.push(rec);
  }
  return out;
}
