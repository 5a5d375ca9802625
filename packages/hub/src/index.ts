/**
 * @tessera/hub — the Tessera hub server (DESIGN "The three parts"): HTTPS API, users and roles,
 * projects, trusts and their node keys, job orchestration over the long-poll task queue, storage
 * on PGlite or PostgreSQL, and the hash-chained audit log.
 */
export { initHub, type HubInitOptions } from './init.js';
export { startHub, verifyHubAudit, type RunningHub } from './start.js';
export { isHubDir, hubPaths } from './hub-dir.js';
export { createHub, type CreateHubOptions, type Hub } from './app.js';
export type { AlgorithmLookup, HubDeps } from './deps.js';
export { loadHubConfig, hubSettingsSchema, type HubConfig, type HubSettings } from './config.js';
export { systemClock, manualClock, type Clock } from './clock.js';
export { createLogger, type Logger } from './logging.js';
export type { Db, Queryable } from './storage/db.js';
export { openPgliteDb } from './storage/pglite-db.js';
export { openPostgresDb } from './storage/pg-db.js';
export { migrate } from './storage/migrate.js';
