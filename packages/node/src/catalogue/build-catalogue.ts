import { createHash } from 'node:crypto';
import { canonicalBytes, isTesseraError, type Catalogue } from '@tessera/protocol';
import {
  identifierColumns,
  loadTable,
  readDatasetSchema,
  type DatasetSchemaFile,
} from '../data/dataset-format.js';
import type { NodePaths } from '../store/layout.js';
import { loadPolicy } from '../store/policy-store.js';
import { countLevels, publishableVariables } from './levels.js';

/** A dataset exposed to at least one approved project, with those projects. */
interface Exposure {
  readonly schema: DatasetSchemaFile;
  readonly projects: { name: string; id: string | null }[];
}

/** What the catalogue depends on, read cheaply (policy.json and the exposed datasets' schema.json). */
export interface CatalogueInputs {
  readonly minCount: number;
  readonly exposures: readonly Exposure[];
  /**
   * SHA-256 over minCount, the approvals and each exposed dataset's version: it changes exactly
   * when the published catalogue would.
   */
  readonly fingerprint: string;
}

/**
 * Reads what the catalogue is made of. Datasets named by an approval but absent here are left out
 * (the node refuses tasks on them anyway).
 * @throws TesseraError BAD_REQUEST when policy.json or a schema.json is invalid.
 */
export async function readCatalogueInputs(paths: NodePaths): Promise<CatalogueInputs> {
  const policy = await loadPolicy(paths);
  const byDataset = new Map<string, { name: string; id: string | null }[]>();
  for (const a of policy.approvals) {
    for (const d of a.datasets) {
      const list = byDataset.get(d) ?? [];
      list.push({ name: a.project, id: a.projectId });
      byDataset.set(d, list);
    }
  }
  const exposures: Exposure[] = [];
  for (const name of [...byDataset.keys()].sort()) {
    const schema = await readDatasetSchema(paths.dataset(name)).catch((e: unknown) => {
      if (isTesseraError(e) && e.code === 'NOT_FOUND') return null;
      throw e;
    });
    if (schema === null) continue;
    const projects = (byDataset.get(name) ?? []).sort((x, y) => x.name.localeCompare(y.name));
    exposures.push({ schema, projects });
  }
  const basis = {
    minCount: policy.minCount,
    datasets: exposures.map((e) => ({
      name: e.schema.name,
      version: e.schema.version,
      projects: e.projects,
    })),
  };
  const fingerprint = createHash('sha256').update(canonicalBytes(basis)).digest('hex');
  return { minCount: policy.minCount, exposures, fingerprint };
}

/** Level counts per dataset version; a version never changes its data, so entries never go stale. */
export type LevelCountCache = Map<string, Record<string, number[]>>;

/**
 * Builds the catalogue to publish from `inputs`, computing level counts from the stored dataset
 * the first time a dataset version is seen (then from `cache`).
 * @throws TesseraError BAD_REQUEST when a data file does not match its checksum.
 */
export async function buildCatalogue(
  paths: NodePaths,
  trust: string,
  inputs: CatalogueInputs,
  cache: LevelCountCache,
  now: Date = new Date(),
): Promise<Catalogue> {
  const datasets: Catalogue['datasets'] = [];
  for (const e of inputs.exposures) {
    const counts = await levelCounts(paths, e.schema, cache);
    datasets.push({
      name: e.schema.name,
      projects: e.projects,
      variables: publishableVariables(
        e.schema.variables,
        counts,
        inputs.minCount,
        identifierColumns(e.schema),
      ),
    });
  }
  return { trust, publishedAt: now.toISOString(), datasets };
}

async function levelCounts(
  paths: NodePaths,
  schema: DatasetSchemaFile,
  cache: LevelCountCache,
): Promise<Record<string, number[]>> {
  const hit = cache.get(schema.version);
  if (hit !== undefined) return hit;
  const counts: Record<string, number[]> = {};
  // Identifier columns are never counted: no level of theirs is published.
  const ids = identifierColumns(schema);
  const counted = (v: { name: string; kind: string }) =>
    v.kind === 'categorical' && !ids.includes(v.name);
  if (schema.variables.some(counted)) {
    const { table } = await loadTable(paths.dataset(schema.name), schema);
    for (const [name, col] of Object.entries(table.columns)) {
      if (counted({ name, kind: col.kind })) counts[name] = countLevels(col);
    }
  }
  cache.set(schema.version, counts);
  return counts;
}
