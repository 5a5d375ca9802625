import { rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { TesseraError, isTesseraError } from '@tessera/protocol';
import type { Logger } from 'pino';
import { DIMSE_STATUS } from '../contracts.js';
import {
  DEFAULT_MULTIPART_LIMITS,
  parseMultipartType,
  readMultipart,
  type MultipartLimits,
} from './multipart.js';
import type { DicomStore, IngestOutcome } from './store.js';

/*
 * STOW-RS (PS3.18 §10.5), `POST /dicomweb/studies`, in the node console. The console listens on
 * 127.0.0.1 only, so this is the local operator's upload (a viewer or a script on the node's
 * machine), not a network service: the hospital network reaches the node through the C-STORE
 * receiver. A browser page cannot post here from another origin: multipart/related is not a
 * CORS-safelisted type, so the browser asks first (OPTIONS), and the console grants nothing;
 * requests naming another Host (DNS rebinding) are refused. Each part streams to a temp file
 * and goes through the store like any instance.
 */

/** The response's attributes (PS3.18 Table 10.5.3-1), as DICOM JSON (PS3.18 Annex F). */
const ATTR = {
  sopClass: '00081150',
  sopInstance: '00081155',
  warningReason: '00081196',
  failureReason: '00081197',
  failedSequence: '00081198',
  referencedSequence: '00081199',
} as const;

/** Warning B000, Coercion of Data Elements: held for review, de-identified, not yet stored. */
const HELD_WARNING = 0xb000;

export interface StowDeps {
  readonly store: DicomStore;
  readonly tmpDir: string;
  readonly logger: Logger;
  readonly limits?: MultipartLimits;
}

type JsonDataset = Record<string, { vr: string; Value?: unknown[] }>;

/** The DICOM JSON body and HTTP status for the outcomes of one request (pure). */
export function stowResponse(outcomes: readonly IngestOutcome[]): {
  status: number;
  body: JsonDataset;
} {
  const referenced: JsonDataset[] = [];
  const failed: JsonDataset[] = [];
  for (const o of outcomes) {
    if (o.result === 'stored' || o.result === 'duplicate' || o.result === 'held') {
      const item: JsonDataset = {
        [ATTR.sopClass]: { vr: 'UI', Value: [o.key.sopClass] },
        [ATTR.sopInstance]: { vr: 'UI', Value: [o.key.sop] },
      };
      if (o.result === 'held') item[ATTR.warningReason] = { vr: 'US', Value: [HELD_WARNING] };
      referenced.push(item);
    } else {
      failed.push({ [ATTR.failureReason]: { vr: 'US', Value: [o.status] } });
    }
  }
  const body: JsonDataset = {};
  if (failed.length > 0) body[ATTR.failedSequence] = { vr: 'SQ', Value: failed };
  if (referenced.length > 0) body[ATTR.referencedSequence] = { vr: 'SQ', Value: referenced };
  const warned = outcomes.some((o) => o.result === 'held');
  // PS3.18 10.5.3: 200 all stored, 202 some stored with failures or warnings, 409 none stored.
  const status = referenced.length === 0 ? 409 : failed.length > 0 || warned ? 202 : 200;
  return { status, body };
}

/** True when `host` names this console on the loopback interface. */
export function isLocalHost(host: string | undefined, port: number): boolean {
  return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
}

/**
 * Handles one STOW-RS request end to end; never throws (errors become their HTTP answers: 413
 * past the body limit, 415 for another media type, 400 for a malformed body).
 */
export async function handleStow(
  req: IncomingMessage,
  res: ServerResponse,
  deps: StowDeps,
): Promise<void> {
  const address = req.socket.remoteAddress ?? '';
  let parts: Awaited<ReturnType<typeof readMultipart>> = [];
  try {
    const type = parseMultipartType(req.headers['content-type']);
    if (type.type !== null && type.type !== 'application/dicom')
      throw new TesseraError(
        'BAD_REQUEST',
        `only type="application/dicom" is supported, not ${type.type.slice(0, 64)}`,
        {
          details: { unsupportedMediaType: true },
        },
      );
    parts = await readMultipart(
      req,
      type.boundary,
      deps.tmpDir,
      deps.limits ?? DEFAULT_MULTIPART_LIMITS,
    );
    const outcomes: IngestOutcome[] = [];
    for (const p of parts) {
      if (p.contentType !== '' && p.contentType !== 'application/dicom') {
        outcomes.push({
          result: 'refused',
          status: DIMSE_STATUS.cannotUnderstand,
          comment: 'not application/dicom',
          reason: 'a part that is not application/dicom',
        });
        continue;
      }
      outcomes.push(await deps.store.ingest(p.file, { kind: 'stow-rs', address }));
    }
    const { status, body } = stowResponse(outcomes);
    deps.logger.info(
      { parts: parts.length, status, results: outcomes.map((o) => o.result) },
      'stow-rs upload',
    );
    send(res, status, 'application/dicom+json', body);
  } catch (e) {
    const err = isTesseraError(e) ? e : new TesseraError('INTERNAL', 'the upload failed');
    const status =
      err.details?.['unsupportedMediaType'] === true
        ? 415
        : err.code === 'PAYLOAD_TOO_LARGE'
          ? 413
          : err.status;
    if (!isTesseraError(e))
      deps.logger.error({ error: e instanceof Error ? e.name : typeof e }, 'stow-rs failed');
    // The rest of an oversize body is not read: the connection closes after the answer.
    if (status === 413) res.setHeader('connection', 'close');
    send(res, status, 'application/json; charset=utf-8', err.toBody());
  } finally {
    await Promise.all(parts.map((p) => rm(p.file, { force: true })));
  }
}

function send(res: ServerResponse, status: number, type: string, body: unknown): void {
  if (res.headersSent) return;
  res.writeHead(status, {
    'content-type': type,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(JSON.stringify(body));
}
