import { closeSync, fstatSync, fsyncSync, openSync, statSync, writeFileSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import {
  auditEntrySchema,
  chainEntry,
  newTraceId,
  parseJsonSafe,
  verifyChain,
  type AuditEntry,
  type ChainVerdict,
} from '@tessera/protocol';
import type { NodePaths } from './layout.js';
import { withLock } from './lock.js';

/** The node's audit actions (DESIGN "Audit": the hospital's receipt of exactly what left). */
export const NODE_AUDIT_ACTIONS = {
  taskReceived: 'task.received',
  taskRefused: 'task.refused',
  taskFailed: 'task.failed',
  taskReleased: 'task.released',
  datasetImported: 'dataset.imported',
  projectApproved: 'project.approved',
  projectBound: 'project.bound',
  policyChanged: 'policy.changed',
  initialised: 'node.initialised',
  enrolled: 'node.enrolled',
  cataloguePublished: 'catalogue.published',
  /** A noisy release's ε and δ spent from its project's privacy budget. */
  privacySpent: 'privacy.spent',
  trustMismatch: 'hub.trust-mismatch',
  hubKeysMismatch: 'hub.keys-mismatch',
  pinMismatch: 'hub.pin-mismatch',
  /** Instances stored in the imaging store since the last entry, by source (counts only). */
  dicomStored: 'dicom.stored',
  /** An input that could not be parsed or de-identified, kept encrypted, with the reason. */
  dicomQuarantined: 'dicom.quarantined',
  /** A de-identified image flagged with burned-in annotation, kept for the operator. */
  dicomHeld: 'dicom.held',
  dicomRetried: 'dicom.retried',
  dicomReleased: 'dicom.released',
  dicomDeleted: 'dicom.deleted',
  /** `node dicom import`: what one import stored, skipped and refused. */
  dicomImported: 'dicom.imported',
  dicomPolicyChanged: 'dicom.policy-changed',
  /** The imaging dataset was rebuilt from the index. */
  dicomDatasetUpdated: 'dicom.dataset-updated',
} as const;
export type NodeAuditAction = (typeof NODE_AUDIT_ACTIONS)[keyof typeof NODE_AUDIT_ACTIONS];

export interface AuditInput {
  action: NodeAuditAction;
  actor: 'operator' | 'system' | 'hub';
  target: string | null;
  details: Record<string, unknown>;
  traceId?: string;
}

/** The node's audit log as seen by one process. */
export interface AuditLog {
  /**
   * Appends one entry, chained to the last one; durable when it resolves, unless `sync` is
   * false: then it is written (a killed process keeps it) but flushed only by the next synced
   * append, for an entry that may be lost with a power cut as long as nothing it records has
   * left the node (a task's `task.received`, flushed by its outcome's entry before the result
   * leaves).
   */
  append(input: AuditInput, now?: Date, sync?: boolean): Promise<AuditEntry>;
}

/** Where the log ended after this process's last append, to know when another process wrote. */
interface Tail {
  readonly seq: number;
  readonly hash: string;
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
}

/**
 * The audit log `<dir>/audit.log` (JSON lines), each entry chained to the last with protocol's
 * chainEntry. Appends run under the state lock, so entries from `node start` and from operator
 * commands interleave without breaking the chain. The last entry's seq and hash are kept in
 * memory and the file is re-read only when it changed since this process last wrote it.
 */
export function createAuditLog(paths: NodePaths): AuditLog {
  let tail: Tail | null = null;
  return {
    append(input, now = new Date(), sync = true) {
      return withLock(paths.lock, async () => {
        const prev = await lastEntry(paths.audit, tail);
        const entry = chainEntry(
          {
            at: now.toISOString(),
            actor: input.actor,
            action: input.action,
            target: input.target,
            details: input.details,
            traceId: input.traceId ?? newTraceId(),
          },
          prev,
        );
        tail = { seq: entry.seq, hash: entry.hash, ...appendLine(paths.audit, entry, sync) };
        return entry;
      });
    },
  };
}

/** Appends one entry to the node's audit log (for one-off appends: operator commands). */
export function appendAudit(
  paths: NodePaths,
  input: AuditInput,
  now = new Date(),
): Promise<AuditEntry> {
  return createAuditLog(paths).append(input, now);
}

async function lastEntry(
  path: string,
  tail: Tail | null,
): Promise<{ seq: number; hash: string } | null> {
  if (tail !== null) {
    const now = statSync(path, { throwIfNoEntry: false });
    if (now?.ino === tail.ino && now.size === tail.size && now.mtimeMs === tail.mtimeMs)
      return tail;
  }
  const last = await readLastEntry(path);
  return last === null ? null : { seq: last.seq, hash: last.hash };
}

// The fsync makes the entry durable before what it records happens (a release is audited
// before it leaves); it flushes every earlier unsynced entry of the file with it. Plain system
// calls, as in replaceFileSync. Returns the file's identity after the write, to recognise it
// next time.
function appendLine(
  path: string,
  entry: AuditEntry,
  sync: boolean,
): { ino: number; size: number; mtimeMs: number } {
  const fd = openSync(path, 'a', 0o600);
  try {
    writeFileSync(fd, `${JSON.stringify(entry)}\n`);
    if (sync) fsyncSync(fd);
    const { ino, size, mtimeMs } = fstatSync(fd);
    return { ino, size, mtimeMs };
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads the whole log. A line that is not a valid entry ends the read with a verdict naming it.
 */
export async function readAudit(
  path: string,
): Promise<{ entries: AuditEntry[]; badLine: { line: number; reason: string } | null }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], badLine: null };
    throw e;
  }
  const entries: AuditEntry[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line === '' && i === lines.length - 1) break;
    try {
      entries.push(auditEntrySchema.parse(parseJsonSafe(line, 'audit entry')));
    } catch {
      return { entries, badLine: { line: i + 1, reason: `line ${i + 1} is not an audit entry` } };
    }
  }
  return { entries, badLine: null };
}

/** Verifies the node's audit chain; the verdict names the first broken entry. */
export async function verifyAuditFile(path: string): Promise<ChainVerdict> {
  const { entries, badLine } = await readAudit(path);
  const verdict = verifyChain(entries);
  if (!verdict.ok || badLine === null) return verdict;
  return {
    ok: false,
    entries: entries.length + 1,
    brokenAt: entries.length + 1,
    reason: `entry ${entries.length + 1}: ${badLine.reason}`,
  };
}

// Reads backwards in chunks until the last complete line: entries may be large (released models).
async function readLastEntry(path: string): Promise<AuditEntry | null> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  try {
    const size = (await fh.stat()).size;
    let end = size;
    let tail = Buffer.alloc(0);
    const chunk = 64 * 1024;
    while (end > 0) {
      const start = Math.max(0, end - chunk);
      const buf = Buffer.alloc(end - start);
      await fh.read(buf, 0, buf.length, start);
      tail = Buffer.concat([buf, tail]);
      end = start;
      const text = tail.toString('utf8').replace(/\n+$/, '');
      const nl = text.lastIndexOf('\n');
      if (nl >= 0 || end === 0) {
        const line = text.slice(nl + 1);
        if (line === '') return null;
        return auditEntrySchema.parse(parseJsonSafe(line, 'audit entry'));
      }
    }
    return null;
  } finally {
    await fh.close();
  }
}
