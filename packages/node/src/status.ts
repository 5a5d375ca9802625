import { readdir } from 'node:fs/promises';
import type { VariableInfo } from '@tessera/algorithms';
import { partyFingerprint, type ChainVerdict } from '@tessera/protocol';
import { readDatasetSchema } from './data/dataset-format.js';
import { dicomStatus, type DicomStatus } from './dicom/ingest/operator.js';
import { verifyAuditFile } from './store/audit-log.js';
import { nodePaths } from './store/layout.js';
import { dicomConfigOf, loadHubKeys, loadNodeConfig, loadPartyKeys } from './store/node-config.js';
import { createPrivacyLedger, type PrivacyBalance } from './privacy/privacy-ledger.js';
import { loadPolicy, type Approval, type NodePolicy } from './store/policy-store.js';
import { TASK_STATES, listTasks, type TaskState } from './task/task-store.js';

export interface NodeStatus {
  trust: string;
  hub: { url: string; pin: string; enrolled: boolean };
  /** Fingerprint of the node's public keys, for the hub admin to compare out of band. */
  fingerprint: string;
  consolePort: number;
  datasets: { name: string; rows: number; importedAt: string; variables: VariableInfo[] }[];
  approvals: Approval[];
  policy: Omit<NodePolicy, 'approvals'>;
  tasks: Record<TaskState, number>;
  /** Each approved project's differential-privacy budget, spent and left. */
  privacy: PrivacyBalance[];
  /** The imaging store: receiver settings, de-identification policy and counts. */
  dicom: DicomStatus;
}

/**
 * What the node is, what it holds and what it has done, without a secret or a data value: for
 * `tessera node status` and the console.
 * @throws TesseraError NOT_FOUND when `dir` holds no node.
 */
export async function nodeStatus(dir: string): Promise<NodeStatus> {
  const paths = nodePaths(dir);
  const config = await loadNodeConfig(paths);
  const [keys, hubKeys, policy, tasks, privacy, dicom] = await Promise.all([
    loadPartyKeys(paths),
    loadHubKeys(paths),
    loadPolicy(paths),
    listTasks(paths),
    createPrivacyLedger(paths).balances(),
    dicomStatus(paths, dicomConfigOf(config)),
  ]);
  const counts = Object.fromEntries(TASK_STATES.map((s) => [s, 0])) as Record<TaskState, number>;
  for (const t of tasks) counts[t.state]++;
  const { approvals, ...rules } = policy;
  return {
    trust: config.name,
    hub: { url: config.hubUrl, pin: config.pin, enrolled: hubKeys !== null },
    fingerprint: partyFingerprint(keys.public),
    consolePort: config.consolePort,
    datasets: await listDatasets(paths.datasets),
    approvals,
    policy: rules,
    tasks: counts,
    privacy,
    dicom,
  };
}

async function listDatasets(root: string): Promise<NodeStatus['datasets']> {
  let names: string[];
  try {
    names = (await readdir(root)).filter((n) => !n.startsWith('.')).sort();
  } catch {
    return [];
  }
  const out: NodeStatus['datasets'] = [];
  for (const n of names) {
    const s = await readDatasetSchema(`${root}/${n}`).catch(() => null);
    if (s !== null)
      out.push({ name: s.name, rows: s.rows, importedAt: s.importedAt, variables: s.variables });
  }
  return out;
}

/**
 * Verifies the node's hash-chained audit log; the verdict names the first broken entry.
 * @throws TesseraError NOT_FOUND when `dir` holds no node.
 */
export async function verifyNodeAudit(dir: string): Promise<ChainVerdict> {
  const paths = nodePaths(dir);
  await loadNodeConfig(paths);
  return verifyAuditFile(paths.audit);
}
