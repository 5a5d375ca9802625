/*
 * The PDUs of the DICOM Upper Layer (PS3.8 9.3) as plain values, and the codes they carry.
 * Encoders are in pdu-encode.ts, decoders in pdu-decode.ts; both pure. Decoding failures throw
 * PduError carrying the A-ABORT reason that the association answers with (PS3.8 Table 9-26).
 */

/** PDU types (PS3.8 Table 9-1 and following). */
export const PDU_TYPE = {
  associateRq: 0x01,
  associateAc: 0x02,
  associateRj: 0x03,
  pData: 0x04,
  releaseRq: 0x05,
  releaseRp: 0x06,
  abort: 0x07,
} as const;

/** A-ABORT reasons when the source is the service provider (PS3.8 Table 9-26). */
export const ABORT_REASON = {
  notSpecified: 0,
  unrecognizedPdu: 1,
  unexpectedPdu: 2,
  unrecognizedPduParameter: 4,
  unexpectedPduParameter: 5,
  invalidPduParameterValue: 6,
} as const;

/** A-ASSOCIATE-RJ result, source and reason values (PS3.8 Table 9-21). */
export const REJECT = {
  permanent: 1,
  transient: 2,
  sourceUser: 1,
  sourceAcse: 2,
  sourcePresentation: 3,
  // source 1 (service user)
  noReason: 1,
  applicationContextNotSupported: 2,
  callingAeNotRecognized: 3,
  calledAeNotRecognized: 7,
  // source 2 (ACSE)
  protocolVersionNotSupported: 2,
  // source 3 (presentation)
  temporaryCongestion: 1,
  localLimitExceeded: 2,
} as const;

/** Presentation context results in an A-ASSOCIATE-AC (PS3.8 Table 9-18). */
export const PC_RESULT = {
  acceptance: 0,
  userRejection: 1,
  noReason: 2,
  abstractSyntaxNotSupported: 3,
  transferSyntaxesNotSupported: 4,
} as const;

/** Thrown for a malformed PDU; `reason` is the A-ABORT reason to answer with. */
export class PduError extends Error {
  constructor(
    message: string,
    readonly reason: number = ABORT_REASON.invalidPduParameterValue,
  ) {
    super(message);
    this.name = 'PduError';
  }
}

export interface ProposedContext {
  readonly id: number;
  /** Empty when the item had no abstract syntax sub-item. */
  readonly abstractSyntax: string;
  readonly transferSyntaxes: readonly string[];
}

export interface ContextResult {
  readonly id: number;
  readonly result: number;
  /** Not significant unless accepted (PS3.8 9.3.3.2), but always present on the wire. */
  readonly transferSyntax: string;
}

/** User Information (PS3.7 D.3.3): only the sub-items Tessera reads or writes. */
export interface UserInformation {
  /** Maximum length of a P-DATA-TF variable field the sender can receive; 0 = no limit. */
  readonly maxPduLength: number;
  readonly implementationClassUid: string;
  readonly implementationVersionName?: string;
}

export interface AssociateFields {
  readonly calledAe: string;
  readonly callingAe: string;
  readonly applicationContext: string;
  readonly user: UserInformation;
}

export interface AssociateRq extends AssociateFields {
  readonly type: 'associate-rq';
  readonly protocolVersion: number;
  readonly contexts: readonly ProposedContext[];
}

export interface AssociateAc extends AssociateFields {
  readonly type: 'associate-ac';
  readonly contexts: readonly ContextResult[];
}

export interface AssociateRj {
  readonly type: 'associate-rj';
  readonly result: number;
  readonly source: number;
  readonly reason: number;
}

/** A presentation data value: one fragment of a command set or data set. */
export interface Pdv {
  readonly contextId: number;
  readonly command: boolean;
  readonly last: boolean;
  /** A view into the received bytes; copy it to keep it. */
  readonly value: Buffer;
}

export interface PData {
  readonly type: 'p-data';
  readonly pdvs: readonly Pdv[];
}

export interface ReleaseRq {
  readonly type: 'release-rq';
}
export interface ReleaseRp {
  readonly type: 'release-rp';
}
export interface Abort {
  readonly type: 'abort';
  readonly source: number;
  readonly reason: number;
}

export type Pdu = AssociateRq | AssociateAc | AssociateRj | PData | ReleaseRq | ReleaseRp | Abort;

/** Item and sub-item types of A-ASSOCIATE PDUs (PS3.8 9.3.2–9.3.3, Annex D). */
export const ITEM = {
  applicationContext: 0x10,
  contextRq: 0x20,
  contextAc: 0x21,
  abstractSyntax: 0x30,
  transferSyntax: 0x40,
  userInformation: 0x50,
  maxLength: 0x51,
  implementationClassUid: 0x52,
  implementationVersionName: 0x55,
} as const;
