import { createHash } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from './canonical-json.js';

/*
 * Hash-chained audit entries (DESIGN "Audit"), shared by hub and node so that one verifier serves
 * both. Each entry's hash is SHA-256 over the previous hash and the canonical JSON of the entry's
 * fields; altering any byte of any entry breaks every hash from it on.
 */

export const GENESIS_HASH = '0'.repeat(64);

export const auditEntrySchema = z.object({
  seq: z.number().int().min(1),
  at: z.string(),
  /** Who acted: `user:<id>`, `trust:<name>`, `operator`, `system`. Never an email or a secret. */
  actor: z.string(),
  /** What happened, dotted: `job.submit`, `task.released`, `auth.login.failed`. */
  action: z.string(),
  /** What it was done to: `job:<id>`, `project:<id>`, … */
  target: z.string().nullable(),
  /** Structured facts; never patient data or secrets. */
  details: z.record(z.string(), z.unknown()),
  traceId: z.string(),
  prevHash: z.string().regex(/^[0-9a-f]{64}$/),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;
export type AuditEntryDraft = Omit<AuditEntry, 'seq' | 'prevHash' | 'hash'>;

/** The hash of an entry given its predecessor's hash. */
export function auditHash(entry: Omit<AuditEntry, 'hash'>): string {
  const { prevHash, ...rest } = entry;
  return createHash('sha256')
    .update(prevHash)
    .update('\n')
    .update(canonicalJson(rest))
    .digest('hex');
}

/** Appends a draft to a chain whose last hash and sequence number are given. */
export function chainEntry(
  draft: AuditEntryDraft,
  prev: { seq: number; hash: string } | null,
): AuditEntry {
  const seq = prev === null ? 1 : prev.seq + 1;
  const prevHash = prev === null ? GENESIS_HASH : prev.hash;
  const unhashed = { ...draft, seq, prevHash };
  return { ...unhashed, hash: auditHash(unhashed) };
}

export interface ChainVerdict {
  ok: boolean;
  entries: number;
  brokenAt: number | null;
  reason: string | null;
}

/** Verifies a chain given in sequence order. */
export function verifyChain(entries: Iterable<AuditEntry>): ChainVerdict {
  let prev: AuditEntry | null = null;
  let n = 0;
  for (const e of entries) {
    n++;
    const expectedSeq = prev === null ? 1 : prev.seq + 1;
    const expectedPrev = prev === null ? GENESIS_HASH : prev.hash;
    if (e.seq !== expectedSeq)
      return broken(n, e.seq, `entry ${e.seq}: expected sequence ${expectedSeq}`);
    if (e.prevHash !== expectedPrev)
      return broken(n, e.seq, `entry ${e.seq}: does not follow entry ${e.seq - 1}`);
    const { hash, ...rest } = e;
    if (auditHash(rest) !== hash)
      return broken(n, e.seq, `entry ${e.seq}: content does not match its hash`);
    prev = e;
  }
  return { ok: true, entries: n, brokenAt: null, reason: null };
}

function broken(n: number, seq: number, reason: string): ChainVerdict {
  return { ok: false, entries: n, brokenAt: seq, reason };
}
