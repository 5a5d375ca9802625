import type { Command } from 'commander';
import { z } from 'zod';
import { withSession, type CliContext } from '../context.js';
import { jsonFlag, optionsOf } from '../options.js';
import { formatTable, printJson, progress } from '../output.js';

const jsonOnly = z.object({ json: jsonFlag });

/** Registers `tessera trust create|list|rotate-key|revoke|reset-keys`. */
export function registerTrustCommands(program: Command, ctx: CliContext): void {
  const trust = program.command('trust').description('manage trusts (admin only)');

  trust
    .command('create <name>')
    .description('creates a trust; prints its node API key, the only time it is shown')
    .option('--json', 'print {name, apiKey} as JSON')
    .action(async (name: string, _o: unknown, cmd: Command) => {
      const { json } = optionsOf(cmd, jsonOnly);
      const t = await withSession(ctx, (api) => api.createTrust(name));
      if (json) printJson(ctx.io, { id: t.id, name: t.name, apiKey: t.apiKey });
      else {
        ctx.io.out(`${t.apiKey}\n`);
        progress(ctx.io, `trust ${t.name} created; the API key above is shown only once`);
      }
    });

  trust
    .command('list')
    .description('lists trusts with their enrolment state')
    .option('--json', 'print as JSON')
    .action(async (_o: unknown, cmd: Command) => {
      const { json } = optionsOf(cmd, jsonOnly);
      const trusts = await withSession(ctx, (api) => api.listTrusts());
      if (json) {
        printJson(ctx.io, trusts);
        return;
      }
      const rows = trusts.map((t) => [
        t.name,
        t.revoked ? 'revoked' : t.nodeFingerprint === null ? 'not enrolled' : 'enrolled',
        t.lastSeenAt ?? '—',
      ]);
      ctx.io.out(formatTable(['trust', 'state', 'last seen'], rows));
    });

  trust
    .command('rotate-key <trust>')
    .description('issues a new API key for a trust; the old one stops working')
    .option('--json', 'print {name, apiKey} as JSON')
    .action(async (name: string, _o: unknown, cmd: Command) => {
      const { json } = optionsOf(cmd, jsonOnly);
      const t = await withSession(ctx, (api) => api.rotateTrustKey(name));
      if (json) printJson(ctx.io, { id: t.id, name: t.name, apiKey: t.apiKey });
      else {
        ctx.io.out(`${t.apiKey}\n`);
        progress(ctx.io, `new key for ${t.name}; shown only once`);
      }
    });

  trust
    .command('revoke <trust>')
    .description("revokes a trust's API key")
    .option('--json', 'print the trust as JSON')
    .action(async (name: string, _o: unknown, cmd: Command) => {
      const { json } = optionsOf(cmd, jsonOnly);
      const t = await withSession(ctx, (api) => api.revokeTrust(name));
      if (json) printJson(ctx.io, t);
      else ctx.io.out(`trust ${t.name} revoked\n`);
    });

  trust
    .command('reset-keys <trust>')
    .description('forgets the node keys pinned at enrolment, so a rebuilt node can enrol again')
    .option('--json', 'print the trust as JSON')
    .action(async (name: string, _o: unknown, cmd: Command) => {
      const { json } = optionsOf(cmd, jsonOnly);
      const t = await withSession(ctx, (api) => api.resetTrustKeys(name));
      if (json) printJson(ctx.io, t);
      else
        ctx.io.out(`trust ${t.name}: pinned node keys reset; the next node to enrol is pinned\n`);
    });
}
