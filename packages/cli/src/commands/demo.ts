import type { Command } from 'commander';
import { z } from 'zod';
import type { CliContext } from '../context.js';
import { runDemo } from '../demo/run-demo.js';
import { intText, optionsOf } from '../options.js';

const demoOptions = z.object({
  sites: intText(1, 26).default(3),
  keep: z.boolean().default(false),
  dir: z.string().min(1).optional(),
});

/** Registers `tessera demo`. */
export function registerDemoCommand(program: Command, ctx: CliContext): void {
  program
    .command('demo')
    .description('a hub and N nodes on this machine, synthetic data, a federated summary')
    .option('--sites <n>', 'number of sites (default 3)')
    .option('--keep', 'keep the demo folder and print how to start it again')
    .option('--dir <dir>', 'demo folder (new or empty; default: a temporary folder)')
    .action(async (_o: unknown, cmd: Command) => {
      const o = optionsOf(cmd, demoOptions);
      await runDemo(
        { sites: o.sites, keep: o.keep, ...(o.dir === undefined ? {} : { dir: o.dir }) },
        ctx.io,
      );
    });
}
