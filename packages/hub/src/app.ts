import Fastify, { type FastifyInstance } from 'fastify';
import type { PartyKeys } from '@tessera/protocol';
import { systemClock, type Clock } from './clock.js';
import { hubSettingsSchema, type HubSettings } from './config.js';
import type { AlgorithmLookup, HubDeps } from './deps.js';
import { createHubEvents } from './events.js';
import { installPlumbing } from './http/plumbing.js';
import type { Logger } from './logging.js';
import { createDeadlineTimers, sweep, tryCloseStep } from './orchestrator/orchestrator.js';
import { createRateLimiter } from './rate-limit.js';
import { auditRoutes } from './routes/audit.js';
import { authRoutes } from './routes/auth.js';
import { healthRoutes } from './routes/health.js';
import { jobRoutes } from './routes/jobs.js';
import { nodeRoutes } from './routes/node.js';
import { projectRoutes } from './routes/projects.js';
import { trustRoutes } from './routes/trusts.js';
import { userRoutes } from './routes/users.js';
import type { Db } from './storage/db.js';

/** The LISTEN/NOTIFY channel on which hub processes sharing a database wake each other. */
const WAKE_CHANNEL = 'tessera_wake';

export interface CreateHubOptions {
  /** Run-time settings; missing ones take their defaults. */
  readonly config?: Partial<HubSettings>;
  /** A migrated database; the caller keeps ownership and closes it after the hub. */
  readonly db: Db;
  readonly logger: Logger;
  readonly clock?: Clock;
  readonly keys: PartyKeys;
  readonly algorithms: AlgorithmLookup;
  /** TLS material; without it the app serves plain HTTP (in-process tests with app.inject). */
  readonly https?: { readonly key: string; readonly cert: string };
}

export interface Hub {
  readonly app: FastifyInstance;
  readonly deps: HubDeps;
  /** Stops timers and sweeps, releases held long-polls, then closes the server. */
  close(): Promise<void>;
}

/**
 * Builds the hub (STYLE 4): services wired to routes, the orchestrator resumed from the database
 * (steps that were open when a previous process died get their deadlines back, complete ones are
 * aggregated now), and the periodic sweep started.
 * @throws the database's error when resuming fails.
 */
export async function createHub(o: CreateHubOptions): Promise<Hub> {
  const config = hubSettingsSchema.parse(o.config ?? {});
  const clock = o.clock ?? systemClock;
  const bus = o.db.bus;
  const events = createHubEvents(
    bus === undefined
      ? undefined
      : (topic) => {
          bus.publish(WAKE_CHANNEL, topic).catch(() => undefined);
        },
  );
  const unsubscribe =
    bus === undefined
      ? null
      : await bus.subscribe(WAKE_CHANNEL, (t) => {
          events.deliver(t);
        });
  const timers = createDeadlineTimers({
    clock,
    // Called only after construction, when `deps` exists.
    onDue: (jobId, round) => {
      track(tryCloseStep(deps, jobId, round));
    },
  });
  const deps: HubDeps = {
    config,
    db: o.db,
    logger: o.logger,
    clock,
    keys: o.keys,
    algorithms: o.algorithms,
    events,
    timers,
    limits: {
      login: createRateLimiter({
        limit: config.loginFailuresPerWindow,
        windowMs: 15 * 60_000,
        clock,
      }),
      nodeAuth: createRateLimiter({
        limit: config.nodeAuthFailuresPerMinute,
        windowMs: 60_000,
        clock,
      }),
    },
  };
  const running = new Set<Promise<void>>();
  function track(p: Promise<void>): void {
    const q = p.catch((e: unknown) => {
      o.logger.error({ errName: (e as Error).name }, 'orchestrator work failed');
    });
    running.add(q);
    void q.finally(() => running.delete(q));
  }
  const app = (o.https === undefined
    ? Fastify({ logger: false, bodyLimit: config.bodyLimitBytes })
    : Fastify({
        logger: false,
        bodyLimit: config.bodyLimitBytes,
        https: o.https,
      })) as unknown as FastifyInstance;
  installPlumbing(app, o.logger);
  for (const routes of [
    healthRoutes,
    authRoutes,
    userRoutes,
    trustRoutes,
    projectRoutes,
    jobRoutes,
    auditRoutes,
    nodeRoutes,
  ]) {
    routes(app, deps);
  }
  await app.ready();
  await sweep(deps, true);
  let sweeping = false;
  const interval = setInterval(() => {
    if (sweeping) return;
    sweeping = true;
    track(sweep(deps, false).finally(() => (sweeping = false)));
  }, config.sweepIntervalMs);
  interval.unref();
  return {
    app,
    deps,
    async close() {
      clearInterval(interval);
      timers.close();
      events.close();
      await unsubscribe?.();
      await Promise.all(running);
      await app.close();
    },
  };
}
