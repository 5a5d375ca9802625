import { DicomParseError, TRANSFER_SYNTAX, type DicomFile } from '../core/types.js';
import { parseDataset, parseDicomFile } from '../core/parse.js';
import { DicomWriteError, writeDicomFile } from '../core/write.js';
import { getString } from '../core/values.js';
import { DeidError, deidentify, type DeidKeys, type DeidOptions } from '../deid/index.js';
import type { InstanceRecord } from './dicom-index.js';
import { instanceKey, instanceRecord, type InstanceKey } from './record.js';

/*
 * The CPU part of ingesting one instance, pure over bytes: parse, de-identify, encode the
 * de-identified Part 10 file and describe it for the index. It never throws: every problem is a
 * failure with a reason fit for the audit log (tags, offsets, lengths; never a value).
 */

/** The de-identifier as the store uses it: keys bound, options per call. */
export type Deidentify = (
  file: DicomFile,
  options: DeidOptions,
) => { readonly file: DicomFile; readonly burnedIn: boolean };

/** The PS3.15 de-identifier of deid/ with the node's keys. */
export function keyedDeidentifier(keys: DeidKeys): Deidentify {
  return (file, options) => deidentify(file, keys, options);
}

/** What the store knows of the input's origin that the dataset must agree with. */
export interface Expected {
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
}

export type Processed =
  | {
      readonly ok: true;
      /** The de-identified Part 10 file. */
      readonly bytes: Uint8Array;
      readonly key: InstanceKey;
      readonly record: InstanceRecord;
      readonly burnedIn: boolean;
    }
  | {
      readonly ok: false;
      readonly reason: string;
      /** The DIMSE status for the sender. */
      readonly status: number;
      /** Which stage failed, for the log. */
      readonly stage: 'parse' | 'match' | 'deid' | 'encode';
    };

const CANNOT_UNDERSTAND = 0xc000;
const DOES_NOT_MATCH = 0xa900;

/** Transfer syntaxes re-encoded as explicit VR little endian when stored (retired or deflated). */
const REENCODED = new Set<string>([
  TRANSFER_SYNTAX.explicitBig,
  TRANSFER_SYNTAX.deflatedExplicitLittle,
]);

/**
 * Parses (`transferSyntax` given: a bare dataset as received by C-STORE; else a Part 10 file),
 * de-identifies and encodes one instance.
 */
export function processInstance(
  input: Uint8Array,
  o: {
    transferSyntax?: string;
    expected?: Expected;
    deidentify: Deidentify;
    options: DeidOptions;
    now: Date;
  },
): Processed {
  let file: DicomFile;
  try {
    file =
      o.transferSyntax === undefined
        ? parseDicomFile(input)
        : {
            meta: new Map(),
            dataset: parseDataset(input, o.transferSyntax),
            transferSyntax: o.transferSyntax,
          };
  } catch (e) {
    return {
      ok: false,
      stage: 'parse',
      status: CANNOT_UNDERSTAND,
      reason: reasonOf(e, 'cannot parse'),
    };
  }
  if (o.expected !== undefined) {
    const mismatch = checkExpected(file, o.expected);
    if (mismatch !== null)
      return { ok: false, stage: 'match', status: DOES_NOT_MATCH, reason: mismatch };
  }
  let out: { file: DicomFile; burnedIn: boolean };
  try {
    out = o.deidentify(file, o.options);
  } catch (e) {
    return {
      ok: false,
      stage: 'deid',
      status: CANNOT_UNDERSTAND,
      reason: reasonOf(e, 'cannot de-identify'),
    };
  }
  const key = instanceKey(out.file.dataset);
  if ('reason' in key)
    return {
      ok: false,
      stage: 'deid',
      status: CANNOT_UNDERSTAND,
      reason: `after de-identification: ${key.reason}`,
    };
  const syntax = REENCODED.has(out.file.transferSyntax)
    ? TRANSFER_SYNTAX.explicitLittle
    : out.file.transferSyntax;
  let bytes: Uint8Array;
  try {
    bytes = writeDicomFile({
      meta: { sopClassUid: key.sopClass, sopInstanceUid: key.sop },
      dataset: out.file.dataset,
      transferSyntax: syntax,
    });
  } catch (e) {
    return {
      ok: false,
      stage: 'encode',
      status: CANNOT_UNDERSTAND,
      reason: reasonOf(e, 'cannot encode'),
    };
  }
  const record = instanceRecord(out.file.dataset, key, {
    bytes: bytes.length,
    transferSyntax: syntax,
    storedAt: o.now,
  });
  return { ok: true, bytes, key, record, burnedIn: out.burnedIn };
}

// The C-STORE request names the instance; a dataset saying otherwise is refused (PS3.4 B.2.3).
function checkExpected(file: DicomFile, e: Expected): string | null {
  const sopClass = getString(file.dataset, 0x00080016);
  const sop = getString(file.dataset, 0x00080018);
  if (sopClass !== e.sopClassUid)
    return 'SOP Class UID (0008,0016) differs from the C-STORE request';
  if (sop !== e.sopInstanceUid)
    return 'SOP Instance UID (0008,0018) differs from the C-STORE request';
  return null;
}

/**
 * The reason of a failure for the audit log. Only the parser's, the writer's and the
 * de-identifier's errors carry messages written to hold no value; anything else is named by its
 * class only.
 */
function reasonOf(e: unknown, what: string): string {
  if (e instanceof DicomParseError || e instanceof DicomWriteError || e instanceof DeidError)
    return `${what}: ${e.message}`.slice(0, 1000);
  return `${what}: unexpected ${e instanceof Error ? e.name : typeof e}`;
}
