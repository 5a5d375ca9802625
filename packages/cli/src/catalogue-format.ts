import type { CatalogueHolding, ProjectCatalogue } from '@tessera/protocol';
import { formatTable } from './output.js';

/** Longest levels list shown in a cell before it is shortened (the JSON form has them all). */
const MAX_LEVELS_SHOWN = 4;

/**
 * One cell: the kind, and for a categorical the levels the site published; `identifier` for an
 * identifier column (never analysable, no levels).
 */
function cell(h: CatalogueHolding | undefined): string {
  if (h === undefined) return '—';
  if (h.identifier === true) return 'identifier';
  if (h.kind !== 'categorical') return h.kind;
  const levels = h.levels ?? [];
  const shown = levels.slice(0, MAX_LEVELS_SHOWN).join(', ');
  const more = levels.length > MAX_LEVELS_SHOWN ? `, +${levels.length - MAX_LEVELS_SHOWN}` : '';
  return `categorical{${shown}${more}}`;
}

/**
 * A project's catalogue for humans: per dataset, a variable × site table ("—": the site does not
 * have it; "identifier": an identifier column, which no job may read or filter on), then the
 * sites whose node has published nothing yet.
 */
export function formatCatalogue(c: ProjectCatalogue): string {
  const parts = [`project ${c.project.name}\n`];
  for (const d of c.datasets) {
    const rows = d.variables.map((v) => [
      v.name,
      ...d.sites.map((t) => cell(v.sites.find((h) => h.trust === t))),
    ]);
    parts.push(`\ndataset ${d.name}\n${formatTable(['variable', ...d.sites], rows)}`);
  }
  if (c.datasets.length === 0) parts.push('\nno dataset is exposed to this project yet\n');
  const waiting = c.sites.filter((s) => s.publishedAt === null).map((s) => s.trust);
  if (waiting.length > 0) parts.push(`\nnot yet published: ${waiting.join(', ')}\n`);
  return parts.join('');
}
