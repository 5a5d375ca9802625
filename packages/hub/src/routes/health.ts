import type { FastifyInstance } from 'fastify';
import { healthResponseSchema } from '@tessera/protocol';
import type { HubDeps } from '../deps.js';
import { route } from '../http/route.js';
import { HUB_VERSION } from '../version.js';

/** GET /api/v1/health: liveness, no authentication. */
export function healthRoutes(app: FastifyInstance, deps: HubDeps): void {
  route(app, deps, {
    method: 'GET',
    url: '/api/v1/health',
    auth: 'none',
    response: healthResponseSchema,
    handler: () => Promise.resolve({ status: 'ok' as const, version: HUB_VERSION }),
  });
}
