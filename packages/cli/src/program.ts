import { Command, CommanderError } from 'commander';
import { registerAuditCommands } from './commands/audit.js';
import { registerCatalogueCommand } from './commands/catalogue.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerHubCommands } from './commands/hub.js';
import { registerJobCommands } from './commands/job.js';
import { registerLoginCommand } from './commands/login.js';
import { registerModelCommands } from './commands/model.js';
import { registerNodeCommands } from './commands/node.js';
import { registerProjectCommands } from './commands/project.js';
import { registerTrustCommands } from './commands/trust.js';
import { registerUserCommands } from './commands/user.js';
import type { CliContext } from './context.js';
import { failureLine } from './errors.js';

/** Builds the `tessera` command tree. Usage errors go through `ctx.io.err` as one line. */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command('tessera');
  program
    .description('Tessera: federated analytics for hospitals; the data never leaves the trust')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => {
        ctx.io.out(s);
      },
      writeErr: (s) => {
        ctx.io.err(s);
      },
      // Commander's own errors ("error: required option … not specified") become our one line.
      outputError: (s, write) => {
        write(`tessera: ${s.replace(/^error:\s*/i, '').trim()}\n`);
      },
    });
  registerHubCommands(program, ctx);
  registerLoginCommand(program, ctx);
  registerUserCommands(program, ctx);
  registerTrustCommands(program, ctx);
  registerProjectCommands(program, ctx);
  registerCatalogueCommand(program, ctx);
  registerNodeCommands(program, ctx);
  registerJobCommands(program, ctx);
  registerModelCommands(program, ctx);
  registerAuditCommands(program, ctx);
  registerDemoCommand(program, ctx);
  return program;
}

/**
 * Runs the CLI on `argv` (without node and script) and returns the exit code. Never throws: a
 * failure prints `tessera: <reason>` on stderr (with the stack only when TESSERA_DEBUG=1).
 */
export async function runCli(argv: readonly string[], ctx: CliContext): Promise<number> {
  const program = buildProgram(ctx);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (e) {
    // Commander has already printed its message (or the help); keep its exit code.
    if (e instanceof CommanderError) return e.exitCode;
    ctx.io.err(`tessera: ${failureLine(e)}\n`);
    if (ctx.env.debug && e instanceof Error && e.stack !== undefined) ctx.io.err(`${e.stack}\n`);
    return 1;
  }
}
