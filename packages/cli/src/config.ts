import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { emailSchema, isoDateSchema, pinSchema, TesseraError } from '@tessera/protocol';
import { z } from 'zod';

/*
 * The CLI's configuration: the only module that reads process.env (STYLE 5). Everything else
 * receives a CliEnv.
 */

/** What the CLI takes from its environment. */
export interface CliEnv {
  /** Folder of config.json (the login session): TESSERA_CONFIG_DIR or ~/.config/tessera. */
  readonly configDir: string;
  /** TESSERA_DEBUG=1 shows stack traces of failures. */
  readonly debug: boolean;
}

/** Reads the CLI's environment once, at start-up. */
export function readCliEnv(env: NodeJS.ProcessEnv = process.env): CliEnv {
  const dir = env['TESSERA_CONFIG_DIR'];
  return {
    configDir: dir !== undefined && dir !== '' ? dir : join(homedir(), '.config', 'tessera'),
    debug: env['TESSERA_DEBUG'] === '1',
  };
}

/** The stored login: which hub, its pin, and the session token for it. */
export const sessionSchema = z.object({
  hub: z.url(),
  pin: pinSchema,
  token: z.string().min(1),
  email: emailSchema,
  expiresAt: isoDateSchema,
});
export type Session = z.infer<typeof sessionSchema>;

const CONFIG_FILE = 'config.json';

/** Stores the session in config.json, mode 0600, in a folder of mode 0700. */
export function saveSession(configDir: string, session: Session): void {
  mkdirSync(configDir, { recursive: true, mode: 0o700 });
  chmodSync(configDir, 0o700);
  const file = join(configDir, CONFIG_FILE);
  writeFileSync(file, `${JSON.stringify(session, null, 2)}\n`, { mode: 0o600 });
  // writeFileSync keeps the mode of an existing file: force it.
  chmodSync(file, 0o600);
}

/**
 * The stored session.
 * @throws TesseraError UNAUTHENTICATED when there is none, it is unreadable, or it has expired.
 */
export function loadSession(configDir: string, now: Date = new Date()): Session {
  let text: string;
  try {
    text = readFileSync(join(configDir, CONFIG_FILE), 'utf8');
  } catch {
    throw new TesseraError('UNAUTHENTICATED', 'not logged in: run `tessera login` first');
  }
  let parsed: Session;
  try {
    parsed = sessionSchema.parse(JSON.parse(text));
  } catch {
    throw new TesseraError(
      'UNAUTHENTICATED',
      `the login in ${join(configDir, CONFIG_FILE)} is unreadable: run \`tessera login\` again`,
    );
  }
  if (Date.parse(parsed.expiresAt) <= now.getTime()) {
    throw new TesseraError('UNAUTHENTICATED', 'the session has expired: run `tessera login` again');
  }
  return parsed;
}
