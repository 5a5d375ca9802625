/*
 * The DICOM data model shared by the parser, the writer, the de-identifier, the network receiver
 * and the store (issue 7). A dataset is a map from tag to element; values are kept as the raw
 * little-endian bytes they were read as (big-endian input is converted when parsed), so what is
 * not changed is written back byte for byte.
 */

/** A tag as one number: (group << 16) | element, e.g. 0x00100010 for PatientName. */
export type Tag = number;

/** The value representations of PS3.5 §6.2. */
export const VRS = [
  'AE',
  'AS',
  'AT',
  'CS',
  'DA',
  'DS',
  'DT',
  'FD',
  'FL',
  'IS',
  'LO',
  'LT',
  'OB',
  'OD',
  'OF',
  'OL',
  'OV',
  'OW',
  'PN',
  'SH',
  'SL',
  'SQ',
  'SS',
  'ST',
  'SV',
  'TM',
  'UC',
  'UI',
  'UL',
  'UN',
  'UR',
  'US',
  'UT',
  'UV',
] as const;
export type Vr = (typeof VRS)[number];

/** One data element. Exactly one of `value`, `items` or `fragments` is set. */
export interface DicomElement {
  readonly tag: Tag;
  readonly vr: Vr;
  /** The value bytes, little endian, without padding removed (every VR but SQ and encapsulated pixel data). */
  readonly value?: Uint8Array;
  /** The items of a sequence (VR SQ). */
  readonly items?: readonly DicomDataset[];
  /**
   * Encapsulated pixel data (undefined-length (7FE0,0010) in a compressed transfer syntax): the
   * Basic Offset Table first, then the fragments, each as read.
   */
  readonly fragments?: readonly Uint8Array[];
}

/** A dataset (or sequence item): elements by tag. Writers emit them in ascending tag order. */
export type DicomDataset = Map<Tag, DicomElement>;

/** A parsed Part 10 file: the File Meta Information group (0002) and the dataset that follows. */
export interface DicomFile {
  readonly meta: DicomDataset;
  readonly dataset: DicomDataset;
  /** The Transfer Syntax UID the dataset was encoded with (from (0002,0010)). */
  readonly transferSyntax: string;
}

/** Transfer syntaxes by UID. */
export const TRANSFER_SYNTAX = {
  implicitLittle: '1.2.840.10008.1.2',
  explicitLittle: '1.2.840.10008.1.2.1',
  deflatedExplicitLittle: '1.2.840.10008.1.2.1.99',
  explicitBig: '1.2.840.10008.1.2.2',
} as const;

/**
 * Why input is not acceptable DICOM, and where: `offset` is the byte offset in the input at
 * which the problem was found, `path` the tags (hex, e.g. "(0008,1115)[0](0008,1150)") leading
 * to it when known. Thrown by the parser; the store quarantines the file with `message`.
 */
export class DicomParseError extends Error {
  constructor(
    message: string,
    readonly offset: number,
    readonly path: string = '',
  ) {
    super(
      path === ''
        ? `${message} at byte ${String(offset)}`
        : `${message} at byte ${String(offset)} in ${path}`,
    );
    this.name = 'DicomParseError';
  }
}
