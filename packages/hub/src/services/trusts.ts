import { randomUUID } from 'node:crypto';
import {
  TesseraError,
  issueSecret,
  partyFingerprint,
  type CreateTrustRequest,
  type TrustKeyResponse,
  type TrustView,
} from '@tessera/protocol';
import { appendAudit } from '../audit/audit-log.js';
import { userActor, type HubDeps, type RequestCtx, type UserPrincipal } from '../deps.js';
import { requireAdmin, requireAdminOrResearcher } from '../policy.js';
import { isoOf, isoOrNull, type Queryable } from '../storage/db.js';
import { isUniqueViolation } from '../storage/errors.js';

export interface TrustRow {
  id: string;
  name: string;
  key_id: string;
  key_hash: string;
  revoked: boolean;
  node_seal_public: string | null;
  node_sign_public: string | null;
  enrolled_at: unknown;
  created_at: unknown;
  last_seen_at: unknown;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True when `ref` has the form of an id rather than a name. */
export function isUuid(ref: string): boolean {
  return UUID_RE.test(ref);
}

/** The public view of a trust: never the key hash. */
export function toTrustView(r: TrustRow): TrustView {
  return {
    id: r.id,
    name: r.name,
    createdAt: isoOf(r.created_at),
    revoked: r.revoked,
    nodeFingerprint:
      r.node_seal_public === null || r.node_sign_public === null
        ? null
        : partyFingerprint({ seal: r.node_seal_public, sign: r.node_sign_public }),
    lastSeenAt: isoOrNull(r.last_seen_at),
  };
}

/** A trust by name or id. @throws TesseraError NOT_FOUND */
export async function resolveTrust(q: Queryable, ref: string, lock = false): Promise<TrustRow> {
  const col = isUuid(ref) ? 'id' : 'name';
  const rows = await q.query<TrustRow>(
    `SELECT * FROM trusts WHERE ${col} = $1${lock ? ' FOR NO KEY UPDATE' : ''}`,
    [ref],
  );
  const row = rows[0];
  if (row === undefined) throw new TesseraError('NOT_FOUND', 'no such trust');
  return row;
}

/**
 * Creates a trust with a new node API key; only the key id and SHA-256 are stored.
 * @throws TesseraError FORBIDDEN for non-admins, CONFLICT when the name is taken.
 */
export async function createTrust(
  deps: HubDeps,
  ctx: RequestCtx,
  actor: UserPrincipal,
  input: CreateTrustRequest,
): Promise<TrustKeyResponse> {
  requireAdmin(actor);
  const key = issueSecret('node');
  const id = randomUUID();
  await deps.db.transaction(async (tx) => {
    try {
      await tx.query(
        'INSERT INTO trusts (id, name, key_id, key_hash, created_at) VALUES ($1, $2, $3, $4, $5)',
        [id, input.name, key.keyId, key.hash, deps.clock.now().toISOString()],
      );
    } catch (e) {
      if (isUniqueViolation(e)) throw new TesseraError('CONFLICT', 'a trust with this name exists');
      throw e;
    }
    await appendAudit(tx, deps.clock, {
      actor: userActor(actor),
      action: 'trust.create',
      target: `trust:${id}`,
      details: { name: input.name, keyId: key.keyId },
      traceId: ctx.traceId,
    });
  });
  return { id, name: input.name, apiKey: key.secret };
}

/** Every trust, for admins and researchers. @throws TesseraError FORBIDDEN for observers. */
export async function listTrusts(deps: HubDeps, actor: UserPrincipal): Promise<TrustView[]> {
  requireAdminOrResearcher(actor);
  const rows = await deps.db.query<TrustRow>('SELECT * FROM trusts ORDER BY name');
  return rows.map(toTrustView);
}

/**
 * Replaces a trust's API key; the old one stops working at once.
 * @throws TesseraError FORBIDDEN, NOT_FOUND
 */
export async function rotateTrustKey(
  deps: HubDeps,
  ctx: RequestCtx,
  actor: UserPrincipal,
  ref: string,
): Promise<TrustKeyResponse> {
  requireAdmin(actor);
  const key = issueSecret('node');
  return deps.db.transaction(async (tx) => {
    const t = await resolveTrust(tx, ref, true);
    await tx.query('UPDATE trusts SET key_id = $2, key_hash = $3 WHERE id = $1', [
      t.id,
      key.keyId,
      key.hash,
    ]);
    await appendAudit(tx, deps.clock, {
      actor: userActor(actor),
      action: 'trust.rotate',
      target: `trust:${t.id}`,
      details: { name: t.name, oldKeyId: t.key_id, keyId: key.keyId },
      traceId: ctx.traceId,
    });
    return { id: t.id, name: t.name, apiKey: key.secret };
  });
}

/** The admin actions on a trust that change one flag and are audited. */
export const TRUST_ACTIONS = {
  revoke: { action: 'trust.revoke', sql: 'UPDATE trusts SET revoked = true WHERE id = $1' },
  'reset-keys': {
    action: 'trust.reset-keys',
    // Un-pins the node keys so the node can enrol again (DESIGN "Payloads": a change needs an admin).
    sql: `UPDATE trusts SET node_seal_public = NULL, node_sign_public = NULL, enrolled_at = NULL
          WHERE id = $1`,
  },
} as const;
export type TrustAction = keyof typeof TRUST_ACTIONS;

/**
 * Revokes a trust or resets its pinned node keys.
 * @throws TesseraError FORBIDDEN, NOT_FOUND
 */
export async function changeTrust(
  deps: HubDeps,
  ctx: RequestCtx,
  actor: UserPrincipal,
  ref: string,
  what: TrustAction,
): Promise<TrustView> {
  requireAdmin(actor);
  return deps.db.transaction(async (tx) => {
    const t = await resolveTrust(tx, ref, true);
    await tx.query(TRUST_ACTIONS[what].sql, [t.id]);
    await appendAudit(tx, deps.clock, {
      actor: userActor(actor),
      action: TRUST_ACTIONS[what].action,
      target: `trust:${t.id}`,
      details: { name: t.name },
      traceId: ctx.traceId,
    });
    return toTrustView(await resolveTrust(tx, t.id));
  });
}
