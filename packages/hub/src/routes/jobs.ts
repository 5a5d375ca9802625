import type { FastifyInstance } from 'fastify';
import { idSchema, jobViewSchema, submitJobRequestSchema } from '@tessera/protocol';
import { z } from 'zod';
import type { HubDeps } from '../deps.js';
import { route } from '../http/route.js';
import { getJob, listJobs, submitJob } from '../services/jobs.js';

/** Job submission and results (project members only). */
export function jobRoutes(app: FastifyInstance, deps: HubDeps): void {
  route(app, deps, {
    method: 'POST',
    url: '/api/v1/jobs',
    auth: 'user',
    body: submitJobRequestSchema,
    response: jobViewSchema,
    status: 201,
    handler: ({ ctx, principal, body }) => submitJob(deps, ctx, principal, body),
  });
  route(app, deps, {
    method: 'GET',
    url: '/api/v1/jobs/:id',
    auth: 'user',
    params: z.object({ id: idSchema }),
    query: z.object({ wait: z.coerce.number().int().min(0).optional() }),
    response: jobViewSchema,
    handler: ({ principal, params, query }) => getJob(deps, principal, params.id, query.wait ?? 0),
  });
  route(app, deps, {
    method: 'GET',
    url: '/api/v1/jobs',
    auth: 'user',
    query: z.object({ project: z.string().min(1).max(64).optional() }),
    response: z.array(jobViewSchema),
    handler: ({ principal, query }) => listJobs(deps, principal, query.project),
  });
}
