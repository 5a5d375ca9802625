import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Column, VariableInfo } from '@tessera/algorithms';
import { TesseraError, nameSchema, variableNameSchema } from '@tessera/protocol';
import { exists, fsyncDirSync, writeFileAtomic, writeJsonAtomic } from '../store/atomic-file.js';
import { NODE_AUDIT_ACTIONS, appendAudit } from '../store/audit-log.js';
import { nodePaths, type NodePaths } from '../store/layout.js';
import { withLock } from '../store/lock.js';
import { loadNodeConfig, loadPseudonymKey } from '../store/node-config.js';
import { parseCsv } from './csv.js';
import {
  DATA_FILE,
  IDS_FILE,
  SCHEMA_FILE,
  encodeColumns,
  type DatasetSchemaFile,
} from './dataset-format.js';
import { inferColumn, isMissing } from './infer.js';
import { pseudonym } from './pseudonym.js';

/** Largest CSV accepted (the whole file is parsed in memory). */
export const MAX_CSV_BYTES = 256 * 1024 * 1024;

export interface ImportOptions {
  dir: string;
  name: string;
  file: string;
  idColumn?: string;
  replace?: boolean;
}

/**
 * Imports a CSV file as dataset `name` (DESIGN "Node"): RFC 4180, typed columns, the id column
 * pseudonymised. Nothing is half-imported: the dataset is built in a temp folder and renamed into
 * place at the end, so a failure leaves no dataset, or the previous one intact.
 *
 * @throws TesseraError BAD_REQUEST for invalid names or CSV (naming line and column), CONFLICT when
 *   the dataset exists and `replace` is not set, PAYLOAD_TOO_LARGE for files over 256 MiB.
 */
