/*
 * The seams between the DICOM parts of the node (issue 7): the receiver (net/) hands each
 * received instance to the store (ingest/) as a file on disk and answers the sender with the
 * status the store decides. The same store takes files from `node dicom import` and STOW-RS.
 */

/** Where an instance came from, for the audit log (never an identifying value). */
export type DicomSource =
  | { readonly kind: 'c-store'; readonly callingAe: string; readonly address: string }
  | { readonly kind: 'import'; readonly entry: string }
  | { readonly kind: 'stow-rs'; readonly address: string };

/** One instance received by C-STORE, already streamed to a temporary file. */
export interface ReceivedInstance {
  /**
   * A temporary file holding exactly the dataset bytes as received (no preamble, no file meta
   * group), in `transferSyntax`. The store owns it from now on: it moves or deletes it.
   */
  readonly file: string;
  readonly bytes: number;
  /** Affected SOP Class and Instance UIDs from the C-STORE request's command set. */
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  /** The transfer syntax of the accepted presentation context. */
  readonly transferSyntax: string;
  readonly source: DicomSource & { readonly kind: 'c-store' };
}

/**
 * The store's answer to one instance, as a DIMSE status (PS3.7 Annex C / PS3.4 B.2.3):
 * 0x0000 success; 0xB000-range warnings; 0xA700 out of resources; 0xA900 data set does not match
 * SOP class; 0xC000 cannot understand (unparseable, quarantined); 0x0111 duplicate is NOT used —
 * a second copy of a stored instance is a success that stores nothing new.
 */
export interface StoreOutcome {
  readonly status: number;
  /** Short reason for the sender (Error Comment, at most 64 characters, no identifying value). */
  readonly comment?: string;
  /** 'stored', 'duplicate', 'quarantined' or 'held' (burned-in annotation awaiting the operator). */
  readonly result: 'stored' | 'duplicate' | 'quarantined' | 'held';
}

/** What the receiver calls for each instance. Must not throw; failures are outcomes. */
export type StoreInstance = (received: ReceivedInstance) => Promise<StoreOutcome>;

/** DIMSE status codes used by the node. */
export const DIMSE_STATUS = {
  success: 0x0000,
  outOfResources: 0xa700,
  dataSetDoesNotMatchSopClass: 0xa900,
  cannotUnderstand: 0xc000,
  sopClassNotSupported: 0x0122,
  refusedNotAuthorized: 0x0124,
} as const;
