import { Agent, request, type buildConnector } from 'undici';
import type { z } from 'zod';
import {
  TesseraError,
  catalogueAcceptedSchema,
  enrolResponseSchema,
  errorBodySchema,
  isTesseraError,
  parseJsonSafe,
  pinnedConnector,
  pollResponseSchema,
  resultAcceptedSchema,
  type CatalogueAccepted,
  type CataloguePublishRequest,
  type EnrolRequest,
  type EnrolResponse,
  type PollRequest,
  type PollResponse,
  type ResultAccepted,
  type ResultSubmission,
} from '@tessera/protocol';

/** Largest hub answer the node reads (a poll may carry up to 100 sealed tasks). */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

export interface HubClient {
  enrol(body: EnrolRequest, signal?: AbortSignal): Promise<EnrolResponse>;
  poll(body: PollRequest, signal?: AbortSignal): Promise<PollResponse>;
  submit(body: ResultSubmission, signal?: AbortSignal): Promise<ResultAccepted>;
  /** Replaces this trust's catalogue at the hub (issue 3). */
  publishCatalogue(body: CataloguePublishRequest, signal?: AbortSignal): Promise<CatalogueAccepted>;
  close(): Promise<void>;
}

/**
 * The node's only way out (DESIGN "Node": outbound HTTPS only). Every connection goes through
 * protocol's pinned connector, so no byte, and no API key, reaches a server whose TLS key does not
 * match the pin. Every answer is parsed with the protocol schema (STYLE 8).
 *
 * Errors are TesseraErrors: the hub's own error body when it gave one, PIN_MISMATCH when the pin
 * failed, UNAVAILABLE for network failures and unreadable answers (retryable).
 */
export function createHubClient(o: { hubUrl: string; pin: string; apiKey: string }): HubClient {
  const agent = new Agent({
    // protocol's connector calls back (err, null) or (null, socket), which is undici's contract.
    connect: pinnedConnector(o.pin) as unknown as buildConnector.connector,
    keepAliveTimeout: 60_000,
    // Long polls are held up to 30 s by the hub (MAX_POLL_WAIT_MS).
    headersTimeout: 60_000,
    bodyTimeout: 60_000,
  });
  const base = o.hubUrl.replace(/\/$/, '');

  async function call<S extends z.ZodType>(
    path: string,
    body: unknown,
    schema: S,
    signal?: AbortSignal,
  ): Promise<z.infer<S>> {
    let res;
    try {
      res = await request(`${base}${path}`, {
        dispatcher: agent,
        method: 'POST',
        headers: { authorization: `Bearer ${o.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        ...(signal === undefined ? {} : { signal }),
      });
    } catch (e) {
      throw toNetworkError(e);
    }
    const text = await readBody(res.body);
    if (res.statusCode < 200 || res.statusCode >= 300) throw hubError(res.statusCode, text);
    const parsed = schema.safeParse(safeJson(text));
    if (!parsed.success) {
      throw new TesseraError(
        'UNAVAILABLE',
        `the hub's answer to ${path} does not match the protocol`,
      );
    }
    return parsed.data;
  }

  return {
    enrol: (body, signal) => call('/api/v1/node/enrol', body, enrolResponseSchema, signal),
    poll: (body, signal) => call('/api/v1/node/poll', body, pollResponseSchema, signal),
    submit: (body, signal) => call('/api/v1/node/results', body, resultAcceptedSchema, signal),
    publishCatalogue: (body, signal) =>
      call('/api/v1/node/catalogue', body, catalogueAcceptedSchema, signal),
    close: () => agent.close(),
  };
}

async function readBody(body: AsyncIterable<Buffer>): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of body) {
    size += c.length;
    if (size > MAX_BODY_BYTES) throw new TesseraError('UNAVAILABLE', 'the hub answer is too large');
    chunks.push(c);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function safeJson(text: string): unknown {
  try {
    return parseJsonSafe(text, 'hub answer');
  } catch {
    return undefined;
  }
}

function hubError(status: number, text: string): TesseraError {
  const body = errorBodySchema.safeParse(safeJson(text));
  if (body.success) return TesseraError.fromBody(body.data);
  return new TesseraError(
    status >= 500 ? 'UNAVAILABLE' : 'BAD_REQUEST',
    `the hub answered HTTP ${status}`,
  );
}

/** The pin failure itself (undici may wrap the connector's error), or a retryable UNAVAILABLE. */
function toNetworkError(e: unknown): TesseraError {
  for (let c: unknown = e, depth = 0; c !== undefined && c !== null && depth < 5; depth++) {
    if (isTesseraError(c)) return c;
    c = (c as { cause?: unknown }).cause;
  }
  if (e instanceof Error && e.name === 'AbortError') {
    return new TesseraError('UNAVAILABLE', 'request aborted', { cause: e });
  }
  const code = (e as { code?: unknown }).code;
  return new TesseraError(
    'UNAVAILABLE',
    `cannot reach the hub (${typeof code === 'string' ? code : 'network error'})`,
    { cause: e },
  );
}
