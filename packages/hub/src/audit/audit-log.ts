import {
  canonicalJson,
  chainEntry,
  verifyChain,
  type AuditEntry,
  type ChainVerdict,
} from '@tessera/protocol';
import type { Clock } from '../clock.js';
import type { Queryable } from '../storage/db.js';

/*
 * The hub's hash-chained audit log (DESIGN "Audit"), stored in audit_log. Appends take a
 * transaction-scoped advisory lock so that concurrent appends (several requests, several hub
 * processes on one PostgreSQL) cannot fork the chain; call appendAudit last in a transaction so
 * the lock is held briefly and always after row locks.
 */

// Any constant, distinct from the migration lock.
const AUDIT_LOCK = 7_301_002;

export interface AuditInput {
  /** `user:<id>`, `trust:<name>`, `anonymous`, `system`. Never an email or a secret. */
  readonly actor: string;
  readonly action: string;
  readonly target?: string | null;
  /** Facts; never secrets or patient data. */
  readonly details?: Record<string, unknown>;
  readonly traceId: string;
}

interface AuditRow {
  seq: number;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  details: string;
  trace_id: string;
  prev_hash: string;
  hash: string;
}

/**
 * Appends one entry inside the caller's transaction `tx`.
 * @throws TypeError when details hold a value JSON cannot encode; the driver's error otherwise.
 */
export async function appendAudit(
  tx: Queryable,
  clock: Clock,
  input: AuditInput,
): Promise<AuditEntry> {
  const [entry] = await appendAudits(tx, clock, [input]);
  if (entry === undefined) throw new Error('no audit entry appended');
  return entry;
}

/**
 * Appends entries in order inside the caller's transaction `tx`: one lock, one read of the chain's
 * end and one INSERT however many there are.
 * @throws TypeError when details hold a value JSON cannot encode; the driver's error otherwise.
 */
export async function appendAudits(
  tx: Queryable,
  clock: Clock,
  inputs: readonly AuditInput[],
): Promise<AuditEntry[]> {
  if (inputs.length === 0) return [];
  await tx.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_LOCK]);
  const last = await tx.query<{ seq: number; hash: string }>(
    'SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1',
  );
  const at = clock.now().toISOString();
  let prev: { seq: number; hash: string } | null = last[0] ?? null;
  const entries = inputs.map((input) => {
    const entry = chainEntry(
      {
        at,
        actor: input.actor,
        action: input.action,
        target: input.target ?? null,
        details: input.details ?? {},
        traceId: input.traceId,
      },
      prev,
    );
    prev = entry;
    return entry;
  });
  const values = entries.map(
    (_, i) => `(${COLUMNS.map((_c, j) => `$${i * 9 + j + 1}`).join(', ')})`,
  );
  await tx.query(
    `INSERT INTO audit_log (${COLUMNS.join(', ')}) VALUES ${values.join(', ')}`,
    entries.flatMap((e) => [
      e.seq,
      e.at,
      e.actor,
      e.action,
      e.target,
      canonicalJson(e.details),
      e.traceId,
      e.prevHash,
      e.hash,
    ]),
  );
  return entries;
}

const COLUMNS = [
  'seq',
  'at',
  'actor',
  'action',
  'target',
  'details',
  'trace_id',
  'prev_hash',
  'hash',
] as const;

/** Entries with seq > `after`, oldest first. Rows whose details no longer parse are shown raw. */
export async function listAudit(q: Queryable, after: number, limit: number): Promise<AuditEntry[]> {
  const rows = await q.query<AuditRow>(
    'SELECT * FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2',
    [after, limit],
  );
  return rows.map((r) => toEntry(r) ?? { ...base(r), details: { unparseable: r.details } });
}

/**
 * Verifies the whole chain. Besides the hashes, the stored details must be exactly the canonical
 * JSON that was hashed, so a change that JSON parsing would hide is still caught.
 */
export async function verifyAudit(q: Queryable): Promise<ChainVerdict> {
  const rows = await q.query<AuditRow>('SELECT * FROM audit_log ORDER BY seq');
  const entries: AuditEntry[] = [];
  for (const r of rows) {
    const e = toEntry(r);
    if (e === null || canonicalJson(e.details) !== r.details) {
      const prior = verifyChain(entries);
      if (!prior.ok) return prior;
      return {
        ok: false,
        entries: entries.length + 1,
        brokenAt: r.seq,
        reason: `entry ${r.seq}: details are not the canonical JSON that was hashed`,
      };
    }
    entries.push(e);
  }
  return verifyChain(entries);
}

function base(r: AuditRow): Omit<AuditEntry, 'details'> {
  return {
    seq: r.seq,
    at: r.at,
    actor: r.actor,
    action: r.action,
    target: r.target,
    traceId: r.trace_id,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

function toEntry(r: AuditRow): AuditEntry | null {
  let details: unknown;
  try {
    details = JSON.parse(r.details);
  } catch {
    return null;
  }
  if (typeof details !== 'object' || details === null || Array.isArray(details)) return null;
  return { ...base(r), details: details as Record<string, unknown> };
}
