import { createRng, type Rng } from '@tessera/algorithms';
import { TRANSFER_SYNTAX } from '../core/types.js';
import { writeDicomFile } from '../core/write.js';
import {
  TokenSource,
  patientIdentity,
  plantedValues,
  siteIdentity,
  studyIdentity,
  synthUid,
  type PatientIdentity,
  type SiteIdentity,
} from './identities.js';
import { instanceDataset, type SeriesSpec, type StudySpec } from './instance.js';
import {
  BODY_PARTS,
  ctSlice,
  mrSlice,
  phantomShape,
  tissueMap,
  type PhantomShape,
} from './phantom.js';

/*
 * The synthetic imaging generator (issue 7 point 5): small CT and MR series as Part 10 files with
 * realistic headers and planted identifying values, pure and seeded (no I/O, no clock), so tests
 * can look for every planted value after de-identification and the demo can send the files.
 */

/** A patient to image: `id` is the Patient ID (e.g. the tabular dataset's patient_id). */
export interface SynthPatient {
  readonly id: string;
  /** DICOM PN, e.g. 'Doe^Jane'; made up (with a unique token) when absent. */
  readonly name?: string;
  readonly sex: 'F' | 'M' | 'O';
  /** YYYY-MM-DD or YYYYMMDD. */
  readonly birthDate: string;
}

export interface ImagingStudiesOptions {
  readonly seed: number;
  readonly patients: readonly SynthPatient[];
  /** Studies per patient (default 1); study j of patient i is of kind kinds[(i + j) % kinds.length]. */
  readonly studiesPerPatient?: number;
  /** Default ['CT', 'MR']. A CT study has one series, an MR study a T1 and a T2 series. */
  readonly kinds?: readonly ('CT' | 'MR')[];
  /** Rows and columns (default 64). */
  readonly size?: number;
  /** Slices per series (default 8). */
  readonly slices?: number;
  /**
   * Burned In Annotation (0028,0301): true for every series, a number for that share of series
   * (seeded), false (default) for none. A flagged series also gets a bright text-like bar.
   */
  readonly burnedIn?: boolean | number;
  /** Institution Name; made up (planted) when absent. */
  readonly institution?: string;
  /** Default explicit VR little endian. */
  readonly transferSyntax?:
    typeof TRANSFER_SYNTAX.explicitLittle | typeof TRANSFER_SYNTAX.implicitLittle;
}

