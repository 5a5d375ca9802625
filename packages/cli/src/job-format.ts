import type { JobView, SiteOutcome } from '@tessera/protocol';
import { formatTable } from './output.js';
import { formatAlgorithmResult } from './result-format/index.js';

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

/** A job's result for humans: a table per algorithm, indented JSON for anything else. */
export function formatResult(job: JobView): string {
  if (job.result === null || job.result === undefined) return '';
  return formatAlgorithmResult(job.algorithm, job.result, job.params, job.id);
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
