import type { SiteCode } from '@tessera/protocol';
import type { z } from 'zod';
import type { Table } from './table.js';

/**
 * The step framework (DESIGN "A job, end to end"): an algorithm is a hub part that plans steps
 * and aggregates their results, and node parts that compute local steps and check what they
 * would release. All of it is pure: no I/O, no clock, and no randomness but the context's
 * `randomBytes` (seeded in tests).
 */

/** The disclosure rules in force at a node for one task: the node's, made stricter by the job. */
export interface DisclosurePolicy {
  /** No count, cell or subgroup below this leaves the node (default 10). */
  readonly minCount: number;
  /** Whether minimum and maximum may be released. */
  readonly allowMinMax: boolean;
}

export const DEFAULT_MIN_COUNT = 10;

export interface LocalStepContext<P> {
  /** The rows of the job's datasets at this node, already filtered by the cohort. */
  readonly table: Table;
  readonly params: P;
  /** What the hub's previous aggregate step sent to this step. */
  readonly input: unknown;
  readonly round: number;
  readonly policy: DisclosurePolicy;
  /**
   * Uniform random bytes for differential-privacy noise (DESIGN "Disclosure control at the
   * node"): node:crypto's randomBytes at a node, a seeded source in simulations and tests. The
   * only randomness a local step may use.
   */
  readonly randomBytes: (n: number) => Uint8Array;
  /**
   * Imaging datasets only (issue 7): pixel access to the series that are the rows of `table`,
   * keyed by their `series_uid` value. Absent for tabular datasets.
   */
  readonly images?: SeriesImages;
}

/**
 * Read-only pixel access at a node, for the series of an imaging dataset. Values are modality
 * values (stored values through Rescale Slope/Intercept). Synchronous: local steps are pure
 * functions run in the node's step worker, which reads the store.
 */
export interface SeriesImages {
  /**
   * Counts of the modality values of every instance of the series in `bins` equal bins over
   * [min, max); values below or above fall in the first or last bin. null when the series' pixel
   * data cannot be decoded here (e.g. a compressed transfer syntax) or the series is unknown.
   */
  histogram(seriesUid: string, min: number, max: number, bins: number): Float64Array | null;
  /**
   * The middle instance's first frame, downsampled by area averaging to size × size (row-major),
   * in modality values. null as for `histogram`.
   */
  thumbnail(seriesUid: string, size: number): Float32Array | null;
}

/** What a node releases for a step, or why it releases nothing. */
export type LocalOutcome =
  | { readonly status: 'ok'; readonly output: unknown }
  | { readonly status: 'refused'; readonly code: SiteCode; readonly reason: string };

export interface LocalStep<P> {
  /** Computes the step's output from local rows. May throw; the node reports STEP_FAILED. */
  run(ctx: LocalStepContext<P>): unknown;
  /** Disclosure check on the output before it leaves: pass it (possibly with cells suppressed) or refuse. */
  disclose(output: unknown, ctx: LocalStepContext<P>): LocalOutcome;
}

/** One site's answer to a step, as the hub's aggregate step sees it. */
export interface SiteResult {
  readonly trust: string;
  readonly status: 'ok' | 'refused' | 'failed';
  readonly output?: unknown;
  readonly code?: string;
  readonly reason?: string;
}

/** What the hub does next. `state` is JSON and is persisted, so a restarted hub resumes. */
export type HubDecision<S> =
  | {
      readonly kind: 'step';
      readonly step: string;
      /** Sent to every site's local step. */
      readonly input: unknown;
      readonly state: S;
      /** Fewest ok sites with which the step may be aggregated (default: 1). */
      readonly minSites?: number;
      /** How long the hub waits for the step's results (default: the job's deadline). */
      readonly deadlineMs?: number;
      /**
       * Only these sites (trust names, a subset of the job's sites) get the step, e.g. the
       * clients sampled for a training round; default: every site of the job.
       */
      readonly sites?: readonly string[];
      /** JSON shown to clients while the job runs (e.g. rounds done and their metrics); stored on the job. */
      readonly progress?: unknown;
      /** JSON the hub stores with the job under each name (e.g. the global model after a round). */
      readonly artifacts?: readonly JobArtifact[];
    }
  | {
      readonly kind: 'done';
      readonly result: unknown;
      readonly artifacts?: readonly JobArtifact[];
    }
  | { readonly kind: 'failed'; readonly code: string; readonly reason: string };

/** A named JSON document the hub keeps with a job, readable by the project's members. */
export interface JobArtifact {
  /** Unique within the job; [a-z0-9-]+ segments joined by '/', e.g. 'model/round-3', 'model/best'. */
  readonly name: string;
  readonly body: unknown;
}

export interface Algorithm<P = unknown, S = unknown> {
  readonly name: string;
  readonly version: string;
  readonly description: string;
  /** Validates and defaults a job's `params`. */
  readonly params: z.ZodType<P>;
  /** The dataset variables the job reads, so nodes and the catalogue can check them. */
  variables(params: P): string[];
  /** The first step. */
  start(params: P): HubDecision<S>;
  /** Node parts by step name. */
  readonly local: Readonly<Record<string, LocalStep<P>>>;
  /** Aggregates one step's site results into the next decision. */
  aggregate(params: P, state: S, step: string, results: readonly SiteResult[]): HubDecision<S>;
}
