import { tagOf } from '../core/dictionary.js';
import type { DicomDataset, DicomElement, Tag } from '../core/types.js';
import { setNumbers, setString } from '../core/values.js';
import type { PatientIdentity, SiteIdentity, StudyIdentity } from './identities.js';
import type { BodyPart } from './phantom.js';

/*
 * One synthetic CT or MR instance as a dataset (PS3.3 A.3 CT Image IOD, A.4 MR Image IOD): the
 * patient, study, series, equipment, frame of reference, image plane and pixel modules with the
 * planted identifying values in their usual places, in nested sequences and in a private block.
 */

/** SOP classes (PS3.4 B.5). */
export const SOP_CLASS = {
  CT: '1.2.840.10008.5.1.4.1.1.2',
  MR: '1.2.840.10008.5.1.4.1.1.4',
} as const;

/** The private creator of the planted private block (group 0009). */
export const PRIVATE_CREATOR = 'TESSERA SYNTH 1';

/** A study as the instances see it. */
export interface StudySpec extends StudyIdentity {
  readonly uid: string;
  /** A referenced (requesting) study's instance UID, inside Request Attributes Sequence. */
  readonly referencedUid: string;
  /** DA and TM. */
  readonly date: string;
  readonly time: string;
  readonly bodyPart: BodyPart;
}

/** A series as the instances see it. */
export interface SeriesSpec {
  readonly uid: string;
  readonly number: number;
  readonly modality: 'CT' | 'MR';
  readonly description: string;
  readonly weighting: 'T1' | 'T2' | null;
  readonly frameOfReferenceUid: string;
  readonly time: string;
  readonly burnedIn: boolean;
  readonly size: number;
  readonly slices: number;
}

/** One slice: its SOP Instance UID, index in the series and stored pixel values. */
export interface SliceSpec {
  readonly sopUid: string;
  readonly index: number;
  readonly pixels: Int16Array | Uint16Array;
}

function tag(keyword: string): Tag {
  const t = tagOf(keyword);
  if (t === undefined) throw new Error(`no DICOM keyword ${keyword}`);
  return t;
}

const text = (ds: DicomDataset, keyword: string, value: string): void => {
  setString(ds, tag(keyword), value);
};
const nums = (ds: DicomDataset, keyword: string, values: readonly number[]): void => {
  setNumbers(ds, tag(keyword), values);
};
const seq = (ds: DicomDataset, keyword: string, items: DicomDataset[]): void => {
  const t = tag(keyword);
  ds.set(t, { tag: t, vr: 'SQ', items });
};

/** Age at the study as DICOM AS ('054Y'), from two DA dates. */
export function ageString(birth: string, on: string): string {
  const y = Number(on.slice(0, 4)) - Number(birth.slice(0, 4));
  const before = on.slice(4) < birth.slice(4) ? 1 : 0;
  return `${String(Math.max(0, y - before)).padStart(3, '0')}Y`;
}

function patientModule(ds: DicomDataset, p: PatientIdentity, study: StudySpec): void {
  text(ds, 'PatientName', p.name);
  text(ds, 'PatientID', p.id);
  text(ds, 'IssuerOfPatientID', 'SYNTH HOSPITAL MRN');
  text(ds, 'PatientBirthDate', p.birthDate);
  text(ds, 'PatientSex', p.sex);
  text(ds, 'PatientAge', ageString(p.birthDate, study.date));
  text(ds, 'PatientAddress', p.address);
  text(ds, 'PatientTelephoneNumbers', p.telephone);
  text(ds, 'AdditionalPatientHistory', p.history);
  seq(
    ds,
    'OtherPatientIDsSequence',
    p.otherIds.map((id) => {
      const item: DicomDataset = new Map();
      text(item, 'PatientID', id);
      text(item, 'IssuerOfPatientID', 'SYNTH REGISTRY');
      text(item, 'TypeOfPatientID', 'TEXT');
      return item;
    }),
  );
}

