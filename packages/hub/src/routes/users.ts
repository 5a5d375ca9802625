import type { FastifyInstance } from 'fastify';
import { createUserRequestSchema, userViewSchema } from '@tessera/protocol';
import { z } from 'zod';
import type { HubDeps } from '../deps.js';
import { route } from '../http/route.js';
import { createUser, listUsers } from '../services/users.js';

/** User administration (admin only). */
export function userRoutes(app: FastifyInstance, deps: HubDeps): void {
  route(app, deps, {
    method: 'POST',
    url: '/api/v1/users',
    auth: 'user',
    body: createUserRequestSchema,
    response: userViewSchema,
    status: 201,
    handler: ({ ctx, principal, body }) => createUser(deps, ctx, principal, body),
  });
  route(app, deps, {
    method: 'GET',
    url: '/api/v1/users',
    auth: 'user',
    response: z.array(userViewSchema),
    handler: ({ principal }) => listUsers(deps, principal),
  });
}
