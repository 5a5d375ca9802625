import type { Algorithm } from '@tessera/algorithms';
import type { PartyKeys, Role } from '@tessera/protocol';
import type { Clock } from './clock.js';
import type { HubSettings } from './config.js';
import type { HubEvents } from './events.js';
import type { Logger } from './logging.js';
import type { RateLimiter } from './rate-limit.js';
import type { Db } from './storage/db.js';

/** How the hub finds an algorithm by name (getAlgorithm from @tessera/algorithms in production). */
export interface AlgorithmLookup {
  get(name: string): Algorithm | undefined;
}

/** Schedules the close of a job's step at its deadline (re-armed from the database on start). */
export interface DeadlineTimers {
  arm(jobId: string, round: number, at: Date): void;
  close(): void;
}

/** What every service function receives (STYLE 3, 4). */
export interface HubDeps {
  readonly config: HubSettings;
  readonly db: Db;
  readonly logger: Logger;
  readonly clock: Clock;
  /** The hub's own sealing and signing keys. */
  readonly keys: PartyKeys;
  readonly algorithms: AlgorithmLookup;
  readonly events: HubEvents;
  readonly timers: DeadlineTimers;
  readonly limits: { readonly login: RateLimiter; readonly nodeAuth: RateLimiter };
}

/** A signed-in user, as services see them. */
export interface UserPrincipal {
  readonly id: string;
  readonly email: string;
  readonly role: Role;
}

/** Who asks, and the trace id every audit entry of the request carries. */
export interface RequestCtx {
  readonly traceId: string;
  /** The caller's network address, for throttling and audit of failures. */
  readonly address: string;
}

/** `user:<id>`: how a user appears in audit entries (never the email). */
export function userActor(u: { id: string }): string {
  return `user:${u.id}`;
}
