import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { Column, Table } from '@tessera/algorithms';
import {
  TesseraError,
  idSchema,
  isoDateSchema,
  nameSchema,
  parseJsonSafe,
  variableNameSchema,
} from '@tessera/protocol';
import { readFile } from 'node:fs/promises';

/*
 * On-disk form of a dataset (`<dir>/datasets/<name>/`): schema.json describes the variables and
 * where each column sits in data.bin, a plain concatenation of little-endian typed arrays
 * (Float64 for number and date, Int32 codes for categorical), each 8-byte aligned, so loading is
 * one read and no parsing. Pseudonymised ids, if any, sit in ids.txt and are never loaded into
 * the table given to algorithms.
 */

export const DATA_FILE = 'data.bin';
export const SCHEMA_FILE = 'schema.json';
export const IDS_FILE = 'ids.txt';

export const variableInfoSchema = z
  .object({
    name: variableNameSchema,
    kind: z.enum(['number', 'date', 'categorical']),
    levels: z.array(z.string()).optional(),
  })
  .strict();

export const datasetSchemaFileSchema = z
  .object({
    v: z.literal(1),
    name: nameSchema,
    /** Changes at every import, so a worker's cached table is known to be stale. */
    version: idSchema,
    rows: z.number().int().min(0),
    importedAt: isoDateSchema,
    variables: z.array(variableInfoSchema),
    columns: z.array(
      z
        .object({
          name: variableNameSchema,
          offset: z.number().int().min(0),
          bytes: z.number().int().min(0),
        })
        .strict(),
    ),
    dataSha256: z.string().regex(/^[0-9a-f]{64}$/),
    /** The source column that was pseudonymised, if any (its values are in ids.txt). */
    idColumn: variableNameSchema.nullable(),
    /**
     * Columns of the table that identify a patient, study or series (an imaging dataset's
     * patient_id, study_uid, series_uid). They stay at the node: the catalogue lists none of
     * their levels and the node refuses any job that reads or filters on one (issue 7).
     * Optional, so schema files written before it still read; absent means none.
     */
    identifiers: z.array(variableNameSchema).max(100).optional(),
  })
  .strict()
  .refine((s) => (s.identifiers ?? []).every((id) => s.variables.some((v) => v.name === id)), {
    message: 'an identifier is not one of the variables',
    path: ['identifiers'],
  });
export type DatasetSchemaFile = z.infer<typeof datasetSchemaFileSchema>;

/** Lays the columns out as data.bin and describes them. */
export function encodeColumns(columns: Readonly<Record<string, Column>>): {
  data: Buffer;
  variables: DatasetSchemaFile['variables'];
  layout: DatasetSchemaFile['columns'];
} {
  const parts: Buffer[] = [];
  const variables: DatasetSchemaFile['variables'] = [];
  const layout: DatasetSchemaFile['columns'] = [];
  let offset = 0;
  for (const [name, col] of Object.entries(columns)) {
    const arr = col.kind === 'categorical' ? col.codes : col.values;
    const bytes = Buffer.from(arr.buffer, arr.byteOffset, arr.byteLength);
    const pad = (8 - (bytes.length % 8)) % 8;
    parts.push(bytes, Buffer.alloc(pad));
    layout.push({ name, offset, bytes: bytes.length });
    offset += bytes.length + pad;
    variables.push(
      col.kind === 'categorical'
        ? { name, kind: col.kind, levels: [...col.levels] }
        : { name, kind: col.kind },
    );
  }
  return { data: Buffer.concat(parts), variables, layout };
}

/** The identifier columns a dataset declares (none for a schema file without the field). */
export function identifierColumns(schema: Pick<DatasetSchemaFile, 'identifiers'>): string[] {
  return [...(schema.identifiers ?? [])];
}

/**
 * Reads a dataset's schema.json.
 * @throws TesseraError NOT_FOUND when there is no such dataset, BAD_REQUEST when it is corrupt.
 */
export async function readDatasetSchema(datasetDir: string): Promise<DatasetSchemaFile> {
  let text: string;
  try {
    text = await readFile(join(datasetDir, SCHEMA_FILE), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT')
      throw new TesseraError('NOT_FOUND', 'no such dataset');
    throw e;
  }
  const parsed = datasetSchemaFileSchema.safeParse(parseJsonSafe(text, 'schema.json'));
  if (!parsed.success) throw new TesseraError('BAD_REQUEST', 'a dataset schema.json is invalid');
  return parsed.data;
}

/**
 * Loads a dataset as a {@link Table}, checking data.bin against its recorded SHA-256.
 * @throws TesseraError BAD_REQUEST when the data file is corrupt.
 */
export async function loadTable(
  datasetDir: string,
  schema?: DatasetSchemaFile,
): Promise<{ schema: DatasetSchemaFile; table: Table }> {
  const s = schema ?? (await readDatasetSchema(datasetDir));
  const fh = await open(join(datasetDir, DATA_FILE), 'r');
  let buf: Uint8Array;
  try {
    const size = (await fh.stat()).size;
    // A fresh, unpooled buffer: typed-array views need offset 0 of their own ArrayBuffer.
    buf = new Uint8Array(new ArrayBuffer(size));
    await fh.read(buf, 0, size, 0);
  } finally {
    await fh.close();
  }
  if (createHash('sha256').update(buf).digest('hex') !== s.dataSha256) {
    throw new TesseraError(
      'BAD_REQUEST',
      `dataset ${s.name}: data file does not match its checksum`,
    );
  }
  const columns: Record<string, Column> = {};
  for (const v of s.variables) {
    const at = s.columns.find((c) => c.name === v.name);
    if (at === undefined)
      throw new TesseraError('BAD_REQUEST', `dataset ${s.name}: column missing`);
    if (v.kind === 'categorical') {
      columns[v.name] = {
        kind: 'categorical',
        levels: v.levels ?? [],
        codes: new Int32Array(buf.buffer, at.offset, at.bytes / 4),
      };
    } else {
      columns[v.name] = {
        kind: v.kind,
        values: new Float64Array(buf.buffer, at.offset, at.bytes / 8),
      };
    }
  }
  return { schema: s, table: { rows: s.rows, columns } };
}
