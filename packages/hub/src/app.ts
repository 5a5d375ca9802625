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
import { catalogueRoutes } from './routes/catalogue.js';
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
  const work = createTracker(o.logger);
  const { events, unsubscribe } = await wireEvents(o.db);
  const timers = createDeadlineTimers({
    clock,
    // Called only after construction, when `deps` exists.
    onDue: (jobId, round) => {
      work.track(tryCloseStep(deps, jobId, round));
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
  let stopSweeps: () => void = () => undefined;
  const app = buildApp(deps, o.https);
  const close = async () => {
    stopSweeps();
    timers.close();
    events.close();
    await unsubscribe?.();
    await work.drain();
    await app.close();
  };
  try {
    await app.ready();
    await sweep(deps, true);
  } catch (e) {
    await close();
    throw e;
  }
  stopSweeps = startSweeps(deps, (p) => {
    work.track(p);
  });
  return { app, deps, close };
}

function buildApp(deps: HubDeps, https: CreateHubOptions['https']): FastifyInstance {
  const bodyLimit = deps.config.bodyLimitBytes;
  // Both variants expose the same API; the server type parameter only differs in the raw server.
  const app = (https === undefined
    ? Fastify({ logger: false, bodyLimit })
    : Fastify({ logger: false, bodyLimit, https })) as unknown as FastifyInstance;
  installPlumbing(app, deps.logger);
  const all = [healthRoutes, authRoutes, userRoutes, trustRoutes, projectRoutes, jobRoutes];
  for (const routes of [...all, auditRoutes, nodeRoutes, catalogueRoutes]) routes(app, deps);
  return app;
}

/** In-process events, forwarded through the database's bus when it has one (PostgreSQL). */
async function wireEvents(db: Db) {
  const bus = db.bus;
  if (bus === undefined) return { events: createHubEvents(), unsubscribe: null };
  const events = createHubEvents((topic) => {
    bus.publish(WAKE_CHANNEL, topic).catch(() => undefined);
  });
  const unsubscribe = await bus.subscribe(WAKE_CHANNEL, (t) => {
    events.deliver(t);
  });
  return { events, unsubscribe };
}

/** Background orchestrator work, logged when it fails and awaited at close. */
function createTracker(logger: Logger) {
  const running = new Set<Promise<void>>();
  return {
    track(p: Promise<void>): void {
      const q = p.catch((e: unknown) => {
        logger.error({ errName: (e as Error).name }, 'orchestrator work failed');
      });
      running.add(q);
      void q.finally(() => running.delete(q));
    },
    drain: () => Promise.all(running).then(() => undefined),
  };
}

/** The periodic sweep (one at a time); returns its stop function. */
function startSweeps(deps: HubDeps, track: (p: Promise<void>) => void): () => void {
  let sweeping = false;
  const interval = setInterval(() => {
    if (sweeping) return;
    sweeping = true;
    track(sweep(deps, false).finally(() => (sweeping = false)));
  }, deps.config.sweepIntervalMs);
  interval.unref();
  return () => {
    clearInterval(interval);
  };
}
