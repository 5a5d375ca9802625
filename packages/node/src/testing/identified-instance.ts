/*
 * A CT instance full of (invented) identifying values in every place the Basic Profile reaches:
 * the top level, sequences three deep, private blocks, dates, UIDs, overlays, curves, digital
 * signatures, the original attributes and the icon. The input of the de-identifier's tests and
 * of the store's: after de-identification `findValues(ds, PLANTED)` must find nothing.
 */
import type { DicomDataset, DicomElement, DicomFile, Tag, Vr } from '../dicom/core/types.js';
import { TRANSFER_SYNTAX } from '../dicom/core/types.js';
import { setNumbers, setString } from '../dicom/core/values.js';
import { buildFileMeta } from '../dicom/core/write.js';

/** The identifying strings planted below; none may survive de-identification. */
export const PLANTED = [
  'Zebedee',
  'Quixote',
  'MRN-99417',
  'SEQ-77001',
  'ALT-55123',
  '19610423',
  'Larkspur',
  '900123',
  'Brandywine',
  'Quirinus',
  'Heliotrope',
  'Oddfellow',
  'Pimpernel',
  'ACC883311',
  'STUDY5521',
  'QUIXSTATION',
  'SN-4488',
  'SIGPLANT',
  'ORIGPLANT',
  'ICONPLANT',
  'OVERLAYPLANT',
  'CURVEPLANT',
  'PRIVPLANT',
  'NESTEDPRIV',
  '20230314',
  '20230315',
  '1.2.826.0.1.3680043.8.498',
] as const;

/** The UID root of the planted instances (never a real organisation's). */
export const PLANTED_UID_ROOT = '1.2.826.0.1.3680043.8.498';

function text(ds: DicomDataset, entries: readonly (readonly [Tag, string, Vr?])[]): DicomDataset {
  for (const [tag, value, vr] of entries) setString(ds, tag, value, vr);
  return ds;
}

function seq(tag: Tag, ...items: DicomDataset[]): DicomElement {
  return { tag, vr: 'SQ', items };
}

function put(ds: DicomDataset, ...els: DicomElement[]): DicomDataset {
  for (const el of els) ds.set(el.tag, el);
  return ds;
}

function ascii(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s.length % 2 === 0 ? s : `${s} `, 'latin1'));
}

/** An item three sequences down, holding a patient's and other people's identifiers. */
function deepItem(uid: (n: string) => string): DicomDataset {
  const deepest = text(new Map(), [
    [0x00100010, 'Zebedee^Quixote'],
    [0x00100020, 'SEQ-77001'],
    [0x00100030, '19610423'],
    [0x00080090, 'Heliotrope^Wolfgang^^Dr'],
    [0x00080080, 'St Quirinus Infirmary'],
    [0x00321032, 'Pimpernel^Scarlet'],
    [0x00142006, 'Oddfellow^Tamsin'], // Evaluator Name: a PN outside Table E.1-1
    [0x00081150, '1.2.840.10008.5.1.4.1.1.2'],
    [0x00081155, uid('1001')],
    [0x00080104, 'Code meaning'],
    [0x00290010, 'NESTED CREATOR'],
    [0x00291001, 'NESTEDPRIV Quixote', 'LO'],
  ]);
  const middle = put(text(new Map(), [[0x00080100, 'CODE1']]), seq(0x0040a168, deepest));
  return put(text(new Map(), [[0x00080104, 'Protocol']]), seq(0x00400440, middle));
}

/** Options of {@link makeIdentifiedInstance}. */
export interface InstanceOptions {
  /** Last UID component of the SOP Instance UID (default '1'). */
  readonly instance?: string;
  readonly patientId?: string;
  readonly studyDate?: string;
  /** Elements that replace or add to the instance. */
  readonly overrides?: readonly DicomElement[];
  /** Tags to leave out. */
  readonly without?: readonly Tag[];
}

