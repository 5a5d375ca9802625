import { HEADER_TRACE_ID, newTraceId, pinnedConnector } from '@tessera/protocol';
import { Agent, request } from 'undici';

/*
 * A plain HTTPS client for the hub's API as any client would use it: pinned to the hub's key,
 * answers returned raw (status and parsed JSON) so that tests can assert on error answers too.
 */

export interface HttpAnswer {
  readonly status: number;
  readonly body: unknown;
  readonly text: string;
}

export interface HubHttp {
  call(
    method: 'GET' | 'POST',
    path: string,
    o?: { token?: string; body?: unknown; traceId?: string; rawAuthorization?: string },
  ): Promise<HttpAnswer>;
  /** Like call, but throws unless the status is 2xx; returns the body. */
  ok<T = unknown>(
    method: 'GET' | 'POST',
    path: string,
    o?: { token?: string; body?: unknown; traceId?: string },
  ): Promise<T>;
  /** Signs in and returns the session token. */
  login(email: string, password: string): Promise<string>;
  close(): Promise<void>;
}

/** Makes a client for the hub at `url` that trusts only the key pinned by `pin`. */
export function createHubHttp(url: string, pin: string): HubHttp {
  const agent = new Agent({
    connect: pinnedConnector(pin) as unknown as Agent.Options['connect'],
  });
  const http: HubHttp = {
    async call(method, path, o = {}) {
      const headers: Record<string, string> = {
        accept: 'application/json',
        [HEADER_TRACE_ID]: o.traceId ?? newTraceId(),
      };
      if (o.rawAuthorization !== undefined) headers['authorization'] = o.rawAuthorization;
      else if (o.token !== undefined) headers['authorization'] = `Bearer ${o.token}`;
      if (o.body !== undefined) headers['content-type'] = 'application/json';
      const res = await request(`${url}${path}`, {
        method,
        headers,
        dispatcher: agent,
        ...(o.body === undefined ? {} : { body: JSON.stringify(o.body) }),
      });
      const text = await res.body.text();
      let body: unknown = null;
      try {
        body = text === '' ? null : JSON.parse(text);
      } catch {
        body = text;
      }
      return { status: res.statusCode, body, text };
    },
    async ok<T>(
      method: 'GET' | 'POST',
      path: string,
      o?: { token?: string; body?: unknown; traceId?: string },
    ) {
      const a = await http.call(method, path, o);
      if (a.status < 200 || a.status > 299) {
        throw new Error(`${method} ${path} answered ${a.status}: ${a.text.slice(0, 2000)}`);
      }
      return a.body as T;
    },
    async login(email, password) {
      const r = await http.ok<{ token: string }>('POST', '/api/v1/auth/login', {
        body: { email, password },
      });
      return r.token;
    },
    close: () => agent.close(),
  };
  return http;
}

/** The items of a list answer, whether the hub answers a bare array or `{ <key>: [...] }`. */
export function listItems(body: unknown, key: string): Record<string, unknown>[] {
  if (Array.isArray(body)) return body as Record<string, unknown>[];
  if (typeof body === 'object' && body !== null) {
    const v = (body as Record<string, unknown>)[key];
    if (Array.isArray(v)) return v as Record<string, unknown>[];
  }
  throw new Error(`not a list of ${key}: ${JSON.stringify(body).slice(0, 500)}`);
}
