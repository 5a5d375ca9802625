import type { FastifyInstance } from 'fastify';
import {
  catalogueAcceptedSchema,
  cataloguePublishRequestSchema,
  projectCatalogueSchema,
} from '@tessera/protocol';
import { z } from 'zod';
import type { HubDeps } from '../deps.js';
import { route } from '../http/route.js';
import { getProjectCatalogue, publishCatalogue } from '../services/catalogue.js';

const projectParams = z.object({ project: z.string().min(1).max(64) });

/** The dataset catalogue: nodes publish (Bearer node key), project members read. */
export function catalogueRoutes(app: FastifyInstance, deps: HubDeps): void {
  route(app, deps, {
    method: 'POST',
    url: '/api/v1/node/catalogue',
    auth: 'node',
    body: cataloguePublishRequestSchema,
    response: catalogueAcceptedSchema,
    handler: ({ ctx, principal, body }) => publishCatalogue(deps, ctx, principal, body),
  });
  route(app, deps, {
    method: 'GET',
    url: '/api/v1/projects/:project/catalogue',
    auth: 'user',
    params: projectParams,
    response: projectCatalogueSchema,
    handler: ({ principal, params }) => getProjectCatalogue(deps, principal, params.project),
  });
}
