import { join } from 'node:path';
import { TesseraError, type JobView, type SubmitJobRequest } from '@tessera/protocol';
import { formatSites } from '../job-format.js';
import { submitAndWait } from '../job-runner.js';
import { formatNumber } from '../output.js';
import { formatAlgorithmResult } from '../result-format/index.js';
import { need, type DemoImaging, type DemoState } from './demo-state.js';
import { IMAGING_DATASET } from './imaging.js';
import { plantedMatcher, scanFolder, type PlantedScan } from './planted-scan.js';
import type { Stage } from './stages.js';

/*
 * Imaging in the demo, second half: the researcher's imaging jobs over the nodes' de-identified
 * stores, and the demo's own check that no planted identifying value reached a node's disk.
 */

/** Counts of patients, studies, series and instances by modality and body part. */
export const IMAGING_COHORT_REQUEST: Omit<SubmitJobRequest, 'project' | 'datasets'> = {
  algorithm: 'imaging-cohort',
  cohort: null,
  params: { groupBy: ['modality', 'body_part'] },
};

/**
 * Pooled histograms of Hounsfield units of the CT series, in bins of 256 HU. Narrower bins split
 * tissues that only some patients have (lung: chest scans only) into cells under minCount
 * patients at a site; their suppression then hides, by secondary suppression, a bin every
 * patient has (air), which biases mean and sd. These bins keep every cell releasable.
 */
export const IMAGE_STATS_REQUEST: Omit<SubmitJobRequest, 'project' | 'datasets'> = {
  algorithm: 'image-stats',
  cohort: { variable: 'modality', op: '=', value: 'CT' },
  params: { min: -1024, max: 2048, bins: 12, groupBy: ['modality'] },
};

async function runImagingJob(
  s: DemoState,
  request: Omit<SubmitJobRequest, 'project' | 'datasets'>,
): Promise<JobView> {
  return submitAndWait(
    need(s.researcher, 'researcher login'),
    { ...request, project: s.options.project, datasets: [IMAGING_DATASET] },
    { timeoutMs: 120_000 },
  );
}

function outcome(job: JobView): string {
  return job.status === 'succeeded'
    ? `${String(jobMs(job))} ms`
    : `${job.status}: ${job.error?.code ?? ''} ${job.error?.reason ?? ''}`;
}

function jobMs(job: JobView): number {
  return job.finishedAt === null ? NaN : Date.parse(job.finishedAt) - Date.parse(job.createdAt);
}

export const imagingCohortStage: Stage<DemoState> = {
  title: 'running imaging-cohort by modality and body part',
  run: async (s) => {
    const job = await runImagingJob(s, IMAGING_COHORT_REQUEST);
    need(s.imaging, 'imaging').cohort = job;
    return outcome(job);
  },
};

export const imageStatsStage: Stage<DemoState> = {
  title: 'running image-stats on the CT series (Hounsfield units)',
  run: async (s) => {
    const job = await runImagingJob(s, IMAGE_STATS_REQUEST);
    need(s.imaging, 'imaging').stats = job;
    return outcome(job);
  },
};

/**
 * Looks for every site's planted identifying values in the files the demo sent (all must be
 * found, or the check itself is blind) and in every node's folder and the demo's logs (none may
 * be). Tokens are unique per generation, so one matcher serves all sites.
 * @throws TesseraError INTERNAL when a node or a log holds a planted value, or the sent files
 *   lack one.
 */
export const deidCheckStage: Stage<DemoState> = {
  title:
    'looking for the planted identifying values in what the nodes stored (only the demo knows them)',
  run: async (s) => {
    const imaging = need(s.imaging, 'imaging');
    const planted = [...new Set(imaging.sent.flatMap((x) => x.planted))];
    const matcher = plantedMatcher(planted);
    const scan = async (dirs: readonly string[]): Promise<PlantedScan> => {
      const found = new Set<number>();
      let files = 0;
      let bytes = 0;
      for (const d of dirs) {
        const r = await scanFolder(d, matcher, found);
        files += r.files;
        bytes += r.bytes;
      }
      return { files, bytes, found: found.size };
    };
    const before = await scan(imaging.sent.map((x) => x.folder));
    const after = await scan([...s.sites.map((x) => x.nodeDir), join(s.options.root, 'logs')]);
    imaging.deid = {
      planted: planted.length,
      inSent: before.found,
      atNodes: after.found,
      files: after.files,
      bytes: after.bytes,
    };
    if (after.found > 0) {
      throw new TesseraError(
        'INTERNAL',
        `${String(after.found)} planted identifying values were found in the nodes' folders or the logs`,
      );
    }
    if (before.found !== planted.length) {
      throw new TesseraError(
        'INTERNAL',
        `the check is blind: only ${String(before.found)} of ${String(planted.length)} planted values were found in the files sent`,
      );
    }
    return `0 of ${String(planted.length)} found in ${String(after.files)} files (${(after.bytes / 1e6).toFixed(1)} MB)`;
  },
};

/** The imaging section of the demo's print-out. */
export function formatImaging(imaging: DemoImaging, project: string): string {
  const title = 'Imaging: synthetic CT and MR sent over C-STORE, de-identified at each node';
  const parts = [`── ${title} ${'─'.repeat(Math.max(0, 76 - title.length))}`];
  for (const x of imaging.sent) {
    parts.push(
      `${x.site}: sent ${String(x.instances)} instances over C-STORE: stored ${String(x.stored)} ` +
        `(${String(x.patients)} patients, ${String(x.studies.CT)} CT + ${String(x.studies.MR)} MR studies, ${String(x.series)} series)`,
    );
  }
  const d = imaging.deid;
  if (d !== undefined) {
    parts.push(
      `de-identification: ${formatNumber(d.atNodes)} of the ${formatNumber(d.planted)} planted identifying values ` +
        `(names, ids, addresses, original UIDs) found in the nodes' folders and logs ` +
        `(${formatNumber(d.files)} files, ${(d.bytes / 1e6).toFixed(1)} MB); ` +
        `${formatNumber(d.inSent)} of them found in the files sent`,
    );
  }
  parts.push(
    '',
    `Patients, studies, series and instances by modality and body part (${IMAGING_DATASET} of ${project}):`,
  );
  parts.push(jobText(imaging.cohort));
  parts.push('CT values in Hounsfield units, pooled over the sites (cohort: modality = CT):');
  parts.push(jobText(imaging.stats));
  return parts.join('\n');
}

function jobText(job: JobView | undefined): string {
  if (job === undefined) return 'not run\n';
  if (job.status !== 'succeeded') {
    return `failed: ${job.error?.code ?? ''} ${job.error?.reason ?? ''}\n${formatSites(job.sites)}`;
  }
  const sites = job.sites.every((x) => x.status === 'ok') ? '' : formatSites(job.sites);
  return `${formatAlgorithmResult(job.algorithm, job.result, job.params)}${sites}`;
}
