import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nodeInit } from '../commands/node.js';
import type { HubApi } from '../hub-api.js';
import type { Io } from '../output.js';

/** The privacy budget each demo site's operator gives the project. */
export const DEMO_PRIVACY_BUDGET = { epsilon: 2, delta: 1e-6 } as const;

/** Where one demo site keeps its things, under the demo folder. */
export interface SitePaths {
  readonly nodeDir: string;
  readonly keyFile: string;
  readonly csvFile: string;
}

/** The folders and files of site `name` under `root`. */
export function sitePaths(root: string, name: string): SitePaths {
  return {
    nodeDir: join(root, 'nodes', name),
    keyFile: join(root, 'secrets', `${name}.api-key`),
    csvFile: join(root, 'data', `${name}.csv`),
  };
}

export interface CreateSiteOptions {
  /** An admin's hub API. */
  readonly api: HubApi;
  readonly root: string;
  /** Trust name, e.g. `site-a`. */
  readonly name: string;
  readonly hubUrl: string;
  readonly pin: string;
  /** Generator inputs: the same seed and site give the same rows. */
  readonly seed: number;
  readonly siteIndex: number;
  readonly rows: number;
  /** The project the operator approves, and the dataset exposed to it. */
  readonly project: string;
  readonly dataset: string;
  /** The node's DICOM receiver: its port, AE title and the calling AE titles it accepts; none without. */
  readonly dicom?: SiteDicom & { readonly allow: readonly string[] };
  readonly io: Io;
}

/** Where a site's DICOM receiver listens, and as which AE title. */
export interface SiteDicom {
  readonly port: number;
  readonly aeTitle: string;
}

/** What {@link createSite} made. */
export interface Site extends SitePaths {
  readonly name: string;
  readonly rows: number;
  /** The generator inputs that made the site's data, so its rows can be made again. */
  readonly generator: { readonly seed: number; readonly site: number; readonly rows: number };
  /** The node's DICOM receiver (it runs once the node is started), or null when it has none. */
  readonly dicom: SiteDicom | null;
}

/**
 * Makes one trust end to end, the way an admin and a hospital operator would: the trust on the
 * hub (its key written to a 0600 file, never printed), `node init` with a DICOM receiver that
 * accepts only the demo's sender, a synthetic CSV imported with the patient id pseudonymised, and
 * the project approved with the dataset exposed (imaging is approved once images have arrived).
 * @throws TesseraError from the hub or the node package.
 */
export async function createSite(o: CreateSiteOptions): Promise<Site> {
  const paths = sitePaths(o.root, o.name);
  for (const d of [join(o.root, 'secrets'), join(o.root, 'data'), join(o.root, 'nodes')]) {
    mkdirSync(d, { recursive: true, mode: 0o700 });
  }
  const trust = await o.api.createTrust(o.name);
  writeFileSync(paths.keyFile, `${trust.apiKey}\n`, { mode: 0o600 });
  await nodeInit(
    {
      dir: paths.nodeDir,
      hub: o.hubUrl,
      pin: o.pin,
      name: o.name,
      apiKeyFile: paths.keyFile,
      consolePort: 0,
      ...(o.dicom === undefined
        ? {}
        : { dicomPort: o.dicom.port, dicomAe: o.dicom.aeTitle, dicomAllow: [...o.dicom.allow] }),
    },
    o.io,
  );
  const { generateSite, toCsv } = await import('../synth/index.js');
  const generator = { seed: o.seed, site: o.siteIndex, rows: o.rows };
  const rows = generateSite(generator);
  writeFileSync(paths.csvFile, toCsv(rows), { mode: 0o600 });
  const { approveProject, importDataset } = await import('@tessera/node');
  const imported = await importDataset({
    dir: paths.nodeDir,
    name: o.dataset,
    file: paths.csvFile,
    idColumn: 'patient_id',
  });
  // Each operator also gives the project a differential-privacy budget of ε = 2 (δ = 1e-6),
  // spent by the demo's noisy release.
  await approveProject({
    dir: paths.nodeDir,
    project: o.project,
    datasets: [o.dataset],
    budget: DEMO_PRIVACY_BUDGET,
  });
  return {
    ...paths,
    name: o.name,
    rows: imported.rows,
    generator,
    dicom: o.dicom === undefined ? null : { port: o.dicom.port, aeTitle: o.dicom.aeTitle },
  };
}
