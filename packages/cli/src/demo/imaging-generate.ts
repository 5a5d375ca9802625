import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { imagingPatients } from './imaging-patients.js';

/*
 * The demo's synthetic imaging files (issue 7 point 5): for each site, CT and MR studies of its
 * first patients (the same Patient IDs as their tabular rows), written as Part 10 files under the
 * demo's data folder. Generation is CPU work (noise for every pixel), so it runs in a worker
 * thread from the demo's first stage on, while the hub and nodes start.
 */

/** What to generate for one site. */
export interface SiteImagingJob {
  readonly site: string;
  /** The site's tabular generator inputs (demo/site.ts): the patients come from its rows. */
  readonly generator: { readonly seed: number; readonly site: number; readonly rows: number };
  /** Seed of the imaging generator. */
  readonly seed: number;
  readonly patients: number;
  readonly folder: string;
}

/** What was written for one site. */
export interface SiteImagingFiles {
  readonly site: string;
  readonly folder: string;
  /** Absolute paths, in instance order. */
  readonly files: string[];
  readonly patients: number;
  readonly studies: { readonly CT: number; readonly MR: number };
  readonly series: number;
  /** Every identifying value the generator planted in the files. */
  readonly planted: string[];
}

/**
 * Study kinds in turn: one study per patient, CT for a third, MR (a T1 and a T2 series) for two
 * thirds, so that MR of the head, the commonest group, holds enough patients at every site to be
 * released while the smaller groups show suppression.
 */
const KINDS = ['CT', 'MR', 'MR'] as const;

/**
 * Rows and columns, and slices per series: small, because every instance costs CPU in the demo
 * (about 1.7 ms to make, mostly pixel noise) and at the node (about 3.7 ms to parse,
 * de-identify, write and index, measured on 2 loaded cores); 900 instances in all for 3 sites.
 */
export const IMAGE_SIZE = 64;
export const SLICES = 6;

/** Generates one site's studies and writes them under `job.folder`. */
export async function generateSiteImaging(job: SiteImagingJob): Promise<SiteImagingFiles> {
  const { generateSite } = await import('../synth/index.js');
  const { generateImagingStudies, writeImagingFolder } = await import('@tessera/node');
  const patients = imagingPatients(generateSite(job.generator), job.patients);
  const studies = generateImagingStudies({
    seed: job.seed,
    patients,
    kinds: [...KINDS],
    size: IMAGE_SIZE,
    slices: SLICES,
  });
  const files = await writeImagingFolder(job.folder, studies.files);
  const kinds = new Map(studies.series.map((x) => [x.studyUid, x.modality]));
  const count = (m: 'CT' | 'MR'): number => [...kinds.values()].filter((x) => x === m).length;
  return {
    site: job.site,
    folder: job.folder,
    files,
    patients: patients.length,
    studies: { CT: count('CT'), MR: count('MR') },
    series: studies.series.length,
    planted: studies.planted,
  };
}

/** The compiled worker beside this file, or in dist when running from sources (tests). */
function workerUrl(): URL {
  const sibling = new URL('./imaging-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(sibling))) return sibling;
  return new URL('../../dist/demo/imaging-worker.js', import.meta.url);
}

/** Generation under way in a worker thread. */
export interface ImagingGeneration {
  /** Each site's files, in the order of the jobs. */
  readonly done: Promise<SiteImagingFiles[]>;
  /** Stops the worker (at the end of the demo, or when it fails early). */
  stop(): Promise<void>;
}

/**
 * Starts generating in a worker thread; `done` rejects with the worker's error.
 */
export function startImagingGeneration(jobs: readonly SiteImagingJob[]): ImagingGeneration {
  const worker = new Worker(workerUrl(), { workerData: jobs });
  const done = new Promise<SiteImagingFiles[]>((resolve, reject) => {
    worker.once(
      'message',
      (m: { ok: true; sites: SiteImagingFiles[] } | { ok: false; error: string }) => {
        if (m.ok) resolve(m.sites);
        else reject(new Error(`generating the synthetic images failed: ${m.error}`));
      },
    );
    worker.once('error', reject);
    worker.once('exit', (code) => {
      reject(new Error(`the imaging generator stopped (exit code ${String(code)})`));
    });
  });
  // Awaited by the send stage; not left unhandled if the demo ends first.
  done.catch(() => undefined);
  return {
    done,
    stop: async () => {
      await worker.terminate();
    },
  };
}

/** The jobs of the demo's sites. */
export function imagingJobs(o: {
  readonly root: string;
  readonly seed: number;
  readonly sites: readonly { name: string; rows: number }[];
  readonly patients: number;
}): SiteImagingJob[] {
  return o.sites.map((site, i) => ({
    site: site.name,
    generator: { seed: o.seed, site: i, rows: site.rows },
    seed: (o.seed + 7919 * (i + 1)) >>> 0,
    patients: o.patients,
    folder: join(o.root, 'data', 'dicom', site.name),
  }));
}
