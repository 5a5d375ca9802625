import type { FastifyInstance } from 'fastify';
import {
  addMemberRequestSchema,
  addTrustRequestSchema,
  createProjectRequestSchema,
  projectViewSchema,
} from '@tessera/protocol';
import { z } from 'zod';
import type { HubDeps } from '../deps.js';
import { route } from '../http/route.js';
import {
  addMember,
  addProjectTrust,
  createProject,
  getProject,
  listProjects,
} from '../services/projects.js';

const projectParams = z.object({ project: z.string().min(1).max(64) });

/** Projects, their members and trusts; `:project` is a name or an id. */
export function projectRoutes(app: FastifyInstance, deps: HubDeps): void {
  route(app, deps, {
    method: 'POST',
    url: '/api/v1/projects',
    auth: 'user',
    body: createProjectRequestSchema,
    response: projectViewSchema,
    status: 201,
    handler: ({ ctx, principal, body }) => createProject(deps, ctx, principal, body),
  });
  route(app, deps, {
    method: 'GET',
    url: '/api/v1/projects',
    auth: 'user',
    response: z.array(projectViewSchema),
    handler: ({ principal }) => listProjects(deps, principal),
  });
  route(app, deps, {
    method: 'GET',
    url: '/api/v1/projects/:project',
    auth: 'user',
    params: projectParams,
    response: projectViewSchema,
    handler: ({ principal, params }) => getProject(deps, principal, params.project),
  });
  route(app, deps, {
    method: 'POST',
    url: '/api/v1/projects/:project/members',
    auth: 'user',
    params: projectParams,
    body: addMemberRequestSchema,
    response: projectViewSchema,
    handler: ({ ctx, principal, params, body }) =>
      addMember(deps, ctx, principal, params.project, body),
  });
  route(app, deps, {
    method: 'POST',
    url: '/api/v1/projects/:project/trusts',
    auth: 'user',
    params: projectParams,
    body: addTrustRequestSchema,
    response: projectViewSchema,
    handler: ({ ctx, principal, params, body }) =>
      addProjectTrust(deps, ctx, principal, params.project, body),
  });
}
