import { TesseraError, isTesseraError, parseSecret, secretMatches } from '@tessera/protocol';
import { appendAudit } from '../audit/audit-log.js';
import type { HubDeps, RequestCtx } from '../deps.js';
import { isoOrNull } from '../storage/db.js';
import { bearer } from './auth.js';
import type { TrustRow } from './trusts.js';

const UNAUTH = 'invalid node credentials';

/**
 * The trust behind a node's `Authorization: Bearer <API key>` (DESIGN "Node identity"): the key id
 * finds the record, the SHA-256 is compared in constant time. Every failure is audited (key id
 * when parseable and the client address, never the key) and counted per address.
 * @throws TesseraError UNAUTHENTICATED for a missing, malformed, wrong or revoked key;
 *   RATE_LIMITED once the address has failed too often.
 */
export async function authenticateNode(
  deps: HubDeps,
  ctx: RequestCtx,
  authorization: string | undefined,
): Promise<TrustRow> {
  const limitKey = `node:${ctx.address}`;
  if (deps.limits.nodeAuth.isLimited(limitKey)) {
    throw new TesseraError('RATE_LIMITED', 'too many failed attempts; try again later');
  }
  let keyId: string | null = null;
  let reason = 'malformed';
  try {
    const key = bearer(authorization);
    keyId = parseSecret(key, 'node').keyId;
    const rows = await deps.db.query<TrustRow>('SELECT * FROM trusts WHERE key_id = $1', [keyId]);
    const t = rows[0];
    reason = t === undefined ? 'unknown key id' : 'wrong key';
    if (t !== undefined && secretMatches(key, t.key_hash)) {
      if (!t.revoked) {
        await touch(deps, t);
        return t;
      }
      reason = 'revoked';
    }
  } catch (e) {
    if (!isTesseraError(e)) throw e;
  }
  deps.limits.nodeAuth.hit(limitKey);
  await deps.db.transaction((tx) =>
    appendAudit(tx, deps.clock, {
      actor: 'anonymous',
      action: 'node.auth.failed',
      target: null,
      details: { keyId, address: ctx.address, reason },
      traceId: ctx.traceId,
    }),
  );
  throw new TesseraError('UNAUTHENTICATED', UNAUTH);
}

/** Records when the node was last seen, at most every 10 s: polls come many times a minute. */
async function touch(deps: HubDeps, t: TrustRow): Promise<void> {
  const now = deps.clock.now();
  const last = isoOrNull(t.last_seen_at);
  if (last !== null && now.getTime() - new Date(last).getTime() < 10_000) return;
  await deps.db.query('UPDATE trusts SET last_seen_at = $2 WHERE id = $1', [
    t.id,
    now.toISOString(),
  ]);
}
