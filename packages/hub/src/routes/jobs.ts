import type { FastifyInstance } from 'fastify';
import {
  artifactNameSchema,
  artifactSummarySchema,
  artifactViewSchema,
  idSchema,
  jobViewSchema,
  jobWaitQuerySchema,
  submitJobRequestSchema,
} from '@tessera/protocol';
import { z } from 'zod';
import type { HubDeps } from '../deps.js';
import { route } from '../http/route.js';
import { listArtifacts, readArtifact } from '../services/artifacts.js';
import { getJob, listJobs, submitJob } from '../services/jobs.js';

/** Job submission, results and artifacts (project members only). */
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
    query: jobWaitQuerySchema,
    response: jobViewSchema,
    handler: ({ principal, params, query }) =>
      getJob(deps, principal, params.id, query.wait ?? 0, query.sinceRound),
  });
  route(app, deps, {
    method: 'GET',
    url: '/api/v1/jobs',
    auth: 'user',
    query: z.object({ project: z.string().min(1).max(64).optional() }),
    response: z.array(jobViewSchema),
    handler: ({ principal, query }) => listJobs(deps, principal, query.project),
  });
  route(app, deps, {
    method: 'GET',
    url: '/api/v1/jobs/:id/artifacts',
    auth: 'user',
    params: z.object({ id: idSchema }),
    response: z.array(artifactSummarySchema),
    handler: ({ principal, params }) => listArtifacts(deps, principal, params.id),
  });
  // The name is the rest of the path: artifact names contain '/' ('model/round-3').
  route(app, deps, {
    method: 'GET',
    url: '/api/v1/jobs/:id/artifacts/*',
    auth: 'user',
    params: z.object({ id: idSchema, '*': artifactNameSchema }),
    response: artifactViewSchema,
    handler: ({ ctx, principal, params }) =>
      readArtifact(deps, ctx, principal, params.id, params['*']),
  });
}
