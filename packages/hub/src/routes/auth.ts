import type { FastifyInstance } from 'fastify';
import {
  TesseraError,
  loginRequestSchema,
  loginResponseSchema,
  userViewSchema,
} from '@tessera/protocol';
import type { HubDeps } from '../deps.js';
import { route } from '../http/route.js';
import { login, logout } from '../services/auth.js';
import { toUserView, type UserRow } from '../services/users.js';

/** Sign-in, sign-out and the current user. */
export function authRoutes(app: FastifyInstance, deps: HubDeps): void {
  route(app, deps, {
    method: 'POST',
    url: '/api/v1/auth/login',
    auth: 'none',
    body: loginRequestSchema,
    response: loginResponseSchema,
    handler: ({ ctx, body }) => login(deps, ctx, body),
  });
  route(app, deps, {
    method: 'POST',
    url: '/api/v1/auth/logout',
    auth: 'user',
    response: null,
    handler: ({ ctx, principal }) => logout(deps, ctx, principal),
  });
  route(app, deps, {
    method: 'GET',
    url: '/api/v1/me',
    auth: 'user',
    response: userViewSchema,
    handler: async ({ principal }) => {
      const rows = await deps.db.query<UserRow>('SELECT * FROM users WHERE id = $1', [
        principal.id,
      ]);
      const row = rows[0];
      if (row === undefined) throw new TesseraError('UNAUTHENTICATED', 'not signed in');
      return toUserView(row);
    },
  });
}
