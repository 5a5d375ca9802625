import type { JobView, SiteOutcome } from '@tessera/protocol';
import { formatNumber, formatTable } from './output.js';

/** The `job run --json` document (DESIGN "Public contract"): id, status, result, sites, and more. */
export function jobJson(job: JobView): Record<string, unknown> {
  return {
    id: job.id,
    status: job.status,
    algorithm: job.algorithm,
    project: job.project,
    datasets: job.datasets,
    result: job.result,
    error: job.error,
    sites: job.sites.map(siteJson),
    createdAt: job.createdAt,
    finishedAt: job.finishedAt,
  };
}

function siteJson(s: SiteOutcome): Record<string, unknown> {
  return {
    trust: s.trust,
    status: s.status,
    ...(s.code === undefined ? {} : { code: s.code }),
    ...(s.reason === undefined ? {} : { reason: s.reason }),
  };
}

interface SummaryVariable {
  count?: unknown;
  missing?: unknown;
  mean?: unknown;
  sd?: unknown;
  levels?: unknown;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * The rows of a `summary` result: one per variable, in the order of `order` (the job's
 * `params.variables`) where given; null when the result is not a summary.
 */
export function summaryRows(result: unknown, order: readonly string[] = []): string[][] | null {
  if (!isRecord(result) || !isRecord(result['variables'])) return null;
  const rank = (name: string): number => {
    const i = order.indexOf(name);
    return i === -1 ? order.length : i;
  };
  const entries = Object.entries(result['variables']).sort(([a], [b]) => rank(a) - rank(b));
  return entries.map(([name, raw]) => {
    const v: SummaryVariable = isRecord(raw) ? raw : {};
    const levels = isRecord(v.levels)
      ? Object.entries(v.levels)
          .map(([k, c]) => `${k}: ${formatNumber(c)}`)
          .join(', ')
      : '';
    const isCategorical = isRecord(v.levels);
    return [
      name,
      formatNumber(v.count),
      formatNumber(v.missing),
      isCategorical ? '' : formatNumber(v.mean),
      isCategorical ? '' : formatNumber(v.sd),
      levels,
    ];
  });
}

function paramVariables(params: unknown): string[] {
  const v = isRecord(params) ? params['variables'] : undefined;
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** A job's result for humans: a table for `summary`, indented JSON for other algorithms. */
export function formatResult(job: JobView): string {
  if (job.result === null || job.result === undefined) return '';
  const rows =
    job.algorithm === 'summary' ? summaryRows(job.result, paramVariables(job.params)) : null;
  if (rows === null) return `${JSON.stringify(job.result, null, 2)}\n`;
  const n = isRecord(job.result) ? job.result['n'] : undefined;
  const head = n === undefined ? '' : `n = ${formatNumber(n)}\n`;
  return head + formatTable(['variable', 'count', 'missing', 'mean', 'sd', 'levels'], rows);
}

/** The per-site table: trust, status, code, reason. */
export function formatSites(sites: readonly SiteOutcome[]): string {
  const rows = sites.map((s) => [s.trust, s.status, s.code ?? '', s.reason ?? '']);
  return formatTable(['site', 'status', 'code', 'reason'], rows);
}

/** A whole finished job for humans: headline, result, sites. */
export function formatJob(job: JobView): string {
  const why = job.error === null ? '' : `: ${job.error.code} ${job.error.reason}`;
  const head = `job ${job.id} ${job.status} (${job.algorithm} on ${job.project.name})${why}\n`;
  const result = formatResult(job);
  return `${head}${result === '' ? '' : `\n${result}`}\n${formatSites(job.sites)}`;
}
