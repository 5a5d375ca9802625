import type { FastifyError, FastifyInstance } from 'fastify';
import {
  HEADER_TRACE_ID,
  TesseraError,
  isTesseraError,
  newTraceId,
  parseJsonSafe,
  traceIdSchema,
} from '@tessera/protocol';
import { z } from 'zod';
import { runWithContext, type Logger } from '../logging.js';
import { zodIssues } from '../zod-issues.js';

declare module 'fastify' {
  interface FastifyRequest {
    traceId: string;
  }
}

/**
 * Request plumbing shared by every route: trace ids (taken from a valid `x-trace-id` or made
 * fresh, echoed on every answer, carried in AsyncLocalStorage), JSON parsing that refuses
 * prototype keys, one error handler (STYLE 7), and one log line per request without query,
 * headers or bodies.
 */
export function installPlumbing(app: FastifyInstance, logger: Logger): void {
  app.decorateRequest('traceId', '');
  app.addHook('onRequest', (req, reply, done) => {
    const given = req.headers[HEADER_TRACE_ID];
    const traceId =
      typeof given === 'string' && traceIdSchema.safeParse(given).success ? given : newTraceId();
    req.traceId = traceId;
    void reply.header(HEADER_TRACE_ID, traceId);
    runWithContext({ traceId }, done);
  });
  app.addHook('onResponse', (req, reply, done) => {
    logger.info(
      {
        method: req.method,
        route: req.routeOptions.url ?? 'unmatched',
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'request',
    );
    done();
  });
  installJsonParser(app);
  installErrorHandlers(app, logger);
}

function installJsonParser(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    try {
      const text = typeof body === 'string' ? body : body.toString('utf8');
      done(null, text.trim() === '' ? undefined : parseJsonSafe(text, 'request body'));
    } catch (e) {
      done(e as Error, undefined);
    }
  });
}

function installErrorHandlers(app: FastifyInstance, logger: Logger): void {
  app.setNotFoundHandler((req, reply) => {
    void reply
      .code(404)
      .send(new TesseraError('NOT_FOUND', 'no such endpoint').toBody(req.traceId));
  });
  app.setErrorHandler((err: FastifyError | Error, req, reply) => {
    const traceId = req.traceId;
    if (isTesseraError(err)) return reply.code(err.status).send(err.toBody(traceId));
    if (err instanceof z.ZodError) {
      const e = new TesseraError('BAD_REQUEST', 'the request does not fit its schema', {
        details: { issues: zodIssues(err) },
      });
      return reply.code(400).send(e.toBody(traceId));
    }
    const status = 'statusCode' in err ? (err.statusCode ?? 500) : 500;
    if (status === 413) {
      return reply
        .code(413)
        .send(new TesseraError('PAYLOAD_TOO_LARGE', 'request body too large').toBody(traceId));
    }
    if (status >= 400 && status < 500) {
      // Fastify's own client errors (content type, malformed request): their messages hold no data.
      return reply.code(400).send(new TesseraError('BAD_REQUEST', err.message).toBody(traceId));
    }
    // Driver errors may carry values in `detail`; log only what cannot hold data.
    logger.error(
      {
        errName: err.name,
        errCode: 'code' in err ? err.code : undefined,
        // The first stack line is the message, which may quote input; keep the frames only.
        frames: err.stack?.split('\n').slice(1, 12).join('\n'),
      },
      'unhandled error',
    );
    return reply.code(500).send(new TesseraError('INTERNAL', 'internal error').toBody(traceId));
  });
}
