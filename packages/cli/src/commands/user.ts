import { roleSchema } from '@tessera/protocol';
import type { Command } from 'commander';
import { z } from 'zod';
import { withSession, type CliContext } from '../context.js';
import { jsonFlag, optionsOf } from '../options.js';
import { printJson, progress } from '../output.js';
import { readSecretFile } from '../secret-file.js';

const createOptions = z.object({
  email: z.string().min(1),
  role: roleSchema,
  passwordFile: z.string().min(1),
  json: jsonFlag,
});

/** Registers `tessera user create`. */
export function registerUserCommands(program: Command, ctx: CliContext): void {
  const user = program.command('user').description('manage users (admin only)');
  user
    .command('create')
    .description('creates a user with a global role')
    .requiredOption('--email <email>', "the user's e-mail")
    .requiredOption('--role <role>', 'admin | researcher | observer')
    .requiredOption('--password-file <file>', "file holding the user's initial password")
    .option('--json', 'print the user as JSON')
    .action(async (_o: unknown, cmd: Command) => {
      const o = optionsOf(cmd, createOptions);
      const password = readSecretFile(o.passwordFile, '--password-file', (l) => {
        progress(ctx.io, l);
      });
      const created = await withSession(ctx, (api) =>
        api.createUser({ email: o.email, role: o.role, password }),
      );
      if (o.json) printJson(ctx.io, created);
      else ctx.io.out(`user ${created.email} created (${created.role}, id ${created.id})\n`);
    });
}