/** Request Attributes Sequence > item > Referenced Study Sequence > item, with a private block. */
function requestAttributes(ds: DicomDataset, study: StudySpec): void {
  const ref: DicomDataset = new Map();
  text(ref, 'ReferencedSOPClassUID', '1.2.840.10008.3.1.2.3.1');
  text(ref, 'ReferencedSOPInstanceUID', study.referencedUid);
  const item: DicomDataset = new Map();
  text(item, 'RequestedProcedureID', study.requestedProcedureId);
  text(item, 'ScheduledProcedureStepID', study.scheduledStepId);
  text(item, 'AccessionNumber', study.accession);
  text(item, 'RequestedProcedureDescription', `${study.bodyPart} imaging`);
  seq(item, 'ReferencedStudySequence', [ref]);
  privateBlock(item, study.privateNote);
  seq(ds, 'RequestAttributesSequence', [item]);
}

/** (0009,0010) creator, (0009,1001) a private text (PS3.5 7.8.1). */
function privateBlock(ds: DicomDataset, note: string): void {
  setString(ds, 0x00090010, PRIVATE_CREATOR, 'LO');
  setString(ds, 0x00091001, note, 'LO');
}

function generalModules(
  ds: DicomDataset,
  site: SiteIdentity,
  study: StudySpec,
  series: SeriesSpec,
): void {
  text(ds, 'SpecificCharacterSet', 'ISO_IR 192');
  text(ds, 'SOPClassUID', SOP_CLASS[series.modality]);
  text(ds, 'StudyInstanceUID', study.uid);
  text(ds, 'SeriesInstanceUID', series.uid);
  text(ds, 'FrameOfReferenceUID', series.frameOfReferenceUid);
  text(ds, 'PositionReferenceIndicator', '');
  for (const k of ['StudyDate', 'SeriesDate', 'AcquisitionDate', 'ContentDate'])
    text(ds, k, study.date);
  text(ds, 'StudyTime', study.time);
  for (const k of ['SeriesTime', 'AcquisitionTime', 'ContentTime']) text(ds, k, series.time);
  text(ds, 'AccessionNumber', study.accession);
  text(ds, 'StudyID', study.studyId);
  text(ds, 'StudyDescription', `${series.modality} ${study.bodyPart}`);
  text(ds, 'SeriesDescription', series.description);
  text(ds, 'Modality', series.modality);
  text(ds, 'BodyPartExamined', study.bodyPart);
  text(ds, 'PatientPosition', 'HFS');
  nums(ds, 'SeriesNumber', [series.number]);
  text(ds, 'ReferringPhysicianName', study.referringPhysician);
  text(ds, 'PerformingPhysicianName', study.performingPhysician);
  text(ds, 'OperatorsName', study.operator);
  text(ds, 'InstitutionName', site.institution);
  text(ds, 'InstitutionAddress', site.institutionAddress);
  text(ds, 'StationName', site.station);
  text(ds, 'Manufacturer', 'Tessera Synthetic');
  text(ds, 'ManufacturerModelName', series.modality === 'CT' ? 'Phantom CT 64' : 'Phantom MR 1.5T');
  text(ds, 'DeviceSerialNumber', site.deviceSerial);
  text(ds, 'SoftwareVersions', 'synth-1');
}

function acquisition(ds: DicomDataset, series: SeriesSpec): void {
  if (series.modality === 'CT') {
    nums(ds, 'KVP', [120]);
    text(ds, 'ConvolutionKernel', 'STANDARD');
    return;
  }
  const t1 = series.weighting === 'T1';
  text(ds, 'ScanningSequence', 'SE');
  text(ds, 'SequenceVariant', 'NONE');
  text(ds, 'ScanOptions', '');
  text(ds, 'MRAcquisitionType', '2D');
  nums(ds, 'RepetitionTime', [t1 ? 500 : 4000]);
  nums(ds, 'EchoTime', [t1 ? 12 : 100]);
  nums(ds, 'EchoTrainLength', [t1 ? 1 : 12]);
  nums(ds, 'MagneticFieldStrength', [1.5]);
  nums(ds, 'ImagingFrequency', [63.87]);
  nums(ds, 'FlipAngle', [90]);
}

