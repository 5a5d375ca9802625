// A minimal HTTPS client for the hub's client API, pinned to the hub's key (DESIGN "Transport").
// Keep-alive connections are reused, so a timed job pays no TLS handshake.
import { HEADER_TRACE_ID, newTraceId, pinnedConnector } from '@tessera/protocol';
import { Agent, request } from 'undici';

/**
 * Makes a client for `url` trusting only `pin`. `call` returns the parsed JSON answer.
 * @throws Error naming the route, status and the hub's error code when the answer is >= 400.
 */
export function createHubHttp(url, pin) {
  const agent = new Agent({ connect: pinnedConnector(pin), keepAliveTimeout: 60_000 });
  let token = null;
  const call = async (method, path, body, traceId = newTraceId()) => {
    const headers = { accept: 'application/json', [HEADER_TRACE_ID]: traceId };
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await request(`${url}${path}`, {
      method,
      headers,
      dispatcher: agent,
      headersTimeout: 60_000,
      bodyTimeout: 60_000,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.body.text();
    const json = text === '' ? null : JSON.parse(text);
    if (res.statusCode >= 400) {
      const code = json?.error?.code ?? json?.code ?? '';
      const msg = json?.error?.message ?? json?.message ?? text.slice(0, 200);
      throw new Error(`${method} ${path} → ${res.statusCode} ${code} ${msg}`);
    }
    return json;
  };
  return {
    call,
    /** Logs in and keeps the session token for later calls. */
    async login(email, password) {
      const r = await call('POST', '/api/v1/auth/login', { email, password });
      token = r.token;
      return r;
    },
    close: () => agent.close(),
  };
}