/** One file: a relative path made of generated names only (never a planted value), and its bytes. */
export interface SynthFile {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** What was generated for one series, with its identified (pre-de-identification) UIDs. */
export interface SynthSeries {
  readonly patientId: string;
  readonly studyUid: string;
  readonly seriesUid: string;
  readonly modality: 'CT' | 'MR';
  readonly bodyPart: string;
  readonly description: string;
  /** ISO date of the study. */
  readonly studyDate: string;
  readonly instances: number;
  readonly burnedIn: boolean;
  /** Names of its files in `files`, in instance order. */
  readonly files: readonly string[];
}

export interface ImagingStudies {
  readonly files: SynthFile[];
  /**
   * Every planted identifying text value and original UID, each unique to this generation (names
   * carry a five-letter token), so none may appear in a de-identified file.
   */
  readonly planted: string[];
  /**
   * Dates planted (DA): birth dates and study dates. Not unique like `planted` (a shifted date
   * may equal another patient's real one), so tests check them per file, not globally.
   */
  readonly plantedDates: string[];
  readonly series: SynthSeries[];
}

const FIRST_STUDY_DAY = Date.UTC(2019, 0, 1) / 86_400_000;

function check(o: ImagingStudiesOptions): void {
  const int = (v: number, lo: number, hi: number, what: string): void => {
    if (!Number.isInteger(v) || v < lo || v > hi) {
      throw new RangeError(`${what} must be an integer in ${String(lo)}..${String(hi)}`);
    }
  };
  int(o.seed, 0, 0xffffffff, 'seed');
  int(o.size ?? 64, 8, 512, 'size');
  int(o.slices ?? 8, 1, 256, 'slices');
  int(o.studiesPerPatient ?? 1, 1, 20, 'studiesPerPatient');
  if (o.patients.length === 0) throw new RangeError('patients must not be empty');
  if ((o.kinds ?? ['CT']).length === 0) throw new RangeError('kinds must not be empty');
  const ids = new Set<string>();
  o.patients.forEach((p, i) => {
    if (!/^[\x20-\x7e]{1,64}$/.test(p.id) || p.id.includes('\\')) {
      throw new RangeError(
        `patients[${String(i)}].id must be 1 to 64 printable ASCII characters, no backslash`,
      );
    }
    if (ids.has(p.id)) throw new RangeError(`patients[${String(i)}].id repeats an earlier id`);
    ids.add(p.id);
    if (!/^\d{4}-?\d{2}-?\d{2}$/.test(p.birthDate)) {
      throw new RangeError(`patients[${String(i)}].birthDate must be YYYY-MM-DD`);
    }
  });
  const b = o.burnedIn;
  if (typeof b === 'number' && !(b >= 0 && b <= 1))
    throw new RangeError('burnedIn must be in [0, 1]');
}

const da = (days: number): string =>
  new Date(days * 86_400_000).toISOString().slice(0, 10).replaceAll('-', '');
const tm = (rng: Rng, hourFrom: number): string =>
  `${String(hourFrom + rng.int(8)).padStart(2, '0')}${String(rng.int(60)).padStart(2, '0')}${String(rng.int(60)).padStart(2, '0')}`;

/**
 * Synthetic CT and MR studies of `patients` as Part 10 files.
 * @throws RangeError naming the option that is out of range or malformed.
 */
export function generateImagingStudies(options: ImagingStudiesOptions): ImagingStudies {
  check(options);
  const { seed } = options;
  const rng = createRng(seed);
  const tokens = new TokenSource(rng);
  const site = siteIdentity(tokens, options.institution);
  const planted = plantedValues(site);
  const plantedDates: string[] = [];
  const files: SynthFile[] = [];
  const series: SynthSeries[] = [];
  const kinds = options.kinds ?? ['CT', 'MR'];
  options.patients.forEach((p, i) => {
    const patient = patientIdentity(p, i, rng, tokens);
    const shape = phantomShape(rng);
    planted.push(...plantedValues(patient));
    plantedDates.push(patient.birthDate);
    for (let j = 0; j < (options.studiesPerPatient ?? 1); j++) {
      const kind = kinds[(i + j) % kinds.length] ?? 'CT';
      const study = makeStudy(options, rng, tokens, `p${String(i)}/s${String(j)}`, kind);
      planted.push(...plantedValues(study), study.uid, study.referencedUid);
      plantedDates.push(study.date);
      const specs = seriesSpecs(options, rng, study, kind, `p${String(i)}/s${String(j)}`);
      specs.forEach((spec) => {
        planted.push(spec.uid, spec.frameOfReferenceUid);
        const dir = `p${String(i + 1).padStart(3, '0')}/st${String(j + 1)}/se${String(spec.number)}`;
        const out = writeSeries({
          options,
          site,
          patient,
          shape,
          study,
          spec,
          dir,
          planted,
          files,
        });
        series.push({
          patientId: p.id,
          studyUid: study.uid,
          seriesUid: spec.uid,
          modality: spec.modality,
          bodyPart: study.bodyPart,
          description: spec.description,
          studyDate: `${study.date.slice(0, 4)}-${study.date.slice(4, 6)}-${study.date.slice(6)}`,
          instances: spec.slices,
          burnedIn: spec.burnedIn,
          files: out,
        });
      });
    }
  });
  // A frame of reference is shared by the series of a study: each value once.
  return {
    files,
    planted: [...new Set(planted)],
    plantedDates: [...new Set(plantedDates)],
    series,
  };
}

function makeStudy(
  o: ImagingStudiesOptions,
  rng: Rng,
  tokens: TokenSource,
  path: string,
  kind: 'CT' | 'MR',
): StudySpec {
  const bodyPart =
    kind === 'MR' && rng.uniform() < 0.5
      ? 'HEAD'
      : (BODY_PARTS[rng.int(BODY_PARTS.length)] ?? 'CHEST');
  return {
    ...studyIdentity(tokens),
    uid: synthUid(o.seed, `${path}/study`),
    referencedUid: synthUid(o.seed, `${path}/request`),
    date: da(FIRST_STUDY_DAY + rng.int(5 * 365)),
    time: tm(rng, 8),
    bodyPart,
  };
}

function seriesSpecs(
  o: ImagingStudiesOptions,
  rng: Rng,
  study: StudySpec,
  kind: 'CT' | 'MR',
  path: string,
): SeriesSpec[] {
  const weightings: ('T1' | 'T2' | null)[] = kind === 'CT' ? [null] : ['T1', 'T2'];
  const b = o.burnedIn ?? false;
  return weightings.map((weighting, k) => ({
    uid: synthUid(o.seed, `${path}/series${String(k)}`),
    number: k + 1,
    modality: kind,
    description: weighting === null ? 'AXIAL 5mm' : `${weighting} AX`,
    weighting,
    frameOfReferenceUid: synthUid(o.seed, `${path}/for`),
    time: `${study.time.slice(0, 2)}${String(10 + 10 * k).padStart(2, '0')}00`,
    burnedIn: typeof b === 'number' ? rng.uniform() < b : b,
    size: o.size ?? 64,
    slices: o.slices ?? 8,
  }));
}

function writeSeries(w: {
  options: ImagingStudiesOptions;
  site: SiteIdentity;
  patient: PatientIdentity;
  shape: PhantomShape;
  study: StudySpec;
  spec: SeriesSpec;
  dir: string;
  planted: string[];
  files: SynthFile[];
}): string[] {
  const { spec } = w;
  // Each series has its own noise stream, so its pixels do not depend on the other series.
  const rng = createRng(Number.parseInt(spec.uid.slice(-9), 10));
  const names: string[] = [];
  for (let index = 0; index < spec.slices; index++) {
    const z = spec.slices === 1 ? 0.5 : index / (spec.slices - 1);
    const map = tissueMap(w.study.bodyPart, z, spec.size, w.shape);
    const pixels =
      spec.modality === 'CT' ? ctSlice(map, rng) : mrSlice(map, spec.weighting ?? 'T1', rng);
    if (spec.burnedIn) burnIn(pixels, spec.size, spec.modality === 'CT' ? 4095 : 4000);
    const sopUid = synthUid(w.options.seed, `${spec.uid}/${String(index)}`);
    w.planted.push(sopUid);
    const dataset = instanceDataset({
      site: w.site,
      patient: w.patient,
      study: w.study,
      series: spec,
      slice: { sopUid, index, pixels },
    });
    const name = `${w.dir}/${String(index + 1).padStart(4, '0')}.dcm`;
    const transferSyntax = w.options.transferSyntax ?? TRANSFER_SYNTAX.explicitLittle;
    w.files.push({ name, bytes: writeDicomFile({ dataset, transferSyntax }) });
    names.push(name);
  }
  return names;
}

/** A bright bar in the top-left corner, where scanners burn in patient details. */
function burnIn(pixels: Int16Array | Uint16Array, size: number, value: number): void {
  const h = Math.max(1, Math.floor(size / 16));
  for (let r = 2; r < 2 + h; r++) {
    for (let c = 2; c < Math.floor(size / 2); c++) pixels[r * size + c] = value;
  }
}
