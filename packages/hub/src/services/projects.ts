import { randomUUID } from 'node:crypto';
import {
  TesseraError,
  type AddMemberRequest,
  type AddTrustRequest,
  type ProjectRole,
  type ProjectView,
} from '@tessera/protocol';
import { appendAudit } from '../audit/audit-log.js';
import { userActor, type HubDeps, type RequestCtx, type UserPrincipal } from '../deps.js';
import {
  requireAdminOrResearcher,
  requireProjectEditor,
  requireProjectReader,
  type Membership,
} from '../policy.js';
import { isoOf, type Queryable } from '../storage/db.js';
import { isUniqueViolation } from '../storage/errors.js';
import { isUuid, resolveTrust } from './trusts.js';
import { findUserByEmail } from './users.js';

export interface ProjectRow {
  id: string;
  name: string;
  description: string;
  created_at: unknown;
}

/** A project by name or id. @throws TesseraError NOT_FOUND */
export async function resolveProject(q: Queryable, ref: string): Promise<ProjectRow> {
  const rows = await q.query<ProjectRow>(
    `SELECT * FROM projects WHERE ${isUuid(ref) ? 'id' : 'name'} = $1`,
    [ref],
  );
  const row = rows[0];
  if (row === undefined) throw new TesseraError('NOT_FOUND', 'no such project');
  return row;
}

/** The user's role in a project, or null. */
export async function membership(
  q: Queryable,
  projectId: string,
  userId: string,
): Promise<Membership> {
  const rows = await q.query<{ role: ProjectRole }>(
    'SELECT role FROM project_members WHERE project_id = $1 AND user_id = $2',
    [projectId, userId],
  );
  return rows[0]?.role ?? null;
}

/** A project with its members and trusts. */
export async function projectView(q: Queryable, p: ProjectRow): Promise<ProjectView> {
  const members = await q.query<{ email: string; role: ProjectRole }>(
    `SELECT u.email, m.role FROM project_members m JOIN users u ON u.id = m.user_id
      WHERE m.project_id = $1 ORDER BY u.email`,
    [p.id],
  );
  const trusts = await q.query<{ id: string; name: string }>(
    `SELECT t.id, t.name FROM project_trusts pt JOIN trusts t ON t.id = pt.trust_id
      WHERE pt.project_id = $1 ORDER BY t.name`,
    [p.id],
  );
  return {
    id: p.id,
    name: p.name,
    description: p.description,
    createdAt: isoOf(p.created_at),
    members,
    trusts,
  };
}

/**
 * Creates a project; the creator becomes a researcher member.
 * @throws TesseraError FORBIDDEN for observers, CONFLICT when the name is taken.
 */
export async function createProject(
  deps: HubDeps,
  ctx: RequestCtx,
  actor: UserPrincipal,
  input: { name: string; description: string },
): Promise<ProjectView> {
  requireAdminOrResearcher(actor);
  const id = randomUUID();
  const now = deps.clock.now().toISOString();
  return deps.db.transaction(async (tx) => {
    try {
      await tx.query(
        `INSERT INTO projects (id, name, description, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5)`,
        [id, input.name, input.description, actor.id, now],
      );
    } catch (e) {
      if (isUniqueViolation(e))
        throw new TesseraError('CONFLICT', 'a project with this name exists');
      throw e;
    }
    await tx.query(
      `INSERT INTO project_members (project_id, user_id, role, added_at) VALUES ($1, $2, 'researcher', $3)`,
      [id, actor.id, now],
    );
    await appendAudit(tx, deps.clock, {
      actor: userActor(actor),
      action: 'project.create',
      target: `project:${id}`,
      details: { name: input.name },
      traceId: ctx.traceId,
    });
    return projectView(tx, await resolveProject(tx, id));
  });
}

/** Admins see every project, others their memberships. */
export async function listProjects(deps: HubDeps, actor: UserPrincipal): Promise<ProjectView[]> {
  const rows =
    actor.role === 'admin'
      ? await deps.db.query<ProjectRow>('SELECT * FROM projects ORDER BY name')
      : await deps.db.query<ProjectRow>(
          `SELECT p.* FROM projects p JOIN project_members m ON m.project_id = p.id
            WHERE m.user_id = $1 ORDER BY p.name`,
          [actor.id],
        );
  return Promise.all(rows.map((r) => projectView(deps.db, r)));
}

/** One project, for admins and members. @throws TesseraError NOT_FOUND */
export async function getProject(
  deps: HubDeps,
  actor: UserPrincipal,
  ref: string,
): Promise<ProjectView> {
  const p = await resolveProject(deps.db, ref);
  requireProjectReader(actor, await membership(deps.db, p.id, actor.id));
  return projectView(deps.db, p);
}

/**
 * Adds a member or changes their role.
 * @throws TesseraError FORBIDDEN, NOT_FOUND (project or user)
 */
export async function addMember(
  deps: HubDeps,
  ctx: RequestCtx,
  actor: UserPrincipal,
  ref: string,
  input: AddMemberRequest,
): Promise<ProjectView> {
  return deps.db.transaction(async (tx) => {
    const p = await resolveProject(tx, ref);
    requireProjectEditor(actor, await membership(tx, p.id, actor.id));
    const user = await findUserByEmail(tx, input.email);
    if (user === undefined) throw new TesseraError('NOT_FOUND', 'no user with this email');
    await tx.query(
      `INSERT INTO project_members (project_id, user_id, role, added_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (project_id, user_id) DO UPDATE SET role = EXCLUDED.role`,
      [p.id, user.id, input.role, deps.clock.now().toISOString()],
    );
    await appendAudit(tx, deps.clock, {
      actor: userActor(actor),
      action: 'project.member.add',
      target: `project:${p.id}`,
      details: { userId: user.id, role: input.role },
      traceId: ctx.traceId,
    });
    return projectView(tx, p);
  });
}

/**
 * Makes a trust a participant of the project (idempotent).
 * @throws TesseraError FORBIDDEN, NOT_FOUND (project or trust)
 */
export async function addProjectTrust(
  deps: HubDeps,
  ctx: RequestCtx,
  actor: UserPrincipal,
  ref: string,
  input: AddTrustRequest,
): Promise<ProjectView> {
  return deps.db.transaction(async (tx) => {
    const p = await resolveProject(tx, ref);
    requireProjectEditor(actor, await membership(tx, p.id, actor.id));
    const t = await resolveTrust(tx, input.trust);
    await tx.query(
      `INSERT INTO project_trusts (project_id, trust_id, added_at) VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING`,
      [p.id, t.id, deps.clock.now().toISOString()],
    );
    await appendAudit(tx, deps.clock, {
      actor: userActor(actor),
      action: 'project.trust.add',
      target: `project:${p.id}`,
      details: { trustId: t.id, trust: t.name },
      traceId: ctx.traceId,
    });
    return projectView(tx, p);
  });
}
