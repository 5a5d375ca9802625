/*
 * The node's DICOM sender (issue 7): C-ECHO and C-STORE of Part 10 files to any Storage SCP.
 * Each file goes in the transfer syntax it is stored in (no transcoding); its data set bytes are
 * streamed from disk in PDVs, never parsed or held whole.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { TesseraError } from '@tessera/protocol';
import { parseFileMeta } from '../core/parse.js';
import { COMMAND_FIELD, encodeCommand, NET_STATUS, NO_DATA_SET } from './dimse.js';
import { PC_RESULT, type ProposedContext } from './pdu.js';
import { pdataHeader, PDATA_OVERHEAD } from './pdu-encode.js';
import { fragmentCommand, maxPdvValue } from './pdv-writer.js';
import { ScuAssociation, type ScuOptions } from './scu-association.js';
import { NATIVE_TRANSFER_SYNTAXES, VERIFICATION_SOP_CLASS } from './uids.js';

export type { ScuOptions, ScuTls } from './scu-association.js';

/** The fate of one file. */
export interface SendResult {
  readonly file: string;
  /**
   * The receiver's DIMSE status; for a file never sent, the local reason as a status: 0xC000
   * when it is not a readable Part 10 file, 0x0122 when its presentation context was rejected.
   */
  readonly status: number;
  readonly comment?: string;
}

/** Options of {@link sendInstances}. */
export interface SendOptions extends ScuOptions {
  /** Part 10 files, sent in this order. */
  readonly files: readonly string[];
}

/** Presentation contexts per association (PS3.8 9.3.2.2: IDs are odd numbers 1–255). */
const MAX_CONTEXTS = 128;
/** Default and highest PDU length the sender uses when the receiver allows more. */
const DEFAULT_MAX_PDU = 1024 * 1024;
/** Enough of a file to hold its meta group; meta groups longer than this are refused. */
const META_HEAD_BYTES = 64 * 1024;

interface Part10 {
  readonly file: string;
  /** Position in the caller's list. */
  readonly index: number;
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  readonly transferSyntax: string;
  readonly datasetOffset: number;
}

/**
 * Sends each file with C-STORE over as few associations as possible (128 presentation contexts
 * each, one per SOP class and transfer syntax) and returns a status per file, in order.
 * @throws TesseraError UNAVAILABLE / FORBIDDEN / TIMEOUT when an association cannot be made or
 *   breaks (see ScuAssociation.open); a failed instance is a status, not an exception.
 */
export async function sendInstances(o: SendOptions): Promise<SendResult[]> {
  const results: SendResult[] = [];
  const ready: Part10[] = [];
  for (const [index, file] of o.files.entries()) {
    try {
      ready.push(await readPart10(file, index));
    } catch (e) {
      const comment = e instanceof Error ? e.message : String(e);
      results[index] = { file, status: NET_STATUS.cannotUnderstand, comment };
    }
  }
  for (const batch of batches(ready)) {
    const sent = await sendBatch(o, batch.contexts, batch.files);
    batch.files.forEach(({ part }, i) => {
      const r = sent[i];
      if (r !== undefined) results[part.index] = r;
    });
  }
  return results;
}

/**
 * C-ECHO (PS3.7 9.1.5) to check that a receiver answers and accepts this calling AE title.
 * @throws TesseraError as sendInstances when no association can be made.
 */
export async function echo(o: ScuOptions): Promise<{ status: number }> {
  const a = await ScuAssociation.open(o, [
    {
      id: 1,
      abstractSyntax: VERIFICATION_SOP_CLASS,
      transferSyntaxes: [...NATIVE_TRANSFER_SYNTAXES],
    },
  ]);
  try {
    if (!a.accepted.has(1)) throw new TesseraError('UNAVAILABLE', 'Verification was not accepted');
    const command = encodeCommand({
      commandField: COMMAND_FIELD.cEchoRq,
      messageId: a.nextMessageId(),
      affectedSopClassUid: VERIFICATION_SOP_CLASS,
      dataSetType: NO_DATA_SET,
    });
    for (const pdu of fragmentCommand(1, command, a.peerMaxPdu)) await a.write(pdu);
    const { command: rsp } = await a.receiveCommand();
    await a.release();
    return { status: rsp.status ?? NET_STATUS.cannotUnderstand };
  } catch (e) {
    a.abort();
    throw e;
  }
}

