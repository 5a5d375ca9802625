import type { Queryable } from '../storage/db.js';
import type { JobError } from './artifacts.js';

/*
 * Which trusts get a step's tasks (DESIGN "A job, end to end", step 2; issue 6): the project's
 * trusts that are enrolled (keys pinned) and not revoked, narrowed to the decision's `sites` when
 * it names some (e.g. the clients sampled for a training round). Trusts not named keep their
 * state: nothing of theirs is closed or reset, and a later step may name them again.
 */

/** A trust of the job's project, as the orchestrator needs it. */
export interface ProjectSite {
  readonly id: string;
  readonly name: string;
  readonly revoked: boolean;
  readonly node_seal_public: string | null;
  readonly node_sign_public: string | null;
}

/** A trust that gets a task: enrolled, so both keys are pinned. */
export interface Participant {
  readonly id: string;
  readonly name: string;
  readonly node_seal_public: string;
  readonly node_sign_public: string;
}

/** The step's participants, and the named trusts that cannot take part (revoked, not enrolled). */
export interface StepSites {
  readonly participants: Participant[];
  readonly left: string[];
}

/** Every trust of a project, by name. */
export function projectSites(tx: Queryable, projectId: string): Promise<ProjectSite[]> {
  return tx.query<ProjectSite>(
    `SELECT t.id, t.name, t.revoked, t.node_seal_public, t.node_sign_public
       FROM project_trusts pt JOIN trusts t ON t.id = pt.trust_id
      WHERE pt.project_id = $1 ORDER BY t.name`,
    [projectId],
  );
}

const isParticipant = (s: ProjectSite): s is ProjectSite & Participant =>
  !s.revoked && s.node_seal_public !== null && s.node_sign_public !== null;

const list = (names: readonly string[]) =>
  names.length === 0
    ? 'none'
    : `${names.slice(0, 20).join(', ')}${names.length > 20 ? `, … ${String(names.length)} in all` : ''}`;

/**
 * The trusts a step goes to. `named` undefined: every participating trust of the project.
 * Otherwise those of `named`; a named trust revoked or not enrolled since is left out (the step
 * runs without it, as without a site that does not answer), but a name that is not a trust of
 * the project is the algorithm's error and fails the job.
 * @returns the step's sites, or an INVALID_DECISION error naming what was wrong.
 */
export function pickStepSites(
  all: readonly ProjectSite[],
  named: readonly string[] | undefined,
): StepSites | JobError {
  const participants = all.filter(isParticipant).map((s): Participant => ({
    id: s.id,
    name: s.name,
    node_seal_public: s.node_seal_public,
    node_sign_public: s.node_sign_public,
  }));
  if (named === undefined) return { participants, left: [] };
  const error = (reason: string): JobError => ({
    code: 'INVALID_DECISION',
    reason: `internal error in the algorithm: ${reason}`,
  });
  // The type says strings; an algorithm's bug may still put anything there.
  const given: unknown = named;
  if (!Array.isArray(given) || !given.every((n): n is string => typeof n === 'string'))
    return error('the step names its sites with something other than a list of trust names');
  if (given.length === 0) return error('the step names no site');
  const known = new Set(all.map((s) => s.name));
  const unknown = [...new Set(given.filter((n) => !known.has(n)))].sort();
  if (unknown.length > 0) {
    const shown = unknown.slice(0, 10).map((n) => JSON.stringify(n.slice(0, 64)));
    return error(
      `the step names ${shown.join(', ')}${unknown.length > 10 ? ' …' : ''}, not among the job's trusts (${list(all.map((s) => s.name))})`,
    );
  }
  const wanted = new Set(given);
  const picked = participants.filter((p) => wanted.has(p.name));
  const left = [...wanted].filter((n) => !picked.some((p) => p.name === n)).sort();
  return { participants: picked, left };
}
