/*
 * The DICOM network layer of the node (issue 7): the receiver (Verification and Storage SCP,
 * optionally over DICOM TLS) and the sender (C-ECHO, C-STORE of Part 10 files).
 */
export { startDicomServer } from './server.js';
export type { DicomServer, DicomServerOptions, DicomServerTls } from './server.js';
export { echo, sendInstances } from './scu.js';
export type { SendOptions, SendResult, ScuOptions, ScuTls } from './scu.js';
export {
  ENCAPSULATED_TRANSFER_SYNTAXES,
  NATIVE_TRANSFER_SYNTAXES,
  STORAGE_SOP_CLASS_ROOT,
  VERIFICATION_SOP_CLASS,
  isStorageSopClass,
} from './uids.js';
