import { appendFileSync, closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
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

/**
 * A task's life at the node: received → done (result sealed, signed, kept) → acknowledged. A done
 * record is never rewritten: what the hub said of it is appended to the ack log (`ackLogFile`),
 * and a record read back with its ack is `acknowledged` (records of older nodes may say so on
 * their own).
 */
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

/**
 * `<dir>/tasks/acks.jsonl`: one JSON line per delivered result, `{taskId, ack, at}`, `ack` being
 * what the hub said (null when it said nothing final: the outcome is audited all the same).
 * Appended without fsync: a power cut may lose an acknowledgement, and the task is then delivered
 * once more after the restart and answered as a duplicate; the record holding the submission is
 * never touched again, so it cannot be torn.
 */
export function ackLogFile(paths: NodePaths): string {
  return join(paths.tasks, 'acks.jsonl');
}

const ackLineSchema = z
  .object({ taskId: idSchema, ack: z.string().max(100).nullable(), at: isoDateSchema })
  .strict();
type AckLine = z.infer<typeof ackLineSchema>;

/** The ack log as a map from task id to its last line; lines that do not parse are skipped. */
async function readAcks(paths: NodePaths): Promise<Map<string, AckLine>> {
  let text: string;
  try {
    text = await readFile(ackLogFile(paths), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw e;
  }
  const out = new Map<string, AckLine>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      continue; // a line torn by a crash: that task's ack is lost, it is delivered once more
    }
    const parsed = ackLineSchema.safeParse(raw);
    if (parsed.success) out.set(parsed.data.taskId, parsed.data);
  }
  return out;
}

/** A done record with what the hub said of it. Pure. */
function withAck(rec: TaskRecord, a: AckLine | undefined): TaskRecord {
  if (a === undefined || rec.state !== 'done') return rec;
  return {
    ...rec,
    state: a.ack === null ? rec.state : 'acknowledged',
    audited: true,
    ack: a.ack ?? rec.ack,
    updatedAt: a.at,
  };
}

/** The record file alone (no ack), or null when missing or corrupt. */
async function readRecord(paths: NodePaths, taskId: string): Promise<TaskRecord | null> {
  if (!idSchema.safeParse(taskId).success) return null;
  const raw = await readJsonFile(paths.task(taskId)).catch(() => undefined);
  if (raw === undefined) return null;
  const parsed = taskRecordSchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

/** Reads a task record, or null; a corrupt record reads as null and the task is redone by the hub. */
export async function readTask(paths: NodePaths, taskId: string): Promise<TaskRecord | null> {
  const rec = await readRecord(paths, taskId);
  return rec === null ? null : withAck(rec, (await readAcks(paths)).get(taskId));
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
  /** The kept record of a task (with its ack), or null; a task never kept costs no file access. */
  read(taskId: string): Promise<TaskRecord | null>;
  /** Writes a record atomically (only this process writes tasks), as durable as asked. */
  write(rec: TaskRecord, durability: Durability): Promise<void>;
  /**
   * Records what the hub said of a done, audited record's delivery (`ack` null: nothing final)
   * by one append to the ack log, without rewriting the record.
   */
  acknowledge(taskId: string, ack: string | null, at: Date): Promise<void>;
}

/**
 * The task records of the running node. Ids of kept records and the ack log are read once (the
 * folder is created then), then tracked as records are written and acknowledged: only this
 * process writes tasks, so an id not in the set has no record and a new task is not looked up on
 * disk.
 */
export function createTaskStore(paths: NodePaths): TaskStore {
  let state: Promise<{ ids: Set<string>; acks: Map<string, AckLine> }> | null = null;
  const known = () =>
    (state ??= mkdir(paths.tasks, { recursive: true, mode: 0o700 }).then(async () => {
      const ids = new Set(taskIdsIn(await readdir(paths.tasks)));
      const acks = await readAcks(paths);
      endWithNewline(ackLogFile(paths));
      return { ids, acks };
    }));
  return {
    async read(taskId) {
      const { ids, acks } = await known();
      if (!ids.has(taskId)) return null;
      const rec = await readRecord(paths, taskId);
      return rec === null ? null : withAck(rec, acks.get(taskId));
    },
    async write(rec, durability) {
      const { ids } = await known();
      putTask(paths, rec, durability);
      ids.add(rec.taskId);
    },
    async acknowledge(taskId, ack, at) {
      const { acks } = await known();
      const line: AckLine = { taskId, ack, at: at.toISOString() };
      // One append of one line (a plain system call, see replaceFileSync).
      appendFileSync(ackLogFile(paths), `${JSON.stringify(line)}\n`, { mode: 0o600 });
      acks.set(taskId, line);
    },
  };
}

/** Ends the ack log with a newline if a crash left a torn last line, so the next line is whole. */
function endWithNewline(file: string): void {
  let fd: number;
  try {
    fd = openSync(file, 'r+');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return;
    const last = Buffer.alloc(1);
    readSync(fd, last, 0, 1, size - 1);
    if (last[0] !== 0x0a) writeSync(fd, '\n', size);
  } finally {
    closeSync(fd);
  }
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
  const acks = await readAcks(paths);
  const out: TaskRecord[] = [];
  for (const id of taskIdsIn(names)) {
    const rec = await readRecord(paths, id);
    if (rec !== null) out.push(withAck(rec, acks.get(id)));
  }
  return out;
}
