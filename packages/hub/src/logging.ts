import { AsyncLocalStorage } from 'node:async_hooks';
import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

/** Per-request context carried through async calls (STYLE 10). */
export interface RequestContext {
  readonly traceId: string;
}

const context = new AsyncLocalStorage<RequestContext>();

/** Runs `fn` with `ctx` as the current request context. */
export function runWithContext<R>(ctx: RequestContext, fn: () => R): R {
  return context.run(ctx, fn);
}

/** The trace id of the request being served, if any. */
export function currentTraceId(): string | undefined {
  return context.getStore()?.traceId;
}

/**
 * The hub's structured JSON logger. Every line carries the current trace id. Authorization
 * headers and fields that could hold secrets are redacted as a second line of defence: the code
 * never passes secrets, emails or payloads to the logger in the first place.
 */
export function createLogger(o: { level: string; stream?: DestinationStream }): Logger {
  return pino(
    {
      level: o.level,
      base: { svc: 'tessera-hub' },
      mixin: () => {
        const traceId = currentTraceId();
        return traceId === undefined ? {} : { traceId };
      },
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'headers.authorization',
          '*.password',
          '*.apiKey',
          '*.token',
          '*.email',
        ],
        censor: '[redacted]',
      },
    },
    o.stream,
  );
}
