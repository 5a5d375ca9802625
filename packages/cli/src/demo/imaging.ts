import { setTimeout as sleep } from 'node:timers/promises';
import { TesseraError } from '@tessera/protocol';
import { need, siteName, siteRows, type DemoImaging, type DemoState } from './demo-state.js';
import type { ImagingSent } from './demo-state.js';
import { imagingJobs, startImagingGeneration, type SiteImagingFiles } from './imaging-generate.js';
import type { Site } from './site.js';
import type { Stage } from './stages.js';

/*
 * Imaging in the demo (issue 7 point 5), first half: synthetic CT and MR studies for some of each
 * site's patients (the same Patient IDs as their tabular rows), sent to the site's node over the
 * network with C-STORE, as a PACS would, and de-identified by the node on the way in. The files
 * are made in a worker thread while the hub starts; they are sent, stored and materialised as
 * each node's `imaging` dataset in the background while the tabular analyses run; then the
 * operator approves the project for it.
 */

/** The calling AE title of the demo's sender; each node allows only it. */
export const DEMO_SENDER_AE = 'TESSERA-DEMO';

/** The imaging dataset every node materialises (packages/node/src/dicom/ingest). */
export const IMAGING_DATASET = 'imaging';

/** Patients imaged per site, one study each (see imaging-generate.ts for the mix). */
export const IMAGING_PATIENTS = 30;

/**
 * Associations opened at once to each node, as a PACS sends: the node answers each instance only
 * after its index is on disk, and parallel associations share one fsync (group commit).
 */
const ASSOCIATIONS = 4;

/** The quiet time after which a node materialises its imaging dataset (dicom/ingest README). */
const MATERIALISE_QUIET_MS = 2_000;

/** How long sending, storing and materialising may take in all. */
const DELIVERY_TIMEOUT_MS = 120_000;

/** "3 nodes", "1 node". */
function plural(n: number, what: string): string {
  return `${String(n)} ${what}${n === 1 ? '' : 's'}`;
}

function abortable(s: DemoState): DemoImaging {
  s.imaging ??= { sent: [], abort: new AbortController() };
  return s.imaging;
}

/** Starts making every site's files in a worker thread; the send stage awaits them. */
export const imagingGenerateStage: Stage<DemoState> = {
  title: (s) =>
    `generating synthetic CT and MR for ${plural(s.options.sites, 'site')} (worker thread, in the background)`,
  run: (s) => {
    const imaging = abortable(s);
    const sites = Array.from({ length: s.options.sites }, (_, i) => ({
      name: siteName(i),
      rows: siteRows(i),
    }));
    imaging.generation = startImagingGeneration(
      imagingJobs({
        root: s.options.root,
        seed: s.options.seed,
        sites,
        patients: IMAGING_PATIENTS,
      }),
    );
    return Promise.resolve(`${String(IMAGING_PATIENTS)} patients per site`);
  },
};

/** Sends the files to the site's node over C-STORE; counts what the node stored. */
async function sendToNode(site: Site, made: SiteImagingFiles): Promise<ImagingSent> {
  const { dicomSend } = await import('@tessera/node');
  const dicom = need(site.dicom ?? undefined, `${site.name}'s DICOM receiver`);
  const t0 = performance.now();
  const chunks = Array.from({ length: ASSOCIATIONS }, (_, k) =>
    made.files.filter((_f, j) => j % ASSOCIATIONS === k),
  ).filter((c) => c.length > 0);
  const results = (
    await Promise.all(
      chunks.map((files) =>
        dicomSend({
          host: '127.0.0.1',
          port: dicom.port,
          calledAe: dicom.aeTitle,
          callingAe: DEMO_SENDER_AE,
          files,
        }),
      ),
    )
  ).flat();
  return {
    site: site.name,
    folder: made.folder,
    patients: made.patients,
    studies: made.studies,
    series: made.series,
    instances: made.files.length,
    stored: results.filter((r) => r.status === 0).length,
    ms: Math.round(performance.now() - t0),
    planted: made.planted,
  };
}

/**
 * Sends each site's files once they are made and its node is up, then waits for the node's
 * imaging dataset and approves the project for it, all in the background.
 */
