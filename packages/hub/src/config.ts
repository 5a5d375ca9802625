import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { MAX_POLL_WAIT_MS, TesseraError, parseJsonSafe } from '@tessera/protocol';
import { z } from 'zod';
import { hubPaths } from './hub-dir.js';

/*
 * The hub's configuration (STYLE 5): one strict schema, parsed once at start-up, failing with every
 * problem listed. This is the only module that reads process.env.
 */

/** Run-time settings that createHub needs; all have production defaults. */
export const hubSettingsSchema = z.object({
  /** How long a delivered task is reserved for its node before it is offered again. */
  leaseMs: z.number().int().min(1_000).max(3_600_000).default(60_000),
  /** How long a step waits for results when the algorithm does not say. */
  stepDeadlineMs: z
    .number()
    .int()
    .min(1_000)
    .max(7 * 86_400_000)
    .default(600_000),
  /** Longest a node poll is held open. */
  maxPollWaitMs: z.number().int().min(0).max(MAX_POLL_WAIT_MS).default(25_000),
  /** Largest request body accepted. */
  bodyLimitBytes: z
    .number()
    .int()
    .min(1_024)
    .max(256 * 1024 * 1024)
    .default(16 * 1024 * 1024),
  /** Lifetime of a sign-in session. */
  sessionTtlMs: z
    .number()
    .int()
    .min(60_000)
    .default(12 * 3_600_000),
  /** How often overdue steps are looked for (covers deadlines set by another hub process). */
  sweepIntervalMs: z.number().int().min(100).default(5_000),
  /** Failed node-key attempts per client address per minute before 429. */
  nodeAuthFailuresPerMinute: z.number().int().min(1).default(20),
  /** Failed sign-ins per email and per address per 15 minutes before 429. */
  loginFailuresPerWindow: z.number().int().min(1).default(10),
  /**
   * Deadline of the secure-aggregation phases after keys (shares, masked, unmask): they only move
   * keys, shares and one vector, so a dropped node should not hold a job for stepDeadlineMs. The
   * keys phase runs the local step and keeps the step's own deadline.
   */
  securePhaseDeadlineMs: z.number().int().min(1_000).max(3_600_000).default(60_000),
  /**
   * Shamir threshold t of secure aggregation; 0 means the smallest the nodes accept, a strict
   * majority of the sites that advertised keys (3 of 5). Raised to that minimum when lower.
   */
  secureThreshold: z.number().int().min(0).max(255).default(0),
  /**
   * Largest job artifact (issue 6: e.g. a model after a round), as UTF-8 JSON. A decision with a
   * larger one fails its job with ARTIFACT_TOO_LARGE rather than storing part of a training run.
   */
  maxArtifactBytes: z
    .number()
    .int()
    .min(1_024)
    .max(256 * 1024 * 1024)
    .default(32 * 1024 * 1024),
});
export type HubSettings = z.infer<typeof hubSettingsSchema>;

/** `<dir>/hub.json`. Paths may be relative to the hub folder. */
export const hubFileSchema = z
  .object({
    version: z.literal(1),
    host: z.string().min(1).max(255),
    port: z.number().int().min(0).max(65_535),
    /** PostgreSQL URL, or null for the embedded PGlite in `<dir>/db`. */
    databaseUrl: z.string().min(1).nullable(),
    tls: z.object({ cert: z.string().min(1), key: z.string().min(1) }).strict(),
    settings: hubSettingsSchema.default(hubSettingsSchema.parse({})),
  })
  .strict();
export type HubFile = z.infer<typeof hubFileSchema>;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Everything a running hub is configured with. */
export interface HubConfig extends HubFile {
  readonly dir: string;
  readonly tlsCertPath: string;
  readonly tlsKeyPath: string;
  readonly logLevel: (typeof LOG_LEVELS)[number];
}

const envSchema = z.object({ TESSERA_LOG_LEVEL: z.enum(LOG_LEVELS).default('info') });

/**
 * Reads and validates `<dir>/hub.json` and the environment.
 * @throws TesseraError BAD_REQUEST listing every problem, or when the file is missing.
 */
export function loadHubConfig(dir: string, env: NodeJS.ProcessEnv = process.env): HubConfig {
  const paths = hubPaths(dir);
  let text: string;
  try {
    text = readFileSync(paths.config, 'utf8');
  } catch {
    throw new TesseraError('BAD_REQUEST', `no hub in ${dir} (hub.json missing); run hub init`);
  }
  const file = hubFileSchema.safeParse(parseJsonSafe(text, 'hub.json'));
  const e = envSchema.safeParse({ TESSERA_LOG_LEVEL: env.TESSERA_LOG_LEVEL });
  if (!file.success || !e.success) {
    const issues = [...(file.error?.issues ?? []), ...(e.error?.issues ?? [])];
    const list = issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new TesseraError('BAD_REQUEST', `invalid hub configuration: ${list}`);
  }
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(dir, p));
  return {
    ...file.data,
    dir,
    tlsCertPath: abs(file.data.tls.cert),
    tlsKeyPath: abs(file.data.tls.key),
    logLevel: e.data.TESSERA_LOG_LEVEL,
  };
}
