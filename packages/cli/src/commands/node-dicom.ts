import type {
  DeidOptions,
  DicomImportSummary,
  DicomStatus,
  IngestOutcome,
  VaultEntry,
  VaultKind,
} from '@tessera/node';
import { TesseraError } from '@tessera/protocol';
import type { Command } from 'commander';
import { z } from 'zod';
import type { CliContext } from '../context.js';
import { jsonFlag, optionsOf } from '../options.js';
import { printJson } from '../output.js';

/*
 * `tessera node dicom …` (issue 7): import a file, folder or zip into the node's imaging store;
 * list, retry, release or delete quarantined and held inputs; set the de-identification policy.
 * Files are named by number and content hash, never by name (names may be patients').
 */

const dirOnly = z.object({ dir: z.string().min(1), json: jsonFlag });
const onOff = z
  .enum(['on', 'off'])
  .transform((v) => v === 'on')
  .optional();

/** Registers `node dicom …` under `node`. */
export function registerDicomCommands(node: Command, ctx: CliContext): void {
  const dicom = node
    .command('dicom')
    .description('the imaging store: import, quarantine, held images, de-identification policy');

  dicom
    .command('import <path>')
    .description('imports a DICOM file, a folder or a zip, de-identified on the way in')
    .requiredOption('--dir <dir>', 'the node folder')
    .option('--json', 'print the summary as JSON')
    .action(async (path: string, _o: unknown, cmd: Command) => {
      const o = optionsOf(cmd, dirOnly);
      const { importDicom } = await import('@tessera/node');
      const r = await importDicom({ dir: o.dir, path });
      if (o.json) printJson(ctx.io, r);
      else ctx.io.out(formatImport(r));
      const failed = r.quarantined + r.refused;
      if (failed > 0)
        throw new TesseraError(
          'UNPROCESSABLE',
          `${failed} of ${r.files} files could not be imported (${r.quarantined} quarantined, ${r.refused} refused)`,
        );
      if (r.stored + r.duplicates + r.held === 0)
        throw new TesseraError('BAD_REQUEST', `no DICOM instance found in ${path}`);
    });

  registerVault(
    dicom,
    ctx,
    'quarantine',
    'retry',
    'decrypts and ingests again with the current policy',
  );
  registerVault(dicom, ctx, 'held', 'release', 'stores a held image as it is');

  dicom
    .command('policy')
    .description('sets the de-identification options (PS3.15 Annex E); audited')
    .requiredOption('--dir <dir>', 'the node folder')
    .option(
      '--retain-dates <on|off>',
      'Retain Longitudinal Temporal Information: shift dates per patient',
    )
    .option('--retain-patient-characteristics <on|off>', 'keep sex, age, size and weight')
    .option(
      '--clean-descriptors <on|off>',
      'keep descriptions (e.g. Series Description) once cleaned',
    )
    .option(
      '--allow-burned-in <on|off>',
      'store images flagged with burned-in annotation instead of holding them',
    )
    .option('--json', 'print the options as JSON')
    .action(async (_o: unknown, cmd: Command) => {
      const o = optionsOf(
        cmd,
        dirOnly.extend({
          retainDates: onOff,
          retainPatientCharacteristics: onOff,
          cleanDescriptors: onOff,
          allowBurnedIn: onOff,
        }),
      );
      const { setDicomPolicy } = await import('@tessera/node');
      const { dir, json, ...change } = o;
      const after = await setDicomPolicy(dir, dropUndefined(change));
      if (json) printJson(ctx.io, after);
      else ctx.io.out(formatDeid(after));
    });
}

function dropUndefined<T extends Record<string, unknown>>(
  o: T,
): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}