/**
 * Image plane module (PS3.3 C.7.6.2): axial slices, the field of view centred on the isocentre,
 * slice positions spaced by the slice thickness.
 */
function imagePlane(ds: DicomDataset, study: StudySpec, series: SeriesSpec, index: number): void {
  const fov = study.bodyPart === 'HEAD' ? 240 : 380;
  const spacing = fov / series.size;
  const thickness = series.modality === 'CT' ? 5 : 4;
  const z = (index - (series.slices - 1) / 2) * thickness;
  const corner = -fov / 2 + spacing / 2;
  nums(ds, 'PixelSpacing', [spacing, spacing]);
  nums(ds, 'SliceThickness', [thickness]);
  nums(ds, 'ImagePositionPatient', [corner, corner, z]);
  nums(ds, 'ImageOrientationPatient', [1, 0, 0, 0, 1, 0]);
  nums(ds, 'SliceLocation', [z]);
}

function pixelModule(ds: DicomDataset, series: SeriesSpec, pixels: Int16Array | Uint16Array): void {
  const ct = series.modality === 'CT';
  nums(ds, 'SamplesPerPixel', [1]);
  text(ds, 'PhotometricInterpretation', 'MONOCHROME2');
  nums(ds, 'Rows', [series.size]);
  nums(ds, 'Columns', [series.size]);
  nums(ds, 'BitsAllocated', [16]);
  nums(ds, 'BitsStored', [16]);
  nums(ds, 'HighBit', [15]);
  nums(ds, 'PixelRepresentation', [ct ? 1 : 0]);
  text(ds, 'BurnedInAnnotation', series.burnedIn ? 'YES' : 'NO');
  if (ct) {
    nums(ds, 'RescaleIntercept', [-1024]);
    nums(ds, 'RescaleSlope', [1]);
    text(ds, 'RescaleType', 'HU');
  }
  nums(ds, 'WindowCenter', [ct ? 40 : 700]);
  nums(ds, 'WindowWidth', [ct ? 400 : 1400]);
  const bytes = new Uint8Array(pixels.length * 2);
  const view = new DataView(bytes.buffer);
  pixels.forEach((v, i) => {
    if (ct) view.setInt16(i * 2, v, true);
    else view.setUint16(i * 2, v, true);
  });
  const el: DicomElement = { tag: 0x7fe00010, vr: 'OW', value: bytes };
  ds.set(el.tag, el);
}

/** The dataset of one synthetic instance. */
export function instanceDataset(o: {
  readonly site: SiteIdentity;
  readonly patient: PatientIdentity;
  readonly study: StudySpec;
  readonly series: SeriesSpec;
  readonly slice: SliceSpec;
}): DicomDataset {
  const ds: DicomDataset = new Map();
  generalModules(ds, o.site, o.study, o.series);
  text(ds, 'SOPInstanceUID', o.slice.sopUid);
  text(ds, 'ImageType', 'ORIGINAL\\PRIMARY\\AXIAL');
  text(ds, 'InstanceCreationDate', o.study.date);
  text(ds, 'InstanceCreationTime', o.series.time);
  nums(ds, 'InstanceNumber', [o.slice.index + 1]);
  text(ds, 'ImageComments', o.study.comments);
  patientModule(ds, o.patient, o.study);
  requestAttributes(ds, o.study);
  privateBlock(ds, o.study.privateNote);
  acquisition(ds, o.series);
  imagePlane(ds, o.study, o.series, o.slice.index);
  pixelModule(ds, o.series, o.slice.pixels);
  return ds;
}
