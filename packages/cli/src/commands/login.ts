import { pinSchema, TesseraError } from '@tessera/protocol';
import type { Command } from 'commander';
import { z } from 'zod';
import { saveSession, type Session } from '../config.js';
import type { CliContext } from '../context.js';
import { createHubApi } from '../hub-api.js';
import { createHubClient, normaliseHubUrl } from '../hub-client.js';
import { jsonFlag, optionsOf } from '../options.js';
import { printJson, progress, type Io } from '../output.js';
import { readSecretFile } from '../secret-file.js';

const loginOptions = z.object({
  hub: z.string().min(1),
  pin: z.string(),
  email: z.string().min(1),
  passwordFile: z.string().min(1),
  json: jsonFlag,
});

/**
 * Logs in to a hub and returns the session (not stored).
 * @throws TesseraError BAD_REQUEST for a malformed URL or pin, UNAUTHENTICATED for wrong
 *   credentials, UNAVAILABLE / PIN_MISMATCH when the hub cannot be reached safely.
 */
export async function loginToHub(o: {
  hub: string;
  pin: string;
  email: string;
  password: string;
}): Promise<Session> {
  const hub = normaliseHubUrl(o.hub);
  if (!pinSchema.safeParse(o.pin).success) {
    throw new TesseraError('BAD_REQUEST', '--pin must look like sha256/<base64>');
  }
  const client = createHubClient({ url: hub, pin: o.pin });
  try {
    const res = await createHubApi(client).login(o.email, o.password);
    return { hub, pin: o.pin, token: res.token, email: res.user.email, expiresAt: res.expiresAt };
  } finally {
    await client.close();
  }
}

/** `login` with a password file; stores the session in the config folder. */
export async function loginCommand(
  o: z.infer<typeof loginOptions>,
  configDir: string,
  io: Io,
): Promise<Session> {
  const password = readSecretFile(o.passwordFile, '--password-file', (l) => {
    progress(io, l);
  });
  const session = await loginToHub({ hub: o.hub, pin: o.pin, email: o.email, password });
  saveSession(configDir, session);
  return session;
}

/** Registers `tessera login`. */
export function registerLoginCommand(program: Command, ctx: CliContext): void {
  program
    .command('login')
    .description('signs in to a hub and stores the session token for later commands')
    .requiredOption('--hub <url>', 'the hub URL (https://…)')
    .requiredOption('--pin <pin>', "the hub's TLS key pin (sha256/…)")
    .requiredOption('--email <email>', 'your e-mail')
    .requiredOption('--password-file <file>', 'file holding your password')
    .option('--json', 'print the session (without the token) as JSON')
    .action(async (_o: unknown, cmd: Command) => {
      const o = optionsOf(cmd, loginOptions);
      const s = await loginCommand(o, ctx.env.configDir, ctx.io);
      if (o.json) printJson(ctx.io, { hub: s.hub, email: s.email, expiresAt: s.expiresAt });
      else ctx.io.out(`logged in to ${s.hub} as ${s.email} until ${s.expiresAt}\n`);
    });
}
