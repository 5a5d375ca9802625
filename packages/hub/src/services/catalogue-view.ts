import type { Catalogue, CatalogueDataset, ProjectCatalogue, ProjectRef } from '@tessera/protocol';

/*
 * The pure core of the dataset catalogue (issue 3): which sites hold which variables of the
 * datasets exposed to a project, and what a job names that a site lacks.
 */

/** One trust of a project with the catalogue its node last published (null: none yet). */
export interface SiteCatalogue {
  readonly trust: string;
  readonly publishedAt: string | null;
  readonly catalogue: Catalogue | null;
}

/**
 * Whether the node exposes `d` to `project`. An approval the node has bound to a project id
 * matches that id only (the node refuses another project of the same name); an unbound one
 * matches by name, as the node itself does at the first task.
 */
export function exposedTo(d: CatalogueDataset, project: ProjectRef): boolean {
  return d.projects.some((p) => (p.id === null ? p.name === project.name : p.id === project.id));
}

function exposedDataset(c: Catalogue, name: string, project: ProjectRef) {
  return c.datasets.find((d) => d.name === name && exposedTo(d, project));
}

/** The project's catalogue view: datasets by name, variables in first-seen order, sites by name. */
export function buildProjectCatalogue(
  project: ProjectRef,
  sites: readonly SiteCatalogue[],
): ProjectCatalogue {
  const ordered = [...sites].sort((a, b) => a.trust.localeCompare(b.trust));
  const names = new Set<string>();
  for (const s of ordered) {
    for (const d of s.catalogue?.datasets ?? []) if (exposedTo(d, project)) names.add(d.name);
  }
  const datasets = [...names].sort().map((name) => {
    const holders: string[] = [];
    const variables = new Map<string, ProjectCatalogue['datasets'][number]['variables'][number]>();
    for (const s of ordered) {
      const d = s.catalogue === null ? undefined : exposedDataset(s.catalogue, name, project);
      if (d === undefined) continue;
      holders.push(s.trust);
      for (const v of d.variables) {
        let entry = variables.get(v.name);
        if (entry === undefined) {
          entry = { name: v.name, sites: [] };
          variables.set(v.name, entry);
        }
        entry.sites.push({
          trust: s.trust,
          kind: v.kind,
          ...(v.levels === undefined ? {} : { levels: [...v.levels] }),
          ...(v.identifier === true ? { identifier: true as const } : {}),
        });
      }
    }
    return { name, sites: holders, variables: [...variables.values()] };
  });
  return {
    project: { id: project.id, name: project.name },
    sites: ordered.map((s) => ({ trust: s.trust, publishedAt: s.publishedAt })),
    datasets,
  };
}

/**
 * What keeps a job from running as asked, one sentence per problem, naming the site, the dataset
 * and the variables: a dataset not exposed to the project at a site, variables a site lacks, a
 * variable a site declares an identifier column (issue 7: never read or filtered on; its node
 * refuses IDENTIFIER_VARIABLE too), and a variable whose kind differs between sites or datasets.
 * Sites that have published nothing are not judged (their node refuses with VARIABLE_MISSING or
 * IDENTIFIER_VARIABLE itself).
 */
export function catalogueProblems(
  project: ProjectRef,
  sites: readonly SiteCatalogue[],
  datasets: readonly string[],
  variables: readonly string[],
): string[] {
  const problems: string[] = [];
  const kinds = new Map<string, { kind: string; where: string }[]>();
  const published = [...sites]
    .filter((s): s is SiteCatalogue & { catalogue: Catalogue } => s.catalogue !== null)
    .sort((a, b) => a.trust.localeCompare(b.trust));
  for (const s of published) {
    for (const name of datasets) {
      const d = exposedDataset(s.catalogue, name, project);
      if (d === undefined) {
        problems.push(`site ${s.trust} does not expose dataset ${name} to project ${project.name}`);
        continue;
      }
      const have = new Map(d.variables.map((v) => [v.name, v.kind]));
      const missing = variables.filter((v) => !have.has(v));
      if (missing.length > 0) {
        const what = missing.length === 1 ? 'variable' : 'variables';
        problems.push(`site ${s.trust} lacks ${what} ${missing.join(', ')} in dataset ${name}`);
      }
      const ids = new Set(d.variables.filter((v) => v.identifier === true).map((v) => v.name));
      for (const v of variables.filter((x) => ids.has(x))) {
        problems.push(
          `variable ${v} is an identifier column of dataset ${name} at site ${s.trust}; no job may read it or filter on it`,
        );
      }
      for (const v of variables) {
        const kind = have.get(v);
        if (kind === undefined) continue;
        const list = kinds.get(v) ?? [];
        list.push({ kind, where: `in dataset ${name} at site ${s.trust}` });
        kinds.set(v, list);
      }
    }
  }
  for (const [v, seen] of kinds) {
    const first = seen[0];
    const other = seen.find((x) => x.kind !== first?.kind);
    if (first !== undefined && other !== undefined) {
      problems.push(
        `variable ${v} is ${first.kind} ${first.where} but ${other.kind} ${other.where}`,
      );
    }
  }
  return problems;
}
