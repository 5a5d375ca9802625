import type { JobArtifact } from '@tessera/algorithms';
import { artifactNameSchema } from '@tessera/protocol';
import type { Queryable } from '../storage/db.js';

/*
 * What a decision asks the hub to keep besides its state (issue 6): artifacts (named JSON
 * documents, e.g. the global model after a round) and progress (JSON shown to clients). Both are
 * checked before anything of the decision is written, then written in the decision's own
 * transaction, so a restarted hub holds exactly the rounds that committed.
 */

/** Why a decision cannot be carried out; the job fails with it. */
export interface JobError {
  readonly code: string;
  readonly reason: string;
}

/** An artifact checked and serialised once, ready for its INSERT. */
export interface PreparedArtifact {
  readonly name: string;
  readonly json: string;
  readonly bytes: number;
}

/** Largest progress document: it travels with every job view, so it stays small. */
export const MAX_PROGRESS_BYTES = 1024 * 1024;

const MIB = 1024 * 1024;
const invalid = (reason: string): JobError => ({ code: 'INVALID_DECISION', reason });
const sizeText = (bytes: number) =>
  bytes >= MIB ? `${(bytes / MIB).toFixed(1)} MiB` : `${String(bytes)} bytes`;

/**
 * JSON text of a decision's value, or why it has none: undefined, functions and BigInts cannot
 * be stored, and PostgreSQL's jsonb refuses the NUL character (which would otherwise make the
 * decision's transaction fail at every retry).
 */
function toJson(value: unknown, what: string): string | JobError {
  // JSON.stringify answers undefined for undefined, functions and symbols, whatever its type says.
  let json: unknown;
  try {
    json = JSON.stringify(value);
  } catch (e) {
    return invalid(`${what} is not JSON: ${(e as Error).message}`);
  }
  if (typeof json !== 'string') return invalid(`${what} has no JSON value`);
  if (json.includes('\\u0000')) return invalid(`${what} holds a NUL character`);
  return json;
}

/**
 * Checks a decision's artifacts: valid, distinct names and JSON bodies of at most `maxBytes`.
 * @returns the artifacts ready to store, or the error the job fails with (ARTIFACT_TOO_LARGE,
 *   INVALID_DECISION).
 */
export function prepareArtifacts(
  artifacts: readonly JobArtifact[] | undefined,
  maxBytes: number,
): PreparedArtifact[] | JobError {
  const out: PreparedArtifact[] = [];
  const seen = new Set<string>();
  for (const a of artifacts ?? []) {
    const raw: unknown = a.name;
    const name = artifactNameSchema.safeParse(raw);
    if (!name.success) {
      const shown = typeof raw === 'string' ? JSON.stringify(raw.slice(0, 80)) : typeof raw;
      return invalid(`artifact name ${shown} is not valid: ${name.error.issues[0]?.message ?? ''}`);
    }
    if (seen.has(name.data)) return invalid(`artifact ${name.data} is named twice in one decision`);
    seen.add(name.data);
    const json = toJson(a.body, `artifact ${name.data}`);
    if (typeof json !== 'string') return json;
    const bytes = Buffer.byteLength(json, 'utf8');
    if (bytes > maxBytes) {
      return {
        code: 'ARTIFACT_TOO_LARGE',
        reason: `artifact ${name.data} is ${sizeText(bytes)}, more than the hub's limit of ${sizeText(maxBytes)} (maxArtifactBytes)`,
      };
    }
    out.push({ name: name.data, json, bytes });
  }
  return out;
}

/**
 * The progress to store: JSON text, `undefined` to keep the stored one (a decision without
 * progress, e.g. a secure-aggregation phase), or the error the job fails with.
 */
export function prepareProgress(progress: unknown): string | undefined | JobError {
  if (progress === undefined) return undefined;
  const json = toJson(progress, 'progress');
  if (typeof json !== 'string') return json;
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > MAX_PROGRESS_BYTES)
    return invalid(`progress is ${sizeText(bytes)}, at most ${sizeText(MAX_PROGRESS_BYTES)}`);
  return json;
}

/** True when a prepare* function answered with an error. */
export function isJobError(v: unknown): v is JobError {
  return typeof v === 'object' && v !== null && 'code' in v && 'reason' in v;
}

/**
 * Writes artifacts in the caller's transaction; a name the job already has is replaced (e.g.
 * 'model/best' after a better round).
 */
export async function storeArtifacts(
  tx: Queryable,
  jobId: string,
  artifacts: readonly PreparedArtifact[],
  now: Date,
): Promise<void> {
  if (artifacts.length === 0) return;
  // One statement for all of them (a round writes its model and often the best one), each body
  // its own bound parameter; the names are distinct (prepareArtifacts), as ON CONFLICT requires.
  const rows = artifacts.map(
    (_, i) =>
      `($1, $${String(i * 3 + 3)}, $${String(i * 3 + 4)}::jsonb, $${String(i * 3 + 5)}, $2)`,
  );
  await tx.query(
    `INSERT INTO job_artifacts (job_id, name, body, bytes, created_at)
     VALUES ${rows.join(', ')}
     ON CONFLICT (job_id, name) DO UPDATE
       SET body = EXCLUDED.body, bytes = EXCLUDED.bytes, created_at = EXCLUDED.created_at`,
    [jobId, now.toISOString(), ...artifacts.flatMap((a) => [a.name, a.json, a.bytes])],
  );
}
