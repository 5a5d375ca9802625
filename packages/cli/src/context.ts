import { loadSession, type CliEnv, type Session } from './config.js';
import { createHubApi, type HubApi } from './hub-api.js';
import { createHubClient } from './hub-client.js';
import type { Io } from './output.js';

/** What every command receives: where to write and the environment read at start-up. */
export interface CliContext {
  readonly io: Io;
  readonly env: CliEnv;
}

/**
 * Runs `fn` with a hub API authenticated by the stored login, and closes the connection after.
 * @throws TesseraError UNAUTHENTICATED when not logged in; whatever `fn` throws.
 */
export async function withSession<T>(
  ctx: CliContext,
  fn: (api: HubApi, session: Session) => Promise<T>,
): Promise<T> {
  const session = loadSession(ctx.env.configDir);
  const client = createHubClient({ url: session.hub, pin: session.pin, token: session.token });
  try {
    return await fn(createHubApi(client), session);
  } finally {
    await client.close();
  }
}
