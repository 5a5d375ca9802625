import {
  TesseraError,
  issueSecret,
  parseSecret,
  secretMatches,
  type LoginRequest,
  type LoginResponse,
} from '@tessera/protocol';
import { appendAudit } from '../audit/audit-log.js';
import { userActor, type HubDeps, type RequestCtx, type UserPrincipal } from '../deps.js';
import { dummyPasswordHash, verifyPassword } from '../password.js';
import { isoOf } from '../storage/db.js';
import { findUserByEmail, normaliseEmail, toUserView, type UserRow } from './users.js';

const WRONG = 'wrong email or password';

/**
 * Signs a user in and issues a session token (only its hash is stored). Failures are audited and
 * throttled per email and per client address; the answer never says whether the account exists.
 * @throws TesseraError UNAUTHENTICATED on any failure, RATE_LIMITED when throttled.
 */
export async function login(
  deps: HubDeps,
  ctx: RequestCtx,
  input: LoginRequest,
): Promise<LoginResponse> {
  const email = normaliseEmail(input.email);
  const keys = [`email:${email}`, `addr:${ctx.address}`];
  if (keys.some((k) => deps.limits.login.isLimited(k))) {
    await audited(deps, ctx, 'auth.login.throttled', { email, address: ctx.address });
    throw new TesseraError('RATE_LIMITED', 'too many failed sign-ins; try again later');
  }
  const user = await findUserByEmail(deps.db, email);
  // Verify against a dummy hash when there is no account so timing does not reveal it.
  const ok = await verifyPassword(
    input.password,
    user?.password_hash ?? (await dummyPasswordHash()),
  );
  if (user === undefined || !ok || user.disabled) {
    for (const k of keys) deps.limits.login.hit(k);
    await audited(deps, ctx, 'auth.login.failed', { email, address: ctx.address });
    throw new TesseraError('UNAUTHENTICATED', WRONG);
  }
  deps.limits.login.reset(keys[0] ?? '');
  const session = issueSecret('session');
  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + deps.config.sessionTtlMs).toISOString();
  const row = await deps.db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO sessions (key_id, token_hash, user_id, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5)`,
      [session.keyId, session.hash, user.id, now.toISOString(), expiresAt],
    );
    const rows = await tx.query<UserRow>(
      'UPDATE users SET last_login_at = $2 WHERE id = $1 RETURNING *',
      [user.id, now.toISOString()],
    );
    await appendAudit(tx, deps.clock, {
      actor: userActor(user),
      action: 'auth.login',
      target: `user:${user.id}`,
      details: { address: ctx.address, sessionKeyId: session.keyId },
      traceId: ctx.traceId,
    });
    return rows[0] ?? user;
  });
  return { token: session.secret, expiresAt, user: toUserView(row) };
}

async function audited(
  deps: HubDeps,
  ctx: RequestCtx,
  action: string,
  details: Record<string, unknown>,
): Promise<void> {
  await deps.db.transaction((tx) =>
    appendAudit(tx, deps.clock, { actor: 'anonymous', action, details, traceId: ctx.traceId }),
  );
}

interface SessionRow extends UserRow {
  token_hash: string;
  expires_at: unknown;
  key_id: string;
}

/**
 * The user behind a `Bearer <session token>` header.
 * @throws TesseraError UNAUTHENTICATED when absent, malformed, unknown, expired or disabled.
 */
export async function authenticateSession(
  deps: HubDeps,
  authorization: string | undefined,
): Promise<UserPrincipal & { sessionKeyId: string }> {
  const token = bearer(authorization);
  const { keyId } = parseSecret(token, 'session');
  const rows = await deps.db.query<SessionRow>(
    `SELECT u.*, s.token_hash, s.expires_at, s.key_id
       FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.key_id = $1`,
    [keyId],
  );
  const r = rows[0];
  if (
    r === undefined ||
    !secretMatches(token, r.token_hash) ||
    isoOf(r.expires_at) <= deps.clock.now().toISOString() ||
    r.disabled
  ) {
    throw new TesseraError('UNAUTHENTICATED', 'not signed in or session expired');
  }
  return { id: r.id, email: r.email, role: r.role, sessionKeyId: r.key_id };
}

/** Ends the session the token belongs to. */
export async function logout(
  deps: HubDeps,
  ctx: RequestCtx,
  user: UserPrincipal & { sessionKeyId: string },
): Promise<void> {
  await deps.db.transaction(async (tx) => {
    await tx.query('DELETE FROM sessions WHERE key_id = $1', [user.sessionKeyId]);
    await appendAudit(tx, deps.clock, {
      actor: userActor(user),
      action: 'auth.logout',
      target: `user:${user.id}`,
      traceId: ctx.traceId,
    });
  });
}

/**
 * The credential of an `Authorization: Bearer …` header.
 * @throws TesseraError UNAUTHENTICATED when the header is absent or of another scheme.
 */
export function bearer(authorization: string | undefined): string {
  const m = /^Bearer ([^\s]+)$/.exec(authorization ?? '');
  if (m?.[1] === undefined) throw new TesseraError('UNAUTHENTICATED', 'missing bearer credentials');
  return m[1];
}
