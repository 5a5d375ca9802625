import type { Command } from 'commander';
import { z } from 'zod';
import { formatCatalogue } from '../catalogue-format.js';
import { withSession, type CliContext } from '../context.js';
import { jsonFlag, optionsOf } from '../options.js';
import { printJson } from '../output.js';

/** Registers `tessera catalogue PROJECT [--json]`. */
export function registerCatalogueCommand(program: Command, ctx: CliContext): void {
  program
    .command('catalogue <project>')
    .description(
      "which sites hold which variables of the project's datasets (names, kinds, levels; never values)",
    )
    .option('--json', 'print the catalogue as one JSON document')
    .action(async (ref: string, _o: unknown, cmd: Command) => {
      const { json } = optionsOf(cmd, z.object({ json: jsonFlag }));
      const c = await withSession(ctx, (api) => api.getCatalogue(ref));
      if (json) printJson(ctx.io, c);
      else ctx.io.out(formatCatalogue(c));
    });
}
