import { TesseraError } from '@tessera/protocol';
import type { Command } from 'commander';
import { z } from 'zod';
import type { CliContext } from '../context.js';
import { optionsOf, jsonFlag, portText } from '../options.js';
import { printJson, progress, type Io } from '../output.js';
import { readSecretFile } from '../secret-file.js';
import { announceReady, waitForStop } from './lifecycle.js';

const initOptions = z.object({
  dir: z.string().min(1),
  databaseUrl: z.string().optional(),
  host: z.string().optional(),
  port: portText.optional(),
  adminEmail: z.string().min(1),
  adminPasswordFile: z.string().min(1),
  tlsCert: z.string().optional(),
  tlsKey: z.string().optional(),
  json: jsonFlag,
});
export type HubInitOptions = Omit<z.infer<typeof initOptions>, 'json'>;

/**
 * `hub init`: reads the admin password from its file and initialises the hub folder.
 * @throws TesseraError when the password file cannot be read; whatever initHub throws.
 */
export async function hubInit(o: HubInitOptions, io: Io): Promise<{ url: string; pin: string }> {
  if ((o.tlsCert === undefined) !== (o.tlsKey === undefined)) {
    throw new TesseraError('BAD_REQUEST', '--tls-cert and --tls-key go together');
  }
  const adminPassword = readSecretFile(o.adminPasswordFile, '--admin-password-file', (l) => {
    progress(io, l);
  });
  // Loaded on use: the hub package (database, web server) is heavy and most commands need none.
  const { initHub } = await import('@tessera/hub');
  return initHub({
    dir: o.dir,
    adminEmail: o.adminEmail,
    adminPassword,
    ...(o.databaseUrl === undefined ? {} : { databaseUrl: o.databaseUrl }),
    ...(o.host === undefined ? {} : { host: o.host }),
    ...(o.port === undefined ? {} : { port: o.port }),
    ...(o.tlsCert === undefined ? {} : { tlsCertFile: o.tlsCert }),
    ...(o.tlsKey === undefined ? {} : { tlsKeyFile: o.tlsKey }),
  });
}

/** Registers `tessera hub init|start`. */
export function registerHubCommands(program: Command, ctx: CliContext): void {
  const hub = program.command('hub').description('set up and run a hub');

  hub
    .command('init')
    .description('keys, TLS certificate, database and first admin; prints the hub URL and pin')
    .requiredOption('--dir <dir>', 'the hub folder')
    .option('--database-url <url>', 'PostgreSQL URL (default: embedded PGlite in --dir)')
    .option('--host <host>', 'address to listen on (default 127.0.0.1)')
    .option('--port <port>', 'port to listen on')
    .requiredOption('--admin-email <email>', 'e-mail of the first admin')
    .requiredOption('--admin-password-file <file>', 'file holding the first admin password')
    .option('--tls-cert <file>', 'PEM certificate (default: a self-signed one is made)')
    .option('--tls-key <file>', 'PEM private key of --tls-cert')
    .option('--json', 'print {url, pin} as JSON')
    .action(async (_o: unknown, cmd: Command) => {
      const { json, ...o } = optionsOf(cmd, initOptions);
      const { url, pin } = await hubInit(o, ctx.io);
      if (json) printJson(ctx.io, { url, pin, dir: o.dir });
      else ctx.io.out(`hub initialised in ${o.dir}\n  url  ${url}\n  pin  ${pin}\n`);
    });

  hub
    .command('start')
    .description('runs the hub until SIGTERM or Ctrl-C, then shuts down cleanly')
    .requiredOption('--dir <dir>', 'the hub folder')
    .action(async (_o: unknown, cmd: Command) => {
      const { dir } = optionsOf(cmd, z.object({ dir: z.string().min(1) }));
      // Listening for stop requests before starting: a SIGTERM (or the parent going away) during
      // start-up then stops the hub as soon as it is up instead of leaving it behind.
      const stop = waitForStop();
      const running = await import('@tessera/hub')
        .then(({ startHub }) => startHub({ dir }))
        .catch((e: unknown) => {
          stop.cancel();
          throw e;
        });
      progress(ctx.io, `hub running at ${running.url}\n  pin ${running.pin}`);
      announceReady({ url: running.url, pin: running.pin });
      const why = await stop.requested;
      progress(ctx.io, `hub stopping (${why})`);
      await running.close();
      progress(ctx.io, 'hub stopped');
    });
}
