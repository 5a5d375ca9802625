import type { JobView } from '@tessera/protocol';
import { TesseraError } from '@tessera/protocol';
import type { HubApi } from '../hub-api.js';
import type { HubClient } from '../hub-client.js';
import type { Io } from '../output.js';
import type { HubProcess, NodeProcess, ProcessGroup } from './components.js';
import type { ImagingGeneration } from './imaging-generate.js';
import type { Site } from './site.js';

/** The demo's choices, fixed before it starts. */
export interface DemoOptions {
  /** Number of sites (trusts with a node each). */
  readonly sites: number;
  /** The demo folder. */
  readonly root: string;
  readonly seed: number;
  readonly project: string;
  readonly dataset: string;
  readonly adminEmail: string;
  /** The researcher who runs the jobs (admins see results only as project members). */
  readonly researcherEmail: string;
  /** The variables the summary job reads. */
  readonly variables: readonly string[];
}

/** What the federated-learning stages leave for the print-out (demo/training.ts). */
export interface DemoTraining {
  job: JobView;
  modelFile?: string;
  /** The predictions table, with the true outcome the generator drew. */
  predictions?: string;
}

/** What the stages build up as they run. */
export interface DemoState {
  readonly options: DemoOptions;
  readonly io: Io;
  readonly group: ProcessGroup;
  adminPasswordFile?: string;
  hubDir?: string;
  hub?: HubProcess;
  /** Open hub connections, closed at the end. */
  clients: HubClient[];
  /** The admin's hub API. */
  api?: HubApi;
  /** The researcher's password file and hub API. */
  researcherPasswordFile?: string;
  researcher?: HubApi;
  sites: Site[];
  nodes: NodeProcess[];
  job?: JobView;
  /** The analyses run after the summary, in order (demo/analyses.ts). */
  analyses: { title: string; job: JobView }[];
  /** The federated-learning stages' job, model file and predictions (demo/training.ts). */
  training?: DemoTraining;
  /** What the imaging stages sent, stored, ran and checked (demo/imaging.ts). */
  imaging?: DemoImaging;
}

/** What one site was sent over C-STORE. */
export interface ImagingSent {
  readonly site: string;
  /** Where the sent files are (the demo's copy, before de-identification). */
  readonly folder: string;
  readonly patients: number;
  readonly studies: { readonly CT: number; readonly MR: number };
  readonly series: number;
  readonly instances: number;
  /** Instances the node answered with success. */
  readonly stored: number;
  /** How long the sending took, in ms. */
  readonly ms: number;
  /** The identifying values the generator planted in them. */
  readonly planted: readonly string[];
}

/** The de-identification check: planted values found before and after the nodes stored them. */
export interface ImagingDeidCheck {
  readonly planted: number;
  readonly inSent: number;
  readonly atNodes: number;
  readonly files: number;
  readonly bytes: number;
}

/** The imaging part of the demo (issue 7 point 5). */
export interface DemoImaging {
  /** The files being made in a worker thread from the first stage on. */
  generation?: ImagingGeneration;
  sent: ImagingSent[];
  /**
   * Settles when every instance was sent, every node's imaging dataset holds the series and the
   * project is approved for it; runs in the background while the tabular analyses do.
   */
  delivery?: Promise<{ ok: true } | { ok: false; error: unknown }>;
  /** Stops the background wait when the demo ends first. */
  readonly abort: AbortController;
  cohort?: JobView;
  stats?: JobView;
  deid?: ImagingDeidCheck;
}

/** The demo's default choices (DESIGN: three sites, synthetic cardiometabolic patients). */
export function defaultDemoOptions(root: string, sites = 3): DemoOptions {
  return {
    sites,
    root,
    seed: 20_251_122,
    project: 'cardiometabolic',
    dataset: 'patients',
    adminEmail: 'admin@tessera.example',
    researcherEmail: 'researcher@tessera.example',
    variables: ['age', 'sex', 'bmi', 'smoking', 'sbp', 'hba1c', 'diabetes'],
  };
}

/** The AE title of site `i`'s DICOM receiver: SITE-A, SITE-B, … */
export function siteAeTitle(i: number): string {
  return siteName(i).toUpperCase();
}

/** Trust names: site-a, site-b, …, site-z, site-27, … */
export function siteName(i: number): string {
  return i < 26 ? `site-${String.fromCharCode(97 + i)}` : `site-${i + 1}`;
}

// Sites differ in size (a few hundred to ~2000 rows) so the pooled figures are not a plain mean.
const SITE_ROWS = [1200, 650, 1800, 900, 1500, 400] as const;

/** How many synthetic patients site `i` gets. */
export function siteRows(i: number): number {
  return SITE_ROWS[i % SITE_ROWS.length] ?? 1000;
}

/**
 * A value an earlier stage must have set.
 * @throws TesseraError INTERNAL when it has not (a stage order bug).
 */
export function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new TesseraError('INTERNAL', `demo: ${what} is not ready`);
  return value;
}
