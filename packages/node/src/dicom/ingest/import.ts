import { createHash, randomBytes } from 'node:crypto';
import { lstat, open, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { TesseraError } from '@tessera/protocol';
import { pino, type Logger } from 'pino';
import { NODE_AUDIT_ACTIONS, appendAudit } from '../../store/audit-log.js';
import { nodePaths } from '../../store/layout.js';
import { loadNodeConfig } from '../../store/node-config.js';
import { parseFileMeta } from '../core/parse.js';
import type { DicomSource } from '../contracts.js';
import { createLimiter } from './limiter.js';
import { openRegular } from './safe-open.js';
import { sniffFile } from './sniff.js';
import { createDicomStore, type DicomStore } from './store.js';
import { DEFAULT_ZIP_LIMITS, openZip, type ZipLimits } from './zip-reader.js';

/*
 * `tessera node dicom import --dir D PATH` (DESIGN "Public contract"): a Part 10 file, a folder
 * (walked recursively, symbolic links never followed, special files skipped) or a zip archive
 * (zip-reader.ts), each instance through the store. Files and entries are named by their number
 * and a SHA-256 prefix of their content, never by their name, which may be a patient's: in the
 * summary, the quarantine and the audit alike.
 */

/** One file or entry that was not stored as an image. */
export interface ImportProblem {
  /** 'file 3' or 'zip entry 3' (by position; folders are walked in name order). */
  readonly entry: string;
  /** First 16 hex digits of the SHA-256 of its bytes, to find it (`sha256sum`). */
  readonly sha256: string | null;
  readonly result: 'quarantined' | 'held' | 'refused' | 'skipped';
  readonly reason: string;
  /** The quarantine or held entry, for `node dicom quarantine|held …`. */
  readonly id?: string;
}

export interface DicomImportSummary {
  /** Files or entries looked at. */
  readonly files: number;
  readonly stored: number;
  readonly duplicates: number;
  readonly quarantined: number;
  readonly held: number;
  readonly refused: number;
  readonly skipped: number;
  readonly problems: ImportProblem[];
}

export interface DicomImportOptions {
  readonly dir: string;
  readonly path: string;
  /** Default: silent (the summary says what happened; a CLI's stdout stays one JSON document). */
  readonly logger?: Logger;
  readonly zipLimits?: ZipLimits;
}

/** Media Storage Directory Storage: a DICOMDIR, an index of a medium, not an image. */
const DICOMDIR_SOP_CLASS = '1.2.840.10008.1.3.10';

/**
 * Imports `path` into the node's imaging store, then rebuilds the imaging dataset and audits
 * what was done.
 * @throws TesseraError NOT_FOUND when `path` or the node does not exist, BAD_REQUEST when it is a
 *   symbolic link or special file, or a zip archive the reader refuses (with its reason).
 */
export async function importDicom(o: DicomImportOptions): Promise<DicomImportSummary> {
  const paths = nodePaths(o.dir);
  await loadNodeConfig(paths);
  const info = await lstat(o.path).catch((e: unknown) => {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT')
      throw new TesseraError('NOT_FOUND', `no file or folder ${o.path}`);
    throw e;
  });
  if (info.isSymbolicLink())
    throw new TesseraError(
      'BAD_REQUEST',
      `${o.path} is a symbolic link: give the path it points to`,
    );
  if (!info.isFile() && !info.isDirectory())
    throw new TesseraError('BAD_REQUEST', `${o.path} is not a file or folder`);
  const store = await createDicomStore({
    paths,
    logger: o.logger ?? pino({ level: 'silent' }),
    actor: 'operator',
  });
  const tally = new Tally();
  try {
    if (info.isDirectory()) await importFolder(store, o.path, tally);
    else if (await isZip(o.path))
      await importZip(store, o.path, tally, paths.dicom.tmp, o.zipLimits);
    else await importFile(store, o.path, 'file 1', tally);
    await store.flush(true);
  } finally {
    await store.close();
  }
  const summary = tally.summary();
  await appendAudit(paths, {
    action: NODE_AUDIT_ACTIONS.dicomImported,
    actor: 'operator',
    target: 'dicom:import',
    details: {
      kind: info.isDirectory() ? 'folder' : 'file',
      files: summary.files,
      stored: summary.stored,
      duplicates: summary.duplicates,
      quarantined: summary.quarantined,
      held: summary.held,
      refused: summary.refused,
      skipped: summary.skipped,
    },
  });
  return summary;
}

class Tally {
  private readonly counts = {
    files: 0,
    stored: 0,
    duplicates: 0,
    quarantined: 0,
    held: 0,
    refused: 0,
    skipped: 0,
  };
  private readonly problems: { order: number; p: ImportProblem }[] = [];
  private seq = 0;
  next(): number {
    this.counts.files++;
    return ++this.seq;
  }
  add(result: 'stored' | 'duplicate'): void {
    if (result === 'stored') this.counts.stored++;
    else this.counts.duplicates++;
  }
  problem(order: number, p: ImportProblem): void {
    this.counts[p.result]++;
    this.problems.push({ order, p });
  }
  summary(): DicomImportSummary {
    return {
      ...this.counts,
      problems: this.problems.sort((a, b) => a.order - b.order).map((x) => x.p),
    };
  }
}

async function isZip(file: string): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await fh.read(head, 0, 4, 0);
    // A local file header, or the end record of an empty archive.
    return (
      bytesRead === 4 &&
      (head.readUInt32LE(0) === 0x04034b50 || head.readUInt32LE(0) === 0x06054b50)
    );
  } finally {
    await fh.close();
  }
}

