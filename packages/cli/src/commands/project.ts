import { projectRoleSchema, type ProjectView } from '@tessera/protocol';
import type { Command } from 'commander';
import { z } from 'zod';
import { withSession, type CliContext } from '../context.js';
import { jsonFlag, optionsOf } from '../options.js';
import { formatTable, printJson, type Io } from '../output.js';

const jsonOnly = z.object({ json: jsonFlag });

/** A project for humans: name, id, members and trusts. */
export function formatProject(p: ProjectView): string {
  const members = p.members.map((m) => `${m.email} (${m.role})`).join(', ');
  const trusts = p.trusts.map((t) => t.name).join(', ');
  return (
    `project ${p.name}\n  id       ${p.id}\n` +
    `  members  ${members === '' ? '—' : members}\n  trusts   ${trusts === '' ? '—' : trusts}\n`
  );
}

function printProject(io: Io, p: ProjectView, json: boolean): void {
  if (json) printJson(io, p);
  else io.out(formatProject(p));
}

/** Registers `tessera project create|list|show|add-member|add-trust`. */
export function registerProjectCommands(program: Command, ctx: CliContext): void {
  const project = program.command('project').description('manage projects');

  project
    .command('create <name>')
    .description('creates a project')
    .option('--description <text>', 'what the project is for')
    .option('--json', 'print the project ({id, name, …}) as JSON')
    .action(async (name: string, _o: unknown, cmd: Command) => {
      const o = optionsOf(cmd, z.object({ description: z.string().optional(), json: jsonFlag }));
      const p = await withSession(ctx, (api) => api.createProject(name, o.description));
      printProject(ctx.io, p, o.json);
    });

  project
    .command('list')
    .description('lists the projects you can see')
    .option('--json', 'print as JSON')
    .action(async (_o: unknown, cmd: Command) => {
      const { json } = optionsOf(cmd, jsonOnly);
      const list = await withSession(ctx, (api) => api.listProjects());
      if (json) {
        printJson(ctx.io, list);
        return;
      }
      const rows = list.map((p) => [
        p.name,
        p.id,
        String(p.members.length),
        String(p.trusts.length),
      ]);
      ctx.io.out(formatTable(['project', 'id', 'members', 'trusts'], rows));
    });

  project
    .command('show <project>')
    .description('shows a project (by name or id)')
    .option('--json', 'print as JSON')
    .action(async (ref: string, _o: unknown, cmd: Command) => {
      const { json } = optionsOf(cmd, jsonOnly);
      printProject(ctx.io, await withSession(ctx, (api) => api.getProject(ref)), json);
    });

  project
    .command('add-member <project> <email>')
    .description('adds a user to a project')
    .requiredOption('--role <role>', 'researcher | observer')
    .option('--json', 'print the project as JSON')
    .action(async (ref: string, email: string, _o: unknown, cmd: Command) => {
      const o = optionsOf(cmd, z.object({ role: projectRoleSchema, json: jsonFlag }));
      const p = await withSession(ctx, (api) => api.addMember(ref, { email, role: o.role }));
      printProject(ctx.io, p, o.json);
    });

  project
    .command('add-trust <project> <trust>')
    .description('lets a trust take part in a project')
    .option('--json', 'print the project as JSON')
    .action(async (ref: string, trust: string, _o: unknown, cmd: Command) => {
      const { json } = optionsOf(cmd, jsonOnly);
      const p = await withSession(ctx, (api) => api.addTrust(ref, trust));
      printProject(ctx.io, p, json);
    });
}