export async function importDataset(
  o: ImportOptions,
): Promise<{ name: string; rows: number; variables: VariableInfo[] }> {
  const paths = nodePaths(o.dir);
  await loadNodeConfig(paths);
  const name = parseName(o.name);
  if (o.replace !== true && (await exists(paths.dataset(name)))) throw exists409(name);
  const text = await readCsvFile(o.file);
  const key = await loadPseudonymKey(paths);
  const built = buildColumns(text, o.idColumn, key);
  const { data, variables, layout } = encodeColumns(built.columns);
  const schema: DatasetSchemaFile = {
    v: 1,
    name,
    version: randomUUID(),
    rows: built.rows,
    importedAt: new Date().toISOString(),
    variables,
    columns: layout,
    dataSha256: createHash('sha256').update(data).digest('hex'),
    idColumn: o.idColumn ?? null,
  };
  const tmp = join(paths.datasets, `.import-${randomBytes(6).toString('hex')}`);
  try {
    await mkdir(tmp, { recursive: true, mode: 0o700 });
    await writeFileAtomic(join(tmp, DATA_FILE), data);
    if (built.ids !== null) await writeFileAtomic(join(tmp, IDS_FILE), built.ids.join('\n') + '\n');
    await writeJsonAtomic(join(tmp, SCHEMA_FILE), schema);
    await withLock(paths.lock, () => moveIntoPlace(paths, name, tmp, o.replace === true));
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  await appendAudit(paths, {
    action: NODE_AUDIT_ACTIONS.datasetImported,
    actor: 'operator',
    target: `dataset:${name}`,
    details: {
      rows: built.rows,
      variables: variables.map((v) => `${v.name}:${v.kind}`),
      replaced: o.replace === true,
      pseudonymisedId: o.idColumn !== undefined,
    },
  });
  return { name, rows: built.rows, variables };
}

function parseName(name: string): string {
  const r = nameSchema.safeParse(name);
  if (!r.success)
    throw new TesseraError(
      'BAD_REQUEST',
      `dataset name "${name}" is invalid: letters, digits, dot, dash or underscore`,
    );
  return r.data;
}

function exists409(name: string): TesseraError {
  return new TesseraError('CONFLICT', `dataset ${name} exists; use replace to overwrite it`);
}

async function readCsvFile(file: string): Promise<string> {
  const info = await stat(file).catch((e: unknown) => {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT')
      throw new TesseraError('NOT_FOUND', `no file ${file}`);
    throw e;
  });
  if (!info.isFile()) throw new TesseraError('BAD_REQUEST', `${file} is not a file`);
  if (info.size > MAX_CSV_BYTES) {
    throw new TesseraError(
      'PAYLOAD_TOO_LARGE',
      `${file} is larger than ${MAX_CSV_BYTES / 1024 / 1024} MiB`,
    );
  }
  if (info.size === 0)
    throw new TesseraError('BAD_REQUEST', `CSV line 1: the file is empty`, {
      details: { line: 1 },
    });
  return readFile(file, 'utf8');
}

async function moveIntoPlace(
  paths: NodePaths,
  name: string,
  tmp: string,
  replace: boolean,
): Promise<void> {
  await placeDataset(paths, name, tmp, () => {
    if (!replace) throw exists409(name);
    return Promise.resolve();
  });
}

/**
 * Puts the dataset folder built in `tmp` (beside the datasets) in place as dataset `name`: a
 * rename, or, when the dataset exists and `beforeReplace` allows it, a swap with the old folder,
 * which is then removed. Readers see the old dataset or the new one, never a mix.
 * @throws what `beforeReplace` throws (nothing is moved then).
 */
export async function placeDataset(
  paths: NodePaths,
  name: string,
  tmp: string,
  beforeReplace: () => Promise<void>,
): Promise<void> {
  const target = paths.dataset(name);
  if (await exists(target)) {
    await beforeReplace();
    const old = join(paths.datasets, `.old-${randomBytes(6).toString('hex')}`);
    await rename(target, old);
    await rename(tmp, target);
    fsyncDirSync(paths.datasets);
    await rm(old, { recursive: true, force: true });
    return;
  }
  await rename(tmp, target);
  fsyncDirSync(paths.datasets);
}

/**
 * Parses CSV text into typed columns (pure apart from the key).
 * @throws TesseraError BAD_REQUEST naming the line and column of the first problem.
 */
export function buildColumns(
  text: string,
  idColumn: string | undefined,
  key: Uint8Array,
): { rows: number; columns: Record<string, Column>; ids: string[] | null } {
  const records = parseCsv(text);
  const first = records.next();
  if (first.done === true)
    throw new TesseraError('BAD_REQUEST', 'CSV line 1: the file is empty', {
      details: { line: 1 },
    });
  const header = first.value.fields.map((h) => h.trim());
  checkHeader(header, first.value.line, idColumn);
  const cells: string[][] = header.map(() => []);
  const lines: number[] = [];
  for (const rec of records) {
    if (rec.fields.length !== header.length) {
      throw new TesseraError(
        'BAD_REQUEST',
        `CSV line ${rec.line}: expected ${header.length} fields, found ${rec.fields.length}`,
        { details: { line: rec.line } },
      );
    }
    rec.fields.forEach((f, c) => cells[c]?.push(f));
    lines.push(rec.line);
  }
  const columns: Record<string, Column> = {};
  let ids: string[] | null = null;
  header.forEach((h, c) => {
    const values = cells[c] ?? [];
    if (h === idColumn) {
      ids = values.map((v) => (isMissing(v) ? '' : pseudonym(key, v)));
      return;
    }
    columns[h] = inferColumn(h, values, lines);
  });
  return { rows: lines.length, columns, ids };
}

function checkHeader(header: string[], line: number, idColumn: string | undefined): void {
  const seen = new Set<string>();
  header.forEach((h, i) => {
    const col = i + 1;
    if (!variableNameSchema.safeParse(h).success) {
      throw new TesseraError(
        'BAD_REQUEST',
        `CSV line ${line}, column ${col}: "${h.slice(0, 64)}" is not a valid variable name (a letter or _, then letters, digits, _ or .)`,
        { details: { line, column: col } },
      );
    }
    if (seen.has(h)) {
      throw new TesseraError(
        'BAD_REQUEST',
        `CSV line ${line}, column ${col}: the variable name "${h}" appears twice`,
        { details: { line, column: col } },
      );
    }
    seen.add(h);
  });
  if (idColumn !== undefined && !seen.has(idColumn)) {
    throw new TesseraError('BAD_REQUEST', `the id column "${idColumn}" is not in the CSV header`);
  }
}