/** The instance as a parsed Part 10 file would hold it (explicit VR little endian). */
export function makeIdentifiedInstance(options: InstanceOptions = {}): DicomFile {
  const uid = (n: string): string => `${PLANTED_UID_ROOT}.${n}`;
  const studyDate = options.studyDate ?? '20230314';
  const ds: DicomDataset = new Map();
  text(ds, [
    [0x00080005, 'ISO_IR 100'],
    [0x00080008, 'ORIGINAL\\PRIMARY\\AXIAL'],
    [0x00080016, '1.2.840.10008.5.1.4.1.1.2'],
    [0x00080018, uid(options.instance ?? '1')],
    [0x00080020, studyDate],
    [0x00080021, studyDate],
    [0x00080022, studyDate],
    [0x00080023, '20230315'],
    [0x0008002a, `${studyDate}101500.250000+0100`],
    [0x00080030, '101500'],
    [0x00080050, 'ACC883311'],
    [0x00080060, 'CT'],
    [0x00080070, 'ACME Medical'],
    [0x00080080, 'St Quirinus Infirmary'],
    [0x00080081, '12 Larkspur Lane, Glenfinnan'],
    [0x00080090, 'Heliotrope^Wolfgang^^Dr'],
    [0x00081010, 'QUIXSTATION'],
    [0x00081030, 'CT HEAD for Zebedee'],
    [0x0008103e, 'AX T1 POST'],
    [0x00081070, 'Oddfellow^Tamsin'],
    [0x00100010, 'Zebedee^Quixote'],
    [0x00100020, options.patientId ?? 'MRN-99417'],
    [0x00100030, '19610423'],
    [0x00100040, 'F'],
    [0x00101000, 'ALT-55123'],
    [0x00101010, '061Y'],
    [0x00101020, '1.68'],
    [0x00101030, '64.5'],
    [0x00101040, '12 Larkspur Lane, Glenfinnan'],
    [0x00101060, 'Brandywine^Ophelia'],
    [0x00102154, '+44 7700 900123'],
    [0x00180015, 'HEAD'],
    [0x00181000, 'SN-4488-QX'],
    [0x00181030, 'Protocol for Quixote'],
    [0x00200010, 'STUDY5521'],
    [0x0020000d, uid('2001')],
    [0x0020000e, uid('3001')],
    [0x00200052, uid('4001')],
    [0x00200013, '12'],
    [0x00280004, 'MONOCHROME2'],
    [0x00280301, 'NO'],
    [0x00090010, 'ACME 1.0'],
    [0x00091001, 'PRIVPLANT kept when allowed', 'LO'],
    [0x00091002, 'PRIVPLANT Quixote', 'LO'],
    [0x00110010, 'OTHER VENDOR'],
    [0x50002500, 'CURVEPLANT', 'LO'],
    [0x60004000, 'OVERLAYPLANT comment', 'LT'],
  ]);
  setNumbers(ds, 0x00280010, [2]);
  setNumbers(ds, 0x00280011, [2]);
  setNumbers(ds, 0x00280100, [16]);
  setNumbers(ds, 0x60000010, [2]);
  put(
    ds,
    { tag: 0x00080000, vr: 'UL', value: new Uint8Array(4) },
    { tag: 0x00111005, vr: 'UN', value: ascii('PRIVPLANT in UN') },
    { tag: 0x60003000, vr: 'OW', value: ascii('OVERLAYPLANT') },
    seq(0x00101002, text(new Map(), [[0x00100020, 'ALT-55123']])),
    seq(0x00400260, deepItem(uid)),
    seq(
      0x00081115, // Referenced Series Sequence: not in the table, kept and walked
      put(
        text(new Map(), [[0x0020000e, uid('3001')]]),
        seq(
          0x00081140,
          text(new Map(), [
            [0x00081150, '1.2.840.10008.5.1.4.1.1.2'],
            [0x00081155, uid('1000')],
          ]),
        ),
      ),
    ),
    seq(
      0xfffafffa,
      put(text(new Map(), [[0x04000110, 'X509_1993_SIG']]), {
        tag: 0x04000120,
        vr: 'OB',
        value: ascii('SIGPLANT'),
      }),
    ),
    seq(
      0x04000561,
      put(new Map(), seq(0x04000550, text(new Map(), [[0x00100010, 'ORIGPLANT^Zebedee']]))),
    ),
    seq(
      0x00880200,
      text(new Map(), [
        [0x00204000, 'ICONPLANT'],
        [0x00280004, 'MONOCHROME2'],
      ]),
    ),
    { tag: 0x7fe00010, vr: 'OW', value: new Uint8Array(8) },
    { tag: 0xfffcfffc, vr: 'OB', value: ascii('PRIVPLANT padding') },
  );
  for (const el of options.overrides ?? []) ds.set(el.tag, el);
  for (const tag of options.without ?? []) ds.delete(tag);
  const meta = buildFileMeta({
    sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
    sopInstanceUid: uid(options.instance ?? '1'),
    transferSyntax: TRANSFER_SYNTAX.explicitLittle,
    sourceAeTitle: 'QUIXSTATION',
  });
  return { meta, dataset: ds, transferSyntax: TRANSFER_SYNTAX.explicitLittle };
}
