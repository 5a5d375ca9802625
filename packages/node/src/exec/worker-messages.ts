import type { DisclosurePolicy, LocalOutcome } from '@tessera/algorithms';
import type { Cohort } from '@tessera/protocol';
import type { DatasetRows } from '../guard/row-set.js';

/** Disclosure checks that need the cohort's rows, so only the worker can make them. */
export interface StepGuard {
  /** Report the rows the cohort selected with an ok outcome (the differencing guard needs them). */
  readonly reportRows: boolean;
  /** Refuse LEVEL_LIMIT when a categorical variable read has more levels in the cohort than this × rows. */
  readonly maxLevelDensity: number;
}

/** What the executor asks a step worker to do. Plain data: it crosses a thread boundary. */
export interface StepRequest {
  readonly id: number;
  readonly algorithm: string;
  readonly step: string;
  /**
   * Dataset folders with the version the node checked the task against: the worker loads a
   * dataset itself and keeps it while the version asked for is the one it holds.
   */
  readonly datasets: readonly { readonly dir: string; readonly version: string }[];
  readonly cohort: Cohort | null;
  readonly params: unknown;
  readonly input: unknown;
  readonly round: number;
  readonly policy: DisclosurePolicy;
  /** Absent: no row report and no level-density check. */
  readonly guard?: StepGuard;
}

/** A worker's answer. A thrown step carries only the error's class name, never its message. */
export type StepResponse =
  | { readonly type: 'ready' }
  | {
      readonly type: 'done';
      readonly id: number;
      readonly outcome: LocalOutcome;
      /** The rows the cohort selected, per dataset, when asked for and the outcome is ok. */
      readonly rows?: readonly DatasetRows[];
    }
  | { readonly type: 'threw'; readonly id: number; readonly errorName: string };
