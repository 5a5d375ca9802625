import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { HubDeps, RequestCtx, UserPrincipal } from '../deps.js';
import { authenticateSession } from '../services/auth.js';
import { authenticateNode } from '../services/node-auth.js';
import type { TrustRow } from '../services/trusts.js';

/*
 * The one way routes are declared (STYLE 3, 8): authenticate, parse params, query and body with
 * their schemas before the handler, and pass the answer through its response schema, which drops
 * any field it does not list.
 */

export type SessionUser = UserPrincipal & { sessionKeyId: string };
export interface Principals {
  none: null;
  user: SessionUser;
  node: TrustRow;
}
export type AuthKind = keyof Principals;

export interface RouteSpec<
  A extends AuthKind,
  B extends z.ZodType,
  Q extends z.ZodType,
  P extends z.ZodType,
  R extends z.ZodType,
> {
  readonly method: 'GET' | 'POST';
  readonly url: string;
  readonly auth: A;
  readonly body?: B;
  readonly query?: Q;
  readonly params?: P;
  /** null: answer 204 without a body. */
  readonly response: R | null;
  readonly status?: number;
  readonly handler: (i: {
    body: z.output<B>;
    query: z.output<Q>;
    params: z.output<P>;
    ctx: RequestCtx;
    principal: Principals[A];
  }) => Promise<z.input<R>>;
}

/** The trace id and address of a request, as services take them. */
export function requestCtx(req: FastifyRequest): RequestCtx {
  return { traceId: req.traceId, address: req.ip };
}

async function authenticate<A extends AuthKind>(
  deps: HubDeps,
  auth: A,
  req: FastifyRequest,
): Promise<Principals[A]> {
  const header = req.headers.authorization;
  switch (auth) {
    case 'none':
      return null as Principals[A];
    case 'user':
      return (await authenticateSession(deps, header)) as Principals[A];
    case 'node':
      return (await authenticateNode(deps, requestCtx(req), header)) as Principals[A];
    default:
      throw new Error('unknown auth kind');
  }
}

/** Registers a route built from `spec`. */
export function route<
  A extends AuthKind,
  B extends z.ZodType = z.ZodUnknown,
  Q extends z.ZodType = z.ZodUnknown,
  P extends z.ZodType = z.ZodUnknown,
  R extends z.ZodType = z.ZodUnknown,
>(app: FastifyInstance, deps: HubDeps, spec: RouteSpec<A, B, Q, P, R>): void {
  const any = z.unknown();
  app.route({
    method: spec.method,
    url: spec.url,
    handler: async (req: FastifyRequest, reply: FastifyReply) => {
      const principal = await authenticate(deps, spec.auth, req);
      const params = (spec.params ?? any).parse(req.params) as z.output<P>;
      const query = (spec.query ?? any).parse(req.query) as z.output<Q>;
      const body = (spec.body ?? any).parse(req.body) as z.output<B>;
      const out = await spec.handler({ body, query, params, ctx: requestCtx(req), principal });
      if (spec.response === null) return reply.code(204).send();
      return reply.code(spec.status ?? 200).send(spec.response.parse(out));
    },
  });
}