async function readPart10(file: string, index: number): Promise<Part10> {
  const fh = await open(file, 'r');
  try {
    const head = Buffer.alloc(META_HEAD_BYTES);
    const { bytesRead } = await fh.read(head, 0, META_HEAD_BYTES, 0);
    const info = parseFileMeta(head.subarray(0, bytesRead));
    const ui = (tag: number): string => {
      const v = info.meta.get(tag)?.value;
      return v === undefined
        ? ''
        : Buffer.from(v)
            .toString('latin1')
            .replace(/[\0 ]+$/, '');
    };
    const sopClassUid = ui(0x00020002);
    const sopInstanceUid = ui(0x00020003);
    if (sopClassUid === '' || sopInstanceUid === '') {
      throw new Error('the File Meta Information lacks (0002,0002) or (0002,0003)');
    }
    return {
      file,
      index,
      sopClassUid,
      sopInstanceUid,
      transferSyntax: info.transferSyntax,
      datasetOffset: info.datasetOffset,
    };
  } finally {
    await fh.close();
  }
}

interface Batch {
  readonly contexts: ProposedContext[];
  readonly files: { part: Part10; contextId: number }[];
}

/** Groups files so that each association proposes at most MAX_CONTEXTS contexts. */
function batches(parts: readonly Part10[]): Batch[] {
  const out: Batch[] = [];
  let cur: Batch | null = null;
  let ids = new Map<string, number>();
  for (const part of parts) {
    const key = `${part.sopClassUid} ${part.transferSyntax}`;
    let id = ids.get(key);
    if (id === undefined || cur === null) {
      if (cur === null || cur.contexts.length === MAX_CONTEXTS) {
        cur = { contexts: [], files: [] };
        ids = new Map();
        out.push(cur);
      }
      id = cur.contexts.length * 2 + 1;
      ids.set(key, id);
      cur.contexts.push({
        id,
        abstractSyntax: part.sopClassUid,
        transferSyntaxes: [part.transferSyntax],
      });
    }
    cur.files.push({ part, contextId: id });
  }
  return out;
}

async function sendBatch(
  o: ScuOptions,
  contexts: ProposedContext[],
  files: Batch['files'],
): Promise<SendResult[]> {
  const a = await ScuAssociation.open(o, contexts);
  const results: SendResult[] = [];
  try {
    for (const { part, contextId } of files) {
      if (!a.accepted.has(contextId)) {
        const r = a.results.find((x) => x.id === contextId)?.result;
        results.push({
          file: part.file,
          status: NET_STATUS.sopClassNotSupported,
          comment:
            r === PC_RESULT.transferSyntaxesNotSupported
              ? 'transfer syntax not accepted by the receiver'
              : 'SOP class not accepted by the receiver',
        });
        continue;
      }
      results.push(await storeOne(a, o, part, contextId));
    }
    await a.release();
    return results;
  } catch (e) {
    a.abort();
    throw e;
  }
}

async function storeOne(
  a: ScuAssociation,
  o: ScuOptions,
  part: Part10,
  contextId: number,
): Promise<SendResult> {
  const messageId = a.nextMessageId();
  const command = encodeCommand({
    commandField: COMMAND_FIELD.cStoreRq,
    messageId,
    affectedSopClassUid: part.sopClassUid,
    affectedSopInstanceUid: part.sopInstanceUid,
    priority: 0,
    dataSetType: 0x0000,
  });
  for (const pdu of fragmentCommand(contextId, command, a.peerMaxPdu)) await a.write(pdu);
  const fh = await open(part.file, 'r');
  try {
    const cap = Math.max((o.maxPdu ?? DEFAULT_MAX_PDU) - 6, 1);
    await streamDataSet(
      a,
      fh,
      part.datasetOffset,
      contextId,
      Math.min(cap, maxPdvValue(a.peerMaxPdu, cap)),
    );
  } finally {
    await fh.close();
  }
  const { command: rsp } = await a.receiveCommand();
  if (rsp.messageIdBeingRespondedTo !== messageId) {
    throw new TesseraError('UNAVAILABLE', 'the receiver answered another message');
  }
  return {
    file: part.file,
    status: rsp.status ?? NET_STATUS.cannotUnderstand,
    ...(rsp.errorComment === undefined ? {} : { comment: rsp.errorComment }),
  };
}

/** Sends the bytes from `offset` to the end of the file as data PDVs of at most `step` bytes. */
async function streamDataSet(
  a: ScuAssociation,
  fh: FileHandle,
  offset: number,
  contextId: number,
  step: number,
): Promise<void> {
  const size = (await fh.stat()).size;
  let pos = offset;
  do {
    const n = Math.min(step, size - pos);
    // A fresh buffer per PDU: the socket may still hold the previous one.
    const pdu = Buffer.allocUnsafe(PDATA_OVERHEAD + n);
    const { bytesRead } = await fh.read(pdu, PDATA_OVERHEAD, n, pos);
    if (bytesRead !== n) throw new TesseraError('CONFLICT', 'file changed while it was being sent');
    pos += n;
    pdataHeader(pdu, contextId, false, pos >= size, n);
    await a.write(pdu);
  } while (pos < size);
}
