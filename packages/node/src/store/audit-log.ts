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
  trustMismatch: 'hub.trust-mismatch',
  hubKeysMismatch: 'hub.keys-mismatch',
  pinMismatch: 'hub.pin-mismatch',
} as const;
export type NodeAuditAction = (typeof NODE_AUDIT_ACTIONS)[keyof typeof NODE_AUDIT_ACTIONS];

export interface AuditInput {
  action: NodeAuditAction;
  actor: 'operator' | 'system' | 'hub';
  target: string | null;
  details: Record<string, unknown>;
  traceId?: string;
}

/**
 * Appends one entry to `<dir>/audit.log` (JSON lines), chained to the last entry with protocol's
 * chainEntry. Runs under the state lock, so entries from `node start` and from operator commands
 * interleave without breaking the chain.
 */
export async function appendAudit(
  paths: NodePaths,
  input: AuditInput,
  now = new Date(),
): Promise<AuditEntry> {
  return withLock(paths.lock, async () => {
    const last = await readLastEntry(paths.audit);
    const entry = chainEntry(
      {
        at: now.toISOString(),
        actor: input.actor,
        action: input.action,
        target: input.target,
        details: input.details,
        traceId: input.traceId ?? newTraceId(),
      },
      last === null ? null : { seq: last.seq, hash: last.hash },
    );
    const fh = await open(paths.audit, 'a', 0o600);
    try {
      await fh.appendFile(`${JSON.stringify(entry)}\n`);
      await fh.sync();
    } finally {
      await fh.close();
    }
    return entry;
  });
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
