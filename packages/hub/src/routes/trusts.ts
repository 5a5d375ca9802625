import type { FastifyInstance } from 'fastify';
import {
  createTrustRequestSchema,
  trustKeyResponseSchema,
  trustViewSchema,
} from '@tessera/protocol';
import { z } from 'zod';
import type { HubDeps } from '../deps.js';
import { route } from '../http/route.js';
import { changeTrust, createTrust, listTrusts, rotateTrustKey } from '../services/trusts.js';

const trustParams = z.object({ trust: z.string().min(1).max(64) });

/** Trust administration; `:trust` is a name or an id. */
export function trustRoutes(app: FastifyInstance, deps: HubDeps): void {
  route(app, deps, {
    method: 'POST',
    url: '/api/v1/trusts',
    auth: 'user',
    body: createTrustRequestSchema,
    response: trustKeyResponseSchema,
    status: 201,
    handler: ({ ctx, principal, body }) => createTrust(deps, ctx, principal, body),
  });
  route(app, deps, {
    method: 'GET',
    url: '/api/v1/trusts',
    auth: 'user',
    response: z.array(trustViewSchema),
    handler: ({ principal }) => listTrusts(deps, principal),
  });
  route(app, deps, {
    method: 'POST',
    url: '/api/v1/trusts/:trust/rotate-key',
    auth: 'user',
    params: trustParams,
    response: trustKeyResponseSchema,
    handler: ({ ctx, principal, params }) => rotateTrustKey(deps, ctx, principal, params.trust),
  });
  for (const what of ['revoke', 'reset-keys'] as const) {
    route(app, deps, {
      method: 'POST',
      url: `/api/v1/trusts/:trust/${what}`,
      auth: 'user',
      params: trustParams,
      response: trustViewSchema,
      handler: ({ ctx, principal, params }) =>
        changeTrust(deps, ctx, principal, params.trust, what),
    });
  }
}
