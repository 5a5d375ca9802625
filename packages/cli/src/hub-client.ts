import {
  errorBodySchema,
  HEADER_TRACE_ID,
  isTesseraError,
  newTraceId,
  pinnedConnector,
  TesseraError,
} from '@tessera/protocol';
import { Agent, request, type Dispatcher } from 'undici';
import type { z } from 'zod';

/** An HTTPS client for one hub, trusting only the pinned key (DESIGN "Transport"). */
export interface HubClient {
  readonly url: string;
  /** The trace id sent on every request of this client, so hub audit entries can be found. */
  readonly traceId: string;
  /**
   * Calls the hub and parses the answer with `schema`.
   * @throws TesseraError: the hub's own error (from its error body), UNAVAILABLE when the hub
   *   cannot be reached, PIN_MISMATCH when its key is not the pinned one, INTERNAL when the answer
   *   does not fit the schema.
   */
  call<T>(method: 'GET' | 'POST', path: string, schema: z.ZodType<T>, body?: unknown): Promise<T>;
  close(): Promise<void>;
}

export interface HubClientOptions {
  readonly url: string;
  readonly pin: string;
  /** Session token; omitted for login and health. */
  readonly token?: string;
  readonly traceId?: string;
}

/** Makes a {@link HubClient}. The caller closes it. */
export function createHubClient(o: HubClientOptions): HubClient {
  const base = normaliseHubUrl(o.url);
  const agent = new Agent({
    connect: pinnedConnector(o.pin) as unknown as Agent.Options['connect'],
  });
  const traceId = o.traceId ?? newTraceId();
  return {
    url: base,
    traceId,
    async call(method, path, schema, body) {
      const headers: Record<string, string> = {
        [HEADER_TRACE_ID]: traceId,
        accept: 'application/json',
      };
      if (o.token !== undefined) headers['authorization'] = `Bearer ${o.token}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      let res: Dispatcher.ResponseData;
      try {
        res = await request(`${base}${path}`, {
          method,
          headers,
          dispatcher: agent,
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
      } catch (e) {
        throw networkError(base, e);
      }
      const text = await res.body.text();
      return parseAnswer(res.statusCode, text, schema, path);
    },
    close: () => agent.close(),
  };
}

/**
 * Checks a hub URL and drops a trailing slash.
 * @throws TesseraError BAD_REQUEST when it is not an https URL.
 */
export function normaliseHubUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new TesseraError('BAD_REQUEST', `the hub URL "${url}" is not a URL`);
  }
  if (u.protocol !== 'https:') {
    throw new TesseraError(
      'BAD_REQUEST',
      `the hub URL must start with https:// (got ${u.protocol})`,
    );
  }
  return u.origin;
}

function networkError(base: string, e: unknown): TesseraError {
  if (isTesseraError(e)) return e;
  const cause = (e as { cause?: unknown }).cause;
  if (isTesseraError(cause)) return cause;
  const code = (e as NodeJS.ErrnoException).code ?? (e instanceof Error ? e.message : 'error');
  return new TesseraError('UNAVAILABLE', `cannot reach the hub at ${base} (${code})`);
}

/** Turns a hub answer into a value or a TesseraError (exported for tests). */
export function parseAnswer<T>(
  status: number,
  text: string,
  schema: z.ZodType<T>,
  path: string,
): T {
  let json: unknown;
  try {
    json = text === '' ? null : JSON.parse(text);
  } catch {
    throw new TesseraError('INTERNAL', `the hub answered ${path} with ${status} and no JSON`);
  }
  if (status >= 400) {
    const err = errorBodySchema.safeParse(json);
    if (err.success) throw TesseraError.fromBody(err.data);
    throw new TesseraError('INTERNAL', `the hub answered ${path} with ${status}`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first === undefined ? '' : `: ${first.path.join('.')} ${first.message}`;
    throw new TesseraError('INTERNAL', `unexpected answer from the hub to ${path}${where}`);
  }
  return parsed.data;
}
