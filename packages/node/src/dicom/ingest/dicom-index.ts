import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { isoDateSchema, parseJsonSafe } from '@tessera/protocol';
import type { NodePaths } from '../../store/layout.js';

/*
 * The node's imaging index (issue 7, "Index and use"). The node keeps its state in files, not in
 * a SQL database, so the index is an append-only JSON-lines file, `dicom/index.jsonl`, one line
 * per stored instance, appended under the node's state lock and fsynced with the instance file
 * it describes. Why this is enough: instances are only ever added (a duplicate stores nothing),
 * each line is self-contained, an append is atomic for readers up to a crash, and loading is one
 * sequential read. A crash mid-append leaves at most a torn last line: loading skips it, and the
 * next append starts a new line first. Lines are deduplicated by SOP Instance UID on load (two
 * processes that raced on one instance wrote the same record). Patients, studies and series are
 * views of the instances, made when loading.
 *
 * No identifying value is in a record: the patient is its keyed pseudonym, UIDs are remapped,
 * dates shifted (or absent), descriptions cleaned (or absent), as the de-identifier left them.
 */

const uid = z
  .string()
  .regex(/^[0-9]+(\.[0-9]+)*$/)
  .max(64);

export const instanceRecordSchema = z
  .object({
    v: z.literal(1),
    sop: uid,
    sopClass: uid,
    series: uid,
    study: uid,
    /** The Patient ID pseudonym (HMAC with the node's pseudonym key); '' when the input had none. */
    patient: z.string().max(64),
    modality: z.string().max(16).nullable(),
    bodyPart: z.string().max(64).nullable(),
    /** Present only under the Clean Descriptors option. */
    seriesDescription: z.string().max(64).nullable(),
    /** YYYY-MM-DD, shifted; present only under Retain Longitudinal Temporal Information. */
    studyDate: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/)
      .nullable(),
    /** Present only under Retain Patient Characteristics. */
    sex: z.string().max(16).nullable(),
    ageYears: z.number().min(0).max(200).nullable(),
    rows: z.number().int().min(0).nullable(),
    columns: z.number().int().min(0).nullable(),
    frames: z.number().int().min(0),
    instanceNumber: z.number().int().nullable(),
    /** Relative to the node's dicom/store folder: `<study>/<series>/<sop>.dcm`. */
    file: z.string().regex(/^[0-9.]+\/[0-9.]+\/[0-9.]+\.dcm$/),
    bytes: z.number().int().min(0),
    transferSyntax: uid,
    storedAt: isoDateSchema,
  })
  .strict();
export type InstanceRecord = z.infer<typeof instanceRecordSchema>;

/** The index as loaded: instances by SOP Instance UID, series by Series Instance UID. */
export interface DicomIndex {
  /** The node's dicom/store folder; record files are relative to it. */
  readonly root: string;
  readonly instances: ReadonlyMap<string, InstanceRecord>;
  readonly series: ReadonlyMap<string, readonly InstanceRecord[]>;
  /** Lines that were not a valid record (a torn last line, or damage), skipped. */
  readonly skippedLines: number;
}

/** An instance of a series with its file's absolute path. */
export type SeriesInstance = InstanceRecord & { readonly path: string };

/**
 * Reads the index incrementally: each load() reads only what was appended since the last one,
 * and starts again from the top when the file was replaced or shrank.
 */
export interface DicomIndexReader {
  load(): Promise<DicomIndex>;
}

/** An incremental reader of `paths.dicom.index`. */
export function dicomIndexReader(paths: NodePaths): DicomIndexReader {
  let state = emptyState();
  return {
    async load() {
      const fh = await open(paths.dicom.index, 'r').catch((e: unknown) => {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw e;
      });
      if (fh === null) {
        state = emptyState();
        return view(paths, state);
      }
      try {
        const info = await fh.stat();
        if (info.ino !== state.ino || info.size < state.offset)
          state = { ...emptyState(), ino: info.ino };
        if (info.size > state.offset) {
          const buf = Buffer.alloc(info.size - state.offset);
          await fh.read(buf, 0, buf.length, state.offset);
          consume(state, buf);
        }
      } finally {
        await fh.close();
      }
      return view(paths, state);
    },
  };
}

/**
 * Loads the whole imaging index (for D5's pixel access and the imaging dataset).
 * @throws only on an I/O error other than a missing file (an empty index).
 */
export function loadDicomIndex(paths: NodePaths): Promise<DicomIndex> {
  return dicomIndexReader(paths).load();
}

/**
 * The instances of a series, sorted by Instance Number (then SOP Instance UID), with absolute
 * paths; empty for an unknown series.
 */
export function seriesInstances(index: DicomIndex, seriesUid: string): SeriesInstance[] {
  const list = index.series.get(seriesUid) ?? [];
  return [...list]
    .sort(
      (a, b) =>
        (a.instanceNumber ?? Number.MAX_SAFE_INTEGER) -
          (b.instanceNumber ?? Number.MAX_SAFE_INTEGER) || a.sop.localeCompare(b.sop),
    )
    .map((r) => ({ ...r, path: join(index.root, ...r.file.split('/')) }));
}

interface ReaderState {
  ino: number;
  /** Bytes consumed: up to the end of the last complete line. */
  offset: number;
  instances: Map<string, InstanceRecord>;
  series: Map<string, InstanceRecord[]>;
  skipped: number;
}

function emptyState(): ReaderState {
  return { ino: -1, offset: 0, instances: new Map(), series: new Map(), skipped: 0 };
}

// Only complete lines are consumed: a torn last line is left for the next load, where it is
// either completed by nothing (a crash: the next append starts a new line, and this one is then
// skipped as invalid) or was being written right now.
function consume(state: ReaderState, buf: Buffer): void {
  let start = 0;
  for (;;) {
    const nl = buf.indexOf(0x0a, start);
    if (nl < 0) break;
    const line = buf.toString('utf8', start, nl);
    start = nl + 1;
    if (line.trim() === '') continue;
    const rec = parseRecord(line);
    if (rec === null) {
      state.skipped++;
      continue;
    }
    if (state.instances.has(rec.sop)) continue;
    state.instances.set(rec.sop, rec);
    const list = state.series.get(rec.series);
    if (list === undefined) state.series.set(rec.series, [rec]);
    else list.push(rec);
  }
  state.offset += start;
}

function parseRecord(line: string): InstanceRecord | null {
  try {
    const r = instanceRecordSchema.safeParse(parseJsonSafe(line, 'index line'));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

function view(paths: NodePaths, s: ReaderState): DicomIndex {
  return {
    root: paths.dicom.store,
    instances: s.instances,
    series: s.series,
    skippedLines: s.skipped,
  };
}

/**
 * Appends records to the index and makes them durable (fdatasync: the data and the size that
 * reads it back). The caller holds the node's state lock. When the file does not end with a
 * newline (a torn line from a crash), a newline goes first, so the torn fragment stays a line of
 * its own that loading skips.
 */
export async function appendIndex(file: string, records: readonly InstanceRecord[]): Promise<void> {
  if (records.length === 0) return;
  const fh = await open(file, 'a+', 0o600);
  try {
    const { size } = await fh.stat();
    let prefix = '';
    if (size > 0) {
      const { buffer } = await fh.read(Buffer.alloc(1), 0, 1, size - 1);
      if (buffer[0] !== 0x0a) prefix = '\n';
    }
    // appendFile writes until every byte is out (one write may be short).
    await fh.appendFile(prefix + records.map((r) => `${JSON.stringify(r)}\n`).join(''));
    await fh.datasync();
  } finally {
    await fh.close();
  }
}
