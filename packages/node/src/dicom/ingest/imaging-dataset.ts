import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { TesseraError } from '@tessera/protocol';
import {
  DATA_FILE,
  SCHEMA_FILE,
  encodeColumns,
  readDatasetSchema,
  type DatasetSchemaFile,
} from '../../data/dataset-format.js';
import { placeDataset } from '../../data/import-dataset.js';
import { readJsonFile, writeFileAtomic, writeJsonAtomic } from '../../store/atomic-file.js';
import type { NodePaths } from '../../store/layout.js';
import { withLock } from '../../store/lock.js';
import type { DicomIndex } from './dicom-index.js';
import { IMAGING_IDENTIFIERS, seriesTable } from './series-table.js';

/*
 * Materialises the imaging index as a tabular dataset in the node's dataset format, replaced
 * atomically as `node dataset import --replace` does. A marker file in the dataset's folder says
 * the store made it: a dataset of the same name that the operator imported from a CSV is never
 * overwritten. An unchanged table is not rewritten, so the catalogue's dataset version (and what
 * the node publishes) changes only when the series do.
 */

/** The marker of a dataset made from the imaging index. */
export const IMAGING_MARKER = 'imaging.json';

export interface MaterialiseResult {
  readonly name: string;
  readonly rows: number;
  /** False when the stored dataset already held exactly this table. */
  readonly changed: boolean;
}

/**
 * Writes dataset `name` from `index`, one row per series.
 * @throws TesseraError CONFLICT when a dataset `name` exists that the store did not make.
 */
export async function materialiseImagingDataset(
  paths: NodePaths,
  name: string,
  index: DicomIndex,
  now: Date = new Date(),
): Promise<MaterialiseResult> {
  const table = seriesTable(index.series);
  const { data, variables, layout } = encodeColumns(table.columns);
  const sha = createHash('sha256').update(data).digest('hex');
  const target = paths.dataset(name);
  const identifiers = [...IMAGING_IDENTIFIERS];
  const prior = await readDatasetSchema(target).catch(() => null);
  if (prior !== null) {
    await checkOurs(target, name);
    // A dataset written before identifiers were declared is rewritten (at the node's start-up
    // rebuild at the latest), so its identifier columns are protected from then on.
    if (
      prior.dataSha256 === sha &&
      JSON.stringify(prior.variables) === JSON.stringify(variables) &&
      JSON.stringify(prior.identifiers ?? []) === JSON.stringify(identifiers)
    )
      return { name, rows: table.rows, changed: false };
  }
  const schema: DatasetSchemaFile = {
    v: 1,
    name,
    version: randomUUID(),
    rows: table.rows,
    importedAt: now.toISOString(),
    variables,
    columns: layout,
    dataSha256: sha,
    idColumn: null,
    identifiers,
  };
  await mkdir(paths.datasets, { recursive: true, mode: 0o700 });
  const tmp = join(paths.datasets, `.imaging-${randomBytes(6).toString('hex')}`);
  try {
    await mkdir(tmp, { mode: 0o700 });
    await writeFileAtomic(join(tmp, DATA_FILE), data);
    await writeJsonAtomic(join(tmp, IMAGING_MARKER), {
      source: 'dicom-index',
      instances: index.instances.size,
    });
    await writeJsonAtomic(join(tmp, SCHEMA_FILE), schema);
    await withLock(paths.lock, () => replaceDataset(paths, name, tmp));
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return { name, rows: table.rows, changed: true };
}

async function checkOurs(target: string, name: string): Promise<void> {
  const marker = await readJsonFile(join(target, IMAGING_MARKER)).catch(() => undefined);
  if (marker === undefined) {
    throw new TesseraError(
      'CONFLICT',
      `dataset ${name} was not made from the imaging index; choose another imaging dataset name`,
    );
  }
}

async function replaceDataset(paths: NodePaths, name: string, tmp: string): Promise<void> {
  // Checked again under the lock: an operator import may have taken the name meanwhile.
  await placeDataset(paths, name, tmp, () => checkOurs(paths.dataset(name), name));
}
