import type { FastifyInstance } from 'fastify';
import { auditEntrySchema, auditVerifyResponseSchema } from '@tessera/protocol';
import { z } from 'zod';
import type { HubDeps } from '../deps.js';
import { route } from '../http/route.js';
import { checkAudit, readAudit } from '../services/audit.js';

/** The hub's audit log (admin only). */
export function auditRoutes(app: FastifyInstance, deps: HubDeps): void {
  route(app, deps, {
    method: 'GET',
    url: '/api/v1/audit',
    auth: 'user',
    query: z.object({
      after: z.coerce.number().int().min(0).default(0),
      limit: z.coerce.number().int().min(1).max(1000).default(100),
    }),
    response: z.array(auditEntrySchema),
    handler: ({ principal, query }) => readAudit(deps, principal, query.after, query.limit),
  });
  route(app, deps, {
    method: 'GET',
    url: '/api/v1/audit/verify',
    auth: 'user',
    response: auditVerifyResponseSchema,
    handler: ({ principal }) => checkAudit(deps, principal),
  });
}
