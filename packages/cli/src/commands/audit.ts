import { TesseraError, type ChainVerdict } from '@tessera/protocol';
import type { Command } from 'commander';
import { z } from 'zod';
import { withSession, type CliContext } from '../context.js';
import { jsonFlag, optionsOf } from '../options.js';
import { printJson } from '../output.js';

/**
 * Verifies the audit chain kept in a hub or node folder, whichever `dir` is.
 * @throws TesseraError BAD_REQUEST when `dir` is neither.
 */
export async function verifyDirAudit(
  dir: string,
): Promise<{ kind: 'hub' | 'node'; verdict: ChainVerdict }> {
  // Each package is loaded only when the folder is its kind.
  const hub = await import('@tessera/hub');
  if (hub.isHubDir(dir)) return { kind: 'hub', verdict: await hub.verifyHubAudit(dir) };
  const node = await import('@tessera/node');
  if (node.isNodeDir(dir)) return { kind: 'node', verdict: await node.verifyNodeAudit(dir) };
  throw new TesseraError('BAD_REQUEST', `${dir} is neither a hub nor a node folder`);
}

/** The failure reason of a broken chain, naming the entry. */
export function brokenChainLine(what: string, v: ChainVerdict): string {
  return `${what} audit chain is broken at entry ${v.brokenAt ?? '?'}: ${v.reason ?? 'unknown reason'}`;
}

/** Registers `tessera audit verify`. */
export function registerAuditCommands(program: Command, ctx: CliContext): void {
  const audit = program.command('audit').description('audit logs');
  audit
    .command('verify')
    .description(
      "verifies a hub's or node's hash-chained audit log (--dir), or the logged-in hub's",
    )
    .option('--dir <dir>', 'a hub or node folder (default: ask the logged-in hub)')
    .option('--json', 'print the verdict as JSON')
    .action(async (_o: unknown, cmd: Command) => {
      const o = optionsOf(cmd, z.object({ dir: z.string().min(1).optional(), json: jsonFlag }));
      const { kind, verdict } =
        o.dir === undefined
          ? { kind: 'hub' as const, verdict: await withSession(ctx, (api) => api.verifyAudit()) }
          : await verifyDirAudit(o.dir);
      if (o.json) printJson(ctx.io, verdict);
      else if (verdict.ok) ctx.io.out(`${kind} audit chain ok: ${verdict.entries} entries\n`);
      if (!verdict.ok) throw new TesseraError('CONFLICT', brokenChainLine(kind, verdict));
    });
}
