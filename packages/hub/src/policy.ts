import { TesseraError, type ProjectRole } from '@tessera/protocol';
import type { UserPrincipal } from './deps.js';

/*
 * Authorization for issue 2 (DESIGN "Roles"), in one place so the full access model can grow
 * here. Admin manages users, trusts and projects; researcher creates projects and runs jobs where
 * a member; observer reads projects and jobs where a member. Results: members only, admins
 * included only if members.
 */

/** A user's role in one project, or null when not a member. */
export type Membership = ProjectRole | null;

const forbidden = () => new TesseraError('FORBIDDEN', 'not allowed');

/** @throws TesseraError FORBIDDEN unless the user is an admin. */
export function requireAdmin(u: UserPrincipal): void {
  if (u.role !== 'admin') throw forbidden();
}

/** @throws TesseraError FORBIDDEN unless admin or researcher. */
export function requireAdminOrResearcher(u: UserPrincipal): void {
  if (u.role !== 'admin' && u.role !== 'researcher') throw forbidden();
}

/** Project metadata: admins and members. @throws TesseraError NOT_FOUND otherwise (no probing). */
export function requireProjectReader(u: UserPrincipal, m: Membership): void {
  if (u.role !== 'admin' && m === null) throw new TesseraError('NOT_FOUND', 'no such project');
}

/** Adding members or trusts: admins, or researcher members. @throws TesseraError FORBIDDEN/NOT_FOUND */
export function requireProjectEditor(u: UserPrincipal, m: Membership): void {
  requireProjectReader(u, m);
  if (u.role === 'admin') return;
  if (u.role !== 'researcher' || m !== 'researcher') throw forbidden();
}

/** Submitting jobs: researcher members whose global role is not observer. */
export function requireJobSubmitter(u: UserPrincipal, m: Membership): void {
  if (m === null) throw new TesseraError('NOT_FOUND', 'no such project');
  if (m !== 'researcher' || u.role === 'observer') throw forbidden();
}

/** Reading jobs and results: members only, admins included only if members. */
export function requireJobReader(_u: UserPrincipal, m: Membership): void {
  if (m === null) throw new TesseraError('NOT_FOUND', 'no such job');
}