async function sha256Prefix(file: string): Promise<string> {
  const h = createHash('sha256');
  const fh = await openRegular(file);
  try {
    for await (const chunk of fh.createReadStream({ autoClose: false }) as AsyncIterable<Buffer>)
      h.update(chunk);
  } finally {
    await fh.close();
  }
  return h.digest('hex').slice(0, 16);
}

/** Ingests one file, recording what happened under its number. */
async function importFile(
  store: DicomStore,
  file: string,
  entry: string,
  tally: Tally,
): Promise<void> {
  const order = tally.next();
  const problem = async (
    result: ImportProblem['result'],
    reason: string,
    id?: string,
  ): Promise<void> => {
    tally.problem(order, {
      entry,
      sha256: await sha256Prefix(file).catch(() => null),
      result,
      reason,
      ...(id === undefined ? {} : { id }),
    });
  };
  let sniffed;
  try {
    sniffed = await sniffFile(file);
  } catch (e) {
    // Replaced by a link or a special file since the folder was listed.
    if (e instanceof TesseraError) {
      tally.problem(order, { entry, sha256: null, result: 'skipped', reason: e.message });
      return;
    }
    throw e;
  }
  if (sniffed.kind === 'not-dicom') return problem('skipped', `not DICOM: ${sniffed.reason}`);
  if (sniffed.kind === 'part10' && (await isDicomDir(file)))
    return problem('skipped', 'a DICOMDIR (an index of a medium), not an image');
  const source: DicomSource = { kind: 'import', entry };
  const out = await store.ingest(
    file,
    source,
    sniffed.kind === 'dataset' ? { transferSyntax: sniffed.transferSyntax } : {},
  );
  switch (out.result) {
    case 'stored':
    case 'duplicate':
      tally.add(out.result);
      return;
    case 'held':
      return problem('held', 'burned-in annotation: held for the operator', out.id);
    case 'quarantined':
      return problem('quarantined', out.reason, out.id);
    case 'refused':
      return problem('refused', out.reason);
  }
}

async function isDicomDir(file: string): Promise<boolean> {
  const fh = await openRegular(file);
  try {
    const head = Buffer.alloc(64 * 1024);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    const meta = parseFileMeta(head.subarray(0, bytesRead)).meta.get(0x00020002)?.value;
    return (
      meta !== undefined &&
      Buffer.from(meta)
        .toString('latin1')
        .replace(/[\0 ]+$/, '') === DICOMDIR_SOP_CLASS
    );
  } catch {
    return false;
  } finally {
    await fh.close();
  }
}

// Walked in name order, so 'file N' is stable between runs; a few files at once keep the
// store's CPU queue fed while the next file is read.
async function importFolder(store: DicomStore, root: string, tally: Tally): Promise<void> {
  const limiter = createLimiter(4);
  const work: Promise<void>[] = [];
  let n = 0;
  const walk = async (dir: string): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
    for (const e of entries) {
      const full = join(dir, e.name);
      if (e.isDirectory()) {
        await walk(full);
        continue;
      }
      const entry = `file ${String(++n)}`;
      if (e.isSymbolicLink()) {
        const order = tally.next();
        tally.problem(order, {
          entry,
          sha256: null,
          result: 'skipped',
          reason: 'a symbolic link, not followed',
        });
        continue;
      }
      if (!e.isFile()) {
        const order = tally.next();
        tally.problem(order, {
          entry,
          sha256: null,
          result: 'skipped',
          reason: 'not a regular file',
        });
        continue;
      }
      work.push(limiter.run(() => importFile(store, full, entry, tally)));
    }
  };
  await walk(root);
  await Promise.all(work);
}

async function importZip(
  store: DicomStore,
  file: string,
  tally: Tally,
  tmpDir: string,
  limits: ZipLimits = DEFAULT_ZIP_LIMITS,
): Promise<void> {
  const zip = await openZip(file, limits);
  try {
    for (const entry of zip.entries) {
      const name = `zip entry ${String(entry.index)}`;
      const tmp = join(tmpDir, `zip-${randomBytes(8).toString('hex')}`);
      try {
        await zip.extract(entry, tmp);
      } catch (e) {
        const order = tally.next();
        const reason = e instanceof TesseraError ? e.message : 'cannot be extracted';
        tally.problem(order, { entry: name, sha256: null, result: 'refused', reason });
        continue;
      }
      try {
        await importFile(store, tmp, name, tally);
      } finally {
        await rm(tmp, { force: true });
      }
    }
  } finally {
    await zip.close();
  }
}
