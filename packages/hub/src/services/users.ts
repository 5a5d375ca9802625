import { randomUUID } from 'node:crypto';
import { TesseraError, type CreateUserRequest, type Role, type UserView } from '@tessera/protocol';
import { appendAudit } from '../audit/audit-log.js';
import { userActor, type HubDeps, type RequestCtx, type UserPrincipal } from '../deps.js';
import { hashPassword } from '../password.js';
import { isoOf, isoOrNull, type Queryable } from '../storage/db.js';
import { isUniqueViolation } from '../storage/errors.js';
import { requireAdmin } from '../policy.js';

export interface UserRow {
  id: string;
  email: string;
  role: Role;
  password_hash: string;
  disabled: boolean;
  created_at: unknown;
  last_login_at: unknown;
}

/** The public view of a user row. */
export function toUserView(r: UserRow): UserView {
  return {
    id: r.id,
    email: r.email,
    role: r.role,
    disabled: r.disabled,
    createdAt: isoOf(r.created_at),
    lastLoginAt: isoOrNull(r.last_login_at),
  };
}

/** Emails are compared case-insensitively; stored lower-case. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export async function findUserByEmail(q: Queryable, email: string): Promise<UserRow | undefined> {
  const rows = await q.query<UserRow>('SELECT * FROM users WHERE email = $1', [
    normaliseEmail(email),
  ]);
  return rows[0];
}

/**
 * Inserts a user (no authorization check: initHub uses it for the first admin).
 * @throws TesseraError CONFLICT when the email is taken.
 */
export async function insertUser(
  deps: Pick<HubDeps, 'clock'>,
  tx: Queryable,
  input: CreateUserRequest,
  audit: { actor: string; traceId: string },
): Promise<UserView> {
  const id = randomUUID();
  const hash = await hashPassword(input.password);
  const email = normaliseEmail(input.email);
  try {
    await tx.query(
      `INSERT INTO users (id, email, role, password_hash, created_at) VALUES ($1, $2, $3, $4, $5)`,
      [id, email, input.role, hash, deps.clock.now().toISOString()],
    );
  } catch (e) {
    if (isUniqueViolation(e)) throw new TesseraError('CONFLICT', 'a user with this email exists');
    throw e;
  }
  // Admin-only audit details may name the email (never logs).
  await appendAudit(tx, deps.clock, {
    actor: audit.actor,
    action: 'user.create',
    target: `user:${id}`,
    details: { role: input.role, email },
    traceId: audit.traceId,
  });
  const rows = await tx.query<UserRow>('SELECT * FROM users WHERE id = $1', [id]);
  const row = rows[0];
  if (row === undefined) throw new TesseraError('INTERNAL', 'user vanished');
  return toUserView(row);
}

/**
 * An admin creates a user.
 * @throws TesseraError FORBIDDEN for non-admins, CONFLICT when the email is taken.
 */
export async function createUser(
  deps: HubDeps,
  ctx: RequestCtx,
  actor: UserPrincipal,
  input: CreateUserRequest,
): Promise<UserView> {
  requireAdmin(actor);
  return deps.db.transaction((tx) =>
    insertUser(deps, tx, input, { actor: userActor(actor), traceId: ctx.traceId }),
  );
}

/** Every user, for admins. @throws TesseraError FORBIDDEN for non-admins. */
export async function listUsers(deps: HubDeps, actor: UserPrincipal): Promise<UserView[]> {
  requireAdmin(actor);
  const rows = await deps.db.query<UserRow>('SELECT * FROM users ORDER BY created_at, email');
  return rows.map(toUserView);
}
