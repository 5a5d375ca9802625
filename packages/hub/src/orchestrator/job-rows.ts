import {
  SITE_CODES,
  type Cohort,
  type JobStatus,
  type JobView,
  type SiteCode,
  type SiteOutcome,
} from '@tessera/protocol';
import { isoOf, isoOrNull, type Queryable } from '../storage/db.js';

export interface JobRow {
  id: string;
  project_id: string;
  project_name: string;
  algorithm: string;
  algorithm_version: string;
  params: unknown;
  datasets: string[];
  cohort: Cohort | null;
  secure_aggregation: boolean;
  state: unknown;
  step: string | null;
  round: number;
  min_sites: number;
  step_deadline: unknown;
  status: JobStatus;
  result: unknown;
  error: { code: string; reason: string } | null;
  progress: unknown;
  trace_id: string;
  created_at: unknown;
  finished_at: unknown;
}

export const JOB_SELECT = `SELECT j.*, p.name AS project_name FROM jobs j JOIN projects p ON p.id = j.project_id`;

/** A job with its project name, optionally locked for update. */
export async function loadJob(q: Queryable, id: string, lock = false): Promise<JobRow | undefined> {
  const rows = await q.query<JobRow>(
    `${JOB_SELECT} WHERE j.id = $1${lock ? ' FOR UPDATE OF j' : ''}`,
    [id],
  );
  return rows[0];
}

interface SiteRow {
  trust_name: string;
  status: 'queued' | 'leased' | 'done' | 'closed';
  site_status: 'ok' | 'refused' | 'failed' | null;
  site_code: string | null;
  site_reason: string | null;
}

/** Per trust, the outcome of its latest task in the job. */
export async function jobSites(q: Queryable, jobId: string): Promise<SiteOutcome[]> {
  const rows = await q.query<SiteRow>(
    `SELECT DISTINCT ON (t.trust_id) tr.name AS trust_name, t.status, t.site_status, t.site_code,
            t.site_reason
       FROM tasks t JOIN trusts tr ON tr.id = t.trust_id
      WHERE t.job_id = $1 ORDER BY t.trust_id, t.round DESC`,
    [jobId],
  );
  return rows
    .map((r): SiteOutcome => {
      if (r.site_status === null) return { trust: r.trust_name, status: 'pending' };
      if (r.site_status === 'ok') return { trust: r.trust_name, status: 'ok' };
      return {
        trust: r.trust_name,
        status: r.site_status,
        ...(r.site_code !== null && r.site_code in SITE_CODES
          ? { code: r.site_code as SiteCode }
          : {}),
        ...(r.site_reason === null ? {} : { reason: r.site_reason }),
      };
    })
    .sort((a, b) => (a.trust < b.trust ? -1 : a.trust > b.trust ? 1 : 0));
}

/** The client view of a job. */
export async function toJobView(q: Queryable, j: JobRow): Promise<JobView> {
  return {
    id: j.id,
    project: { id: j.project_id, name: j.project_name },
    algorithm: j.algorithm,
    datasets: j.datasets,
    cohort: j.cohort,
    params: j.params,
    secureAggregation: j.secure_aggregation,
    status: j.status,
    result: j.status === 'succeeded' ? j.result : null,
    error: j.error,
    sites: await jobSites(q, j.id),
    round: j.round,
    progress: j.progress ?? null,
    createdAt: isoOf(j.created_at),
    finishedAt: isoOrNull(j.finished_at),
  };
}

/** JSON for a jsonb parameter; SQL NULL for null/undefined. */
export function jsonParam(v: unknown): string | null {
  return v === null || v === undefined ? null : JSON.stringify(v);
}