export const imagingSendStage: Stage<DemoState> = {
  title: (s) =>
    `sending them to the ${plural(s.sites.length, 'node')} over C-STORE as ${DEMO_SENDER_AE} (in the background)`,
  run: (s) => {
    const imaging = need(s.imaging, 'imaging');
    const generation = need(imaging.generation, 'imaging generation');
    imaging.delivery = deliver(s, imaging, generation.done).then(
      () => ({ ok: true as const }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    const to = s.sites
      .map((x) =>
        x.dicom === null ? `${x.name}: no receiver` : `${x.dicom.aeTitle}@${String(x.dicom.port)}`,
      )
      .join(', ');
    return Promise.resolve(to);
  },
};

async function deliver(
  s: DemoState,
  imaging: DemoImaging,
  made: Promise<SiteImagingFiles[]>,
): Promise<void> {
  const files = await made;
  imaging.sent = await Promise.all(
    s.sites.map((site) => {
      const mine = files.find((f) => f.site === site.name);
      if (mine === undefined) throw new TesseraError('INTERNAL', `no images made for ${site.name}`);
      return sendToNode(site, mine);
    }),
  );
  const short = imaging.sent.filter((x) => x.stored !== x.instances);
  if (short.length > 0) {
    throw new TesseraError(
      'UNAVAILABLE',
      `not every instance was stored: ${short.map((x) => `${x.site} ${String(x.stored)} of ${String(x.instances)}`).join(', ')} (see the node logs)`,
    );
  }
  await whenMaterialised(s, imaging);
}

/**
 * Waits until every node's imaging dataset holds the series sent to it, then the operator
 * approves the project for it beside the tabular dataset (the privacy budget is kept).
 * @throws TesseraError TIMEOUT when a node has not materialised them in time.
 */
async function whenMaterialised(s: DemoState, imaging: DemoImaging): Promise<void> {
  const { approveProject, nodeStatus } = await import('@tessera/node');
  const deadline = Date.now() + DELIVERY_TIMEOUT_MS;
  const signal = imaging.abort.signal;
  // The node materialises its dataset after 2 s without a new instance; a status costs the
  // demo several ms of CPU, so it asks only around then, and then a few times a second.
  await sleep(MATERIALISE_QUIET_MS, undefined, { signal, ref: false });
  await Promise.all(
    s.sites.map(async (site) => {
      const want = imaging.sent.find((x) => x.site === site.name)?.series ?? 0;
      for (;;) {
        const status = await nodeStatus(site.nodeDir);
        const rows = status.datasets.find((d) => d.name === IMAGING_DATASET)?.rows ?? 0;
        if (rows >= want) break;
        if (Date.now() > deadline) {
          throw new TesseraError(
            'TIMEOUT',
            `${site.name}'s ${IMAGING_DATASET} dataset has ${String(rows)} of ${String(want)} series after ${String(DELIVERY_TIMEOUT_MS)} ms`,
          );
        }
        await sleep(300, undefined, { signal, ref: false });
      }
      await approveProject({
        dir: site.nodeDir,
        project: s.options.project,
        datasets: [s.options.dataset, IMAGING_DATASET],
      });
    }),
  );
}

/**
 * Waits for the background delivery, then until the hub's catalogue shows every site exposing
 * the imaging dataset to the project (a node publishes a change within about 2 s).
 */
export const imagingReadyStage: Stage<DemoState> = {
  title: (s) =>
    `waiting for the nodes' ${IMAGING_DATASET} datasets and their approval for ${s.options.project}`,
  run: async (s) => {
    const imaging = need(s.imaging, 'imaging');
    const delivered = await need(imaging.delivery, 'imaging delivery');
    if (!delivered.ok) throw delivered.error;
    const api = need(s.researcher, 'researcher login');
    const names = s.sites.map((x) => x.name);
    const deadline = Date.now() + DELIVERY_TIMEOUT_MS;
    for (;;) {
      const cat = await api.getCatalogue(s.options.project);
      const exposing = cat.datasets.find((d) => d.name === IMAGING_DATASET)?.sites ?? [];
      if (names.every((n) => exposing.includes(n))) break;
      if (Date.now() > deadline) {
        throw new TesseraError(
          'TIMEOUT',
          `the hub's catalogue does not show ${IMAGING_DATASET} at ${names.filter((n) => !exposing.includes(n)).join(', ')}`,
        );
      }
      await sleep(100);
    }
    return imaging.sent
      .map(
        (x) => `${x.site} stored ${String(x.stored)}/${String(x.instances)} in ${String(x.ms)} ms`,
      )
      .join(', ');
  },
};