function registerVault(
  dicom: Command,
  ctx: CliContext,
  kind: VaultKind,
  verb: 'retry' | 'release',
  verbHelp: string,
): void {
  const group = dicom
    .command(kind)
    .description(
      kind === 'quarantine'
        ? 'inputs that could not be parsed or de-identified (encrypted)'
        : 'images with burned-in annotation awaiting the operator (encrypted)',
    );

  group
    .command('list')
    .requiredOption('--dir <dir>', 'the node folder')
    .option('--json', 'print as JSON')
    .action(async (_o: unknown, cmd: Command) => {
      const o = optionsOf(cmd, dirOnly);
      const { listDicomEntries } = await import('@tessera/node');
      const list = await listDicomEntries(o.dir, kind);
      if (o.json) printJson(ctx.io, { [kind]: list });
      else ctx.io.out(formatEntries(kind, list));
    });

  group
    .command(`${verb} <id>`)
    .description(verbHelp)
    .requiredOption('--dir <dir>', 'the node folder')
    .option('--json', 'print the outcome as JSON')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const o = optionsOf(cmd, dirOnly);
      const { resolveDicomEntry } = await import('@tessera/node');
      const out = await resolveDicomEntry(o.dir, kind, id);
      if (o.json) printJson(ctx.io, out);
      else ctx.io.out(`${kind} ${id}: ${formatOutcome(out)}\n`);
      if (out.result === 'refused')
        throw new TesseraError('UNPROCESSABLE', `${kind} ${id} stays: ${out.reason}`);
    });

  group
    .command('delete <id>')
    .description('deletes it for good (audited)')
    .requiredOption('--dir <dir>', 'the node folder')
    .option('--json', 'print the deleted entry as JSON')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const o = optionsOf(cmd, dirOnly);
      const { deleteDicomEntry } = await import('@tessera/node');
      const e = await deleteDicomEntry(o.dir, kind, id);
      if (o.json) printJson(ctx.io, e);
      else ctx.io.out(`${kind} ${id} deleted (${e.bytes} bytes)\n`);
    });
}

/** The import summary as text: counts, then one line per file that was not stored. */
export function formatImport(r: DicomImportSummary): string {
  const lines = [
    `${r.files} files: ${r.stored} stored, ${r.duplicates} duplicates, ${r.quarantined} quarantined, ` +
      `${r.held} held, ${r.refused} refused, ${r.skipped} skipped`,
  ];
  for (const p of r.problems) {
    const hash = p.sha256 === null ? '' : ` (sha256 ${p.sha256}…)`;
    const id = p.id === undefined ? '' : ` [${p.id}]`;
    lines.push(`  ${p.entry}${hash}: ${p.result}${id}: ${p.reason}`);
  }
  return `${lines.join('\n')}\n`;
}

function formatEntries(kind: VaultKind, list: readonly VaultEntry[]): string {
  if (list.length === 0) return `no ${kind === 'quarantine' ? 'quarantined' : 'held'} files\n`;
  return (
    list
      .map((e) => {
        const src =
          e.source.kind === 'c-store'
            ? `c-store from ${e.source.callingAe ?? '?'} at ${e.source.address ?? '?'}`
            : e.source.kind === 'stow-rs'
              ? `stow-rs from ${e.source.address ?? '?'}`
              : `import ${e.source.entry ?? ''}`;
        const what = e.modality === undefined ? '' : ` ${e.modality}`;
        return `${e.id}  ${e.receivedAt}  ${e.bytes} bytes${what}  ${src}\n    ${e.reason}`;
      })
      .join('\n') + '\n'
  );
}

function formatOutcome(o: IngestOutcome): string {
  switch (o.result) {
    case 'stored':
      return `stored as ${o.key.sop}`;
    case 'duplicate':
      return `already stored as ${o.key.sop}`;
    case 'held':
      return `held again [${o.id}] (burned-in annotation)`;
    case 'quarantined':
      return `quarantined [${o.id}]: ${o.reason}`;
    case 'refused':
      return `not stored: ${o.reason}`;
  }
}

function formatDeid(d: DeidOptions): string {
  const onOffText = (b: boolean): string => (b ? 'on' : 'off');
  return (
    [
      'de-identification: PS3.15 Basic Profile with',
      `  retain dates (shifted)           ${onOffText(d.retainLongitudinalTemporal)}`,
      `  retain patient characteristics   ${onOffText(d.retainPatientCharacteristics)}`,
      `  clean descriptors                ${onOffText(d.cleanDescriptors)}`,
      `  allow burned-in annotation       ${onOffText(d.allowBurnedIn)}`,
      `  private attributes kept          ${d.allowedPrivate.length}`,
    ].join('\n') + '\n'
  );
}

/** The imaging part of `node status`. */
export function formatDicomStatus(s: DicomStatus): string {
  const receiver =
    s.receiver === null
      ? 'off (no --dicom-port)'
      : `${s.receiver.tls ? 'DICOM TLS' : 'DICOM'} ${s.receiver.host}:${s.receiver.port} as ${s.receiver.aeTitle}` +
        `; callers: ${s.receiver.allow.length === 0 ? 'none allowed' : s.receiver.allow.join(', ')}`;
  return (
    `imaging\n  receiver     ${receiver}\n` +
    `  stored       ${s.patients} patients, ${s.studies} studies, ${s.series} series, ${s.instances} instances (${s.bytes} bytes)\n` +
    `  quarantined  ${s.quarantined}\n  held         ${s.held}\n  dataset      ${s.dataset}\n`
  );
}
