import {
  TesseraError,
  catalogueSchema,
  catalogueSigned,
  verifyJson,
  type Catalogue,
  type CatalogueAccepted,
  type CataloguePublishRequest,
  type ProjectCatalogue,
  type ProjectRef,
} from '@tessera/protocol';
import { appendAudit } from '../audit/audit-log.js';
import type { HubDeps, RequestCtx, UserPrincipal } from '../deps.js';
import { requireProjectReader } from '../policy.js';
import { isoOf, type Queryable } from '../storage/db.js';
import { buildProjectCatalogue, catalogueProblems, type SiteCatalogue } from './catalogue-view.js';
import { trustActor } from './node.js';
import { membership, resolveProject } from './projects.js';
import type { TrustRow } from './trusts.js';

/**
 * Stores a node's signed catalogue in place of its previous one (issue 3, "Dataset catalogue").
 * The signature must verify with the node's pinned key and the catalogue must name this trust;
 * an older catalogue than the stored one is refused, so a replayed one cannot roll it back.
 * Audits `catalogue.published` with the dataset names and the variable count, never levels.
 * @throws TesseraError CONFLICT (not enrolled; older than the stored one), BAD_SIGNATURE,
 *   BAD_REQUEST (another trust named; a dataset or variable listed twice).
 */
export async function publishCatalogue(
  deps: HubDeps,
  ctx: RequestCtx,
  trust: TrustRow,
  req: CataloguePublishRequest,
): Promise<CatalogueAccepted> {
  if (trust.node_sign_public === null) throw new TesseraError('CONFLICT', 'enrol first');
  const c = req.catalogue;
  if (!verifyJson(catalogueSigned(c), req.sig, trust.node_sign_public)) {
    await deps.db.transaction((tx) =>
      appendAudit(tx, deps.clock, {
        actor: trustActor(trust),
        action: 'catalogue.rejected',
        target: `trust:${trust.id}`,
        details: { trust: trust.name, code: 'BAD_SIGNATURE' },
        traceId: ctx.traceId,
      }),
    );
    throw new TesseraError('BAD_SIGNATURE', 'catalogue signature does not verify');
  }
  if (c.trust !== trust.name) throw new TesseraError('BAD_REQUEST', 'catalogue of another trust');
  checkUnique(c);
  const variables = c.datasets.reduce((n, d) => n + d.variables.length, 0);
  await deps.db.transaction(async (tx) => {
    const stored = await tx.query(
      `INSERT INTO catalogues (trust_id, published_at, received_at, content, sig)
       VALUES ($1, $2, $3, $4::jsonb, $5)
       ON CONFLICT (trust_id) DO UPDATE
         SET published_at = EXCLUDED.published_at, received_at = EXCLUDED.received_at,
             content = EXCLUDED.content, sig = EXCLUDED.sig
       WHERE catalogues.published_at <= EXCLUDED.published_at
       RETURNING trust_id`,
      [trust.id, c.publishedAt, deps.clock.now().toISOString(), JSON.stringify(c), req.sig],
    );
    if (stored.length === 0) {
      throw new TesseraError('CONFLICT', 'a newer catalogue of this trust is stored');
    }
    await appendAudit(tx, deps.clock, {
      actor: trustActor(trust),
      action: 'catalogue.published',
      target: `trust:${trust.id}`,
      details: { trust: trust.name, datasets: c.datasets.map((d) => d.name), variables },
      traceId: ctx.traceId,
    });
  });
  return { type: 'catalogue-accepted', datasets: c.datasets.length, variables };
}

function checkUnique(c: Catalogue): void {
  const dup = (names: string[]) => names.find((n, i) => names.indexOf(n) !== i);
  const d = dup(c.datasets.map((x) => x.name));
  if (d !== undefined) throw new TesseraError('BAD_REQUEST', `dataset ${d} is listed twice`);
  for (const ds of c.datasets) {
    const v = dup(ds.variables.map((x) => x.name));
    if (v !== undefined) {
      throw new TesseraError('BAD_REQUEST', `variable ${v} is listed twice in dataset ${ds.name}`);
    }
  }
}

/**
 * The catalogue of a project's trusts, for its members and admins (policy requireProjectReader).
 * @throws TesseraError NOT_FOUND for unknown projects and non-members alike.
 */
export async function getProjectCatalogue(
  deps: HubDeps,
  actor: UserPrincipal,
  ref: string,
): Promise<ProjectCatalogue> {
  const p = await resolveProject(deps.db, ref);
  requireProjectReader(actor, await membership(deps.db, p.id, actor.id));
  const project = { id: p.id, name: p.name };
  return buildProjectCatalogue(project, await siteCatalogues(deps.db, project.id, false));
}

/**
 * Refuses a job that names a dataset, or reads a variable, that a participating site's published
 * catalogue lacks (or holds with another kind than elsewhere), naming site, dataset and variables.
 * @throws TesseraError UNPROCESSABLE with the problems joined, and listed in `details.problems`.
 */
export async function checkJobAgainstCatalogue(
  q: Queryable,
  project: ProjectRef,
  datasets: readonly string[],
  variables: readonly string[],
): Promise<void> {
  const sites = await siteCatalogues(q, project.id, true);
  const problems = catalogueProblems(project, sites, datasets, variables);
  if (problems.length > 0) {
    throw new TesseraError('UNPROCESSABLE', problems.join('; '), { details: { problems } });
  }
}

/**
 * The project's trusts that are not revoked (only enrolled ones when `enrolledOnly`: those are the
 * job's participants, as the orchestrator picks them), each with its last catalogue.
 */
async function siteCatalogues(
  q: Queryable,
  projectId: string,
  enrolledOnly: boolean,
): Promise<SiteCatalogue[]> {
  const rows = await q.query<{ name: string; published_at: unknown; content: unknown }>(
    `SELECT t.name, c.published_at, c.content
       FROM project_trusts pt JOIN trusts t ON t.id = pt.trust_id
       LEFT JOIN catalogues c ON c.trust_id = t.id
      WHERE pt.project_id = $1 AND NOT t.revoked
        ${enrolledOnly ? 'AND t.node_seal_public IS NOT NULL' : ''}
      ORDER BY t.name`,
    [projectId],
  );
  return rows.map((r) => {
    // Stored only after validation; a row that no longer parses counts as not published.
    const parsed = r.content === null ? null : catalogueSchema.safeParse(r.content);
    const catalogue = parsed?.success === true ? parsed.data : null;
    return {
      trust: r.name,
      publishedAt: catalogue === null ? null : isoOf(r.published_at),
      catalogue,
    };
  });
}
