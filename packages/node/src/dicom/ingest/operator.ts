import { readdir } from 'node:fs/promises';
import { pino, type Logger } from 'pino';
import { readJsonFile, writeJsonAtomic } from '../../store/atomic-file.js';
import { NODE_AUDIT_ACTIONS, appendAudit } from '../../store/audit-log.js';
import { nodePaths, type NodePaths } from '../../store/layout.js';
import { withLock } from '../../store/lock.js';
import {
  dicomConfigOf,
  loadNodeConfig,
  nodeConfigSchema,
  type DicomConfig,
} from '../../store/node-config.js';
import type { DeidOptions } from '../deid/index.js';
import { loadDicomIndex } from './dicom-index.js';
import { ensureDicomKey, loadDicomKeys } from './keys.js';
import { createDicomStore, type IngestOutcome } from './store.js';
import { vaultFolder, type VaultEntry, type VaultKind } from './vault-folder.js';

/*
 * What the operator does with the imaging store from the command line (issue 7): list, retry or
 * delete quarantined inputs, list, release or delete held images, change the de-identification
 * policy. Each change is audited. These run as their own processes beside `node start`; the
 * store's files and the state lock keep them consistent.
 */

async function folder(paths: NodePaths, kind: VaultKind) {
  const keys = await loadDicomKeys(paths);
  return vaultFolder(
    kind,
    kind === 'quarantine' ? paths.dicom.quarantine : paths.dicom.held,
    keys.vaultKey,
  );
}

/**
 * Every quarantined or held entry, oldest first.
 * @throws TesseraError NOT_FOUND when `dir` holds no node.
 */
export async function listDicomEntries(dir: string, kind: VaultKind): Promise<VaultEntry[]> {
  const paths = nodePaths(dir);
  await loadNodeConfig(paths);
  return (await folder(paths, kind)).list();
}

/**
 * Deletes a quarantined or held entry for good (audited).
 * @throws TesseraError NOT_FOUND for an unknown id or node.
 */
export async function deleteDicomEntry(
  dir: string,
  kind: VaultKind,
  id: string,
): Promise<VaultEntry> {
  const paths = nodePaths(dir);
  await loadNodeConfig(paths);
  const f = await folder(paths, kind);
  const entry = await f.get(id);
  await f.remove(id);
  await appendAudit(paths, {
    action: NODE_AUDIT_ACTIONS.dicomDeleted,
    actor: 'operator',
    target: `dicom:${kind}:${id}`,
    details: { id, kind, bytes: entry.bytes, reason: entry.reason },
  });
  return entry;
}

/**
 * Retries a quarantined input with the current policy, or releases a held image into the store,
 * then brings the imaging dataset up to date.
 * @throws TesseraError NOT_FOUND for an unknown id or node.
 */
export async function resolveDicomEntry(
  dir: string,
  kind: VaultKind,
  id: string,
  logger: Logger = pino({ level: 'silent' }),
): Promise<IngestOutcome> {
  const paths = nodePaths(dir);
  await loadNodeConfig(paths);
  const store = await createDicomStore({ paths, logger, actor: 'operator' });
  try {
    const out = kind === 'quarantine' ? await store.retry(id) : await store.release(id);
    await store.flush(true);
    return out;
  } finally {
    await store.close();
  }
}

/** The policy switches of `node dicom policy`, by their CLI names. */
export interface DicomPolicyChange {
  readonly retainDates?: boolean;
  readonly retainPatientCharacteristics?: boolean;
  readonly cleanDescriptors?: boolean;
  readonly allowBurnedIn?: boolean;
}

/**
 * Changes the de-identification policy in node.json (audited, before and after). A running node
 * applies it to the next instance. Instances already stored keep the policy they were stored
 * under: de-identification is not undone or redone.
 * @throws TesseraError NOT_FOUND when `dir` holds no node.
 */
export async function setDicomPolicy(dir: string, change: DicomPolicyChange): Promise<DeidOptions> {
  const paths = nodePaths(dir);
  await loadNodeConfig(paths);
  let before: DeidOptions | undefined;
  const after = await withLock(paths.lock, async () => {
    const config = nodeConfigSchema.parse(await readJsonFile(paths.config));
    const dicom = dicomConfigOf(config);
    before = dicom.deid;
    const deid: DeidOptions = {
      ...dicom.deid,
      ...(change.retainDates === undefined
        ? {}
        : { retainLongitudinalTemporal: change.retainDates }),
      ...(change.retainPatientCharacteristics === undefined
        ? {}
        : { retainPatientCharacteristics: change.retainPatientCharacteristics }),
      ...(change.cleanDescriptors === undefined
        ? {}
        : { cleanDescriptors: change.cleanDescriptors }),
      ...(change.allowBurnedIn === undefined ? {} : { allowBurnedIn: change.allowBurnedIn }),
    };
    await writeJsonAtomic(paths.config, { ...config, dicom: { ...dicom, deid } }, 0o600);
    return deid;
  });
  await appendAudit(paths, {
    action: NODE_AUDIT_ACTIONS.dicomPolicyChanged,
    actor: 'operator',
    target: 'dicom:policy',
    details: { before: before ?? null, after },
  });
  return after;
}

/** The imaging store at a glance, for `node status` and the console: counts only. */
export interface DicomStatus {
  readonly receiver: {
    readonly port: number;
    readonly host: string;
    readonly aeTitle: string;
    readonly allow: readonly string[];
    readonly tls: boolean;
    readonly requireClientCert: boolean;
  } | null;
  readonly dataset: string;
  readonly deid: DeidOptions;
  readonly patients: number;
  readonly studies: number;
  readonly series: number;
  readonly instances: number;
  readonly bytes: number;
  readonly quarantined: number;
  readonly held: number;
}

/** Counts of the imaging store (no UID, no value). */
export async function dicomStatus(paths: NodePaths, config: DicomConfig): Promise<DicomStatus> {
  const index = await loadDicomIndex(paths);
  const patients = new Set<string>();
  const studies = new Set<string>();
  let bytes = 0;
  for (const r of index.instances.values()) {
    patients.add(r.patient);
    studies.add(r.study);
    bytes += r.bytes;
  }
  const count = async (d: string): Promise<number> =>
    (await readdir(d).catch(() => [] as string[])).filter((n) => /^[0-9a-f]{32}\.json$/.test(n))
      .length;
  return {
    receiver:
      config.port === undefined
        ? null
        : {
            port: config.port,
            host: config.host,
            aeTitle: config.aeTitle,
            allow: config.allow,
            tls: config.tls !== undefined,
            requireClientCert: config.tls?.requireClientCert ?? false,
          },
    dataset: config.dataset,
    deid: config.deid,
    patients: patients.size,
    studies: studies.size,
    series: index.series.size,
    instances: index.instances.size,
    bytes,
    quarantined: await count(paths.dicom.quarantine),
    held: await count(paths.dicom.held),
  };
}

/** Makes the node's DICOM key now (at `node init`), so its age is the node's. */
export function initDicomKey(paths: NodePaths): void {
  ensureDicomKey(paths);
}
