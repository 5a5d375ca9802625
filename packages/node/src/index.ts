/**
 * @tessera/node — the site agent (DESIGN "Node"): initialisation, dataset import, the operator's
 * policy and approvals, the outbound poll loop with its executor, the console and the audit log.
 * State lives in files under the node's folder, so operator commands work beside `node start`.
 */
export type { VariableInfo } from '@tessera/algorithms';
export type { ChainVerdict } from '@tessera/protocol';
export { importDataset, type ImportOptions } from './data/import-dataset.js';
export { initNode, isNodeDir, type NodeInitOptions } from './init-node.js';
export { approveProject, privacyBalances, setPolicy } from './operator.js';
export type { PrivacyBalance } from './privacy/privacy-ledger.js';
export { startNode, type RunningNode, type StartNodeOptions } from './start-node.js';
export { nodeStatus, verifyNodeAudit, type NodeStatus } from './status.js';
export type { Approval, NodePolicy, PrivacyBudget } from './store/policy-store.js';
export {
  createExecutor,
  type ExecOutcome,
  type Executor,
  type ExecutorOptions,
} from './exec/executor.js';
export {
  importDicom,
  type DicomImportOptions,
  type DicomImportSummary,
  type ImportProblem,
} from './dicom/ingest/import.js';
export {
  deleteDicomEntry,
  listDicomEntries,
  resolveDicomEntry,
  setDicomPolicy,
  type DicomPolicyChange,
  type DicomStatus,
} from './dicom/ingest/operator.js';
export {
  loadDicomIndex,
  seriesInstances,
  type DicomIndex,
  type InstanceRecord,
  type SeriesInstance,
} from './dicom/ingest/dicom-index.js';
export type { IngestOutcome } from './dicom/ingest/store.js';
export type { VaultEntry, VaultKind } from './dicom/ingest/vault-folder.js';
export type { DicomInitOptions } from './init-node.js';
export type { DeidOptions } from './dicom/deid/index.js';
export {
  generateImagingStudies,
  writeImagingFolder,
  type ImagingStudies,
  type ImagingStudiesOptions,
  type SynthPatient,
  type SynthSeries,
} from './dicom/synth/index.js';
export { echo as dicomEcho, sendInstances as dicomSend } from './dicom/net/index.js';
export type {
  SendResult as DicomSendResult,
  ScuOptions as DicomScuOptions,
} from './dicom/net/index.js';
export { parseCsv, type CsvRecord } from './data/csv.js';
