import type { FastifyInstance } from 'fastify';
import {
  enrolRequestSchema,
  enrolResponseSchema,
  pollRequestSchema,
  pollResponseSchema,
  resultAcceptedSchema,
  resultSubmissionSchema,
} from '@tessera/protocol';
import type { HubDeps } from '../deps.js';
import { route } from '../http/route.js';
import { enrol, poll } from '../services/node.js';
import { submitResult } from '../services/node-results.js';

/** The node API (Bearer node key): enrol, long-poll, results. */
export function nodeRoutes(app: FastifyInstance, deps: HubDeps): void {
  route(app, deps, {
    method: 'POST',
    url: '/api/v1/node/enrol',
    auth: 'node',
    body: enrolRequestSchema,
    response: enrolResponseSchema,
    handler: ({ ctx, principal, body }) => enrol(deps, ctx, principal, body),
  });
  route(app, deps, {
    method: 'POST',
    url: '/api/v1/node/poll',
    auth: 'node',
    body: pollRequestSchema,
    response: pollResponseSchema,
    handler: ({ principal, body }) => poll(deps, principal, body),
  });
  route(app, deps, {
    method: 'POST',
    url: '/api/v1/node/results',
    auth: 'node',
    body: resultSubmissionSchema,
    response: resultAcceptedSchema,
    handler: ({ ctx, principal, body }) => submitResult(deps, ctx, principal, body),
  });
}
