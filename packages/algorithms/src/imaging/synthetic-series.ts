import { createRng, type Rng } from '../numerics/random.js';
import { isoDateToDays } from '../cohort-values.js';
import { categoricalColumn, makeTable, numberColumn } from '../table-info.js';
import type { Table } from '../table.js';
import type { ImageFrame } from './memory-images.js';

/*
 * Seeded in-memory imaging data for simulations, tests and benchmarks of the imaging algorithms:
 * rows of an imaging dataset (as the node's index makes them) with the decoded frames of each
 * series. Not DICOM: the node's synthetic generator writes real files.
 */

/** One series: its imaging-dataset row and its frames (null: pixels that cannot be decoded). */
export interface SyntheticSeries {
  readonly patient: string;
  readonly study: string;
  readonly series: string;
  readonly modality: 'CT' | 'MR';
  readonly bodyPart: string;
  readonly description: string | null;
  /** ISO date or null. */
  readonly studyDate: string | null;
  readonly sex: 'F' | 'M';
  readonly age: number;
  readonly frames: readonly ImageFrame[] | null;
}

export interface SyntheticSeriesOptions {
  readonly seed: number;
  readonly patients: number;
  /** Side of the square frames (default 8). */
  readonly size?: number;
  /** Share of series whose pixels cannot be decoded (default 0). */
  readonly undecodable?: number;
  /** Patient ids are `${prefix}${n}` (default 'P'). */
  readonly prefix?: string;
}

/**
 * Class values at bin centres of 100-wide bins from −1100, with integer noise in [−20, 20], so
 * each class stays inside one such bin: tests can count on every patient having pixels in
 * exactly the same bins.
 */
const CT_CLASSES = [-1050, -150, 50, 850] as const;
const MR_CLASSES = [150, 450, 950, 1350] as const;
const BODY_PARTS = ['ABDOMEN', 'CHEST', 'HEAD'] as const;
const DESCRIPTIONS = { CT: ['CT 5mm', 'CT ANGIO'], MR: ['T1 AX', 'T2 AX'] } as const;
const FIRST_DAY = isoDateToDays('2020-01-01') ?? 0;

/** Synthetic series of `patients` patients: 1–3 studies each, 1–3 series a study, 2–6 instances. */
export function syntheticSeries(options: SyntheticSeriesOptions): SyntheticSeries[] {
  const rng = createRng(options.seed);
  const out: SyntheticSeries[] = [];
  for (let p = 1; p <= options.patients; p++) {
    const patient = `${options.prefix ?? 'P'}${String(p).padStart(4, '0')}`;
    const sex = rng.uniform() < 0.5 ? 'F' : 'M';
    const age = 20 + rng.int(70);
    const studies = 1 + rng.int(3);
    for (let s = 1; s <= studies; s++) {
      const study = `${patient}.${s}`;
      const day = FIRST_DAY + rng.int(4 * 365);
      const studyDate =
        rng.uniform() < 0.05 ? null : new Date(day * 86_400_000).toISOString().slice(0, 10);
      const bodyPart = pick(rng, BODY_PARTS);
      const count = 1 + rng.int(3);
      for (let k = 1; k <= count; k++) {
        const modality = rng.uniform() < 0.6 ? 'CT' : 'MR';
        const description = rng.uniform() < 0.1 ? null : pick(rng, DESCRIPTIONS[modality]);
        const broken = rng.uniform() < (options.undecodable ?? 0);
        const frames = makeFrames(rng, modality, options.size ?? 8, 2 + rng.int(5));
        out.push({
          patient,
          study,
          series: `${study}.${k}`,
          modality,
          bodyPart,
          description,
          studyDate,
          sex,
          age,
          frames: broken ? null : frames,
        });
      }
    }
  }
  return out;
}

function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[rng.int(xs.length)] ?? (xs[0] as T);
}

/** Frames in which every class fills at least one pixel: a quarter of the image each, in bands. */
function makeFrames(rng: Rng, modality: 'CT' | 'MR', size: number, n: number): ImageFrame[] {
  const classes = modality === 'CT' ? CT_CLASSES : MR_CLASSES;
  return Array.from({ length: n }, () => {
    const values = new Float32Array(size * size);
    for (let i = 0; i < values.length; i++) {
      const c = classes[Math.min(3, Math.floor((4 * i) / values.length))] ?? 0;
      values[i] = c + rng.int(41) - 20;
    }
    return { rows: size, columns: size, values };
  });
}

/** The imaging-dataset table of `series` (the columns the node's index writes). */
export function syntheticSeriesTable(series: readonly SyntheticSeries[]): Table {
  return makeTable({
    patient_id: categoricalColumn(series.map((s) => s.patient)),
    study_uid: categoricalColumn(series.map((s) => s.study)),
    series_uid: categoricalColumn(series.map((s) => s.series)),
    modality: categoricalColumn(series.map((s) => s.modality)),
    body_part: categoricalColumn(series.map((s) => s.bodyPart)),
    series_description: categoricalColumn(series.map((s) => s.description)),
    study_date: {
      kind: 'date',
      values: Float64Array.from(series, (s) =>
        s.studyDate === null ? Number.NaN : (isoDateToDays(s.studyDate) ?? Number.NaN),
      ),
    },
    instances: numberColumn(series.map((s) => s.frames?.length ?? 3)),
    rows: numberColumn(series.map((s) => s.frames?.[0]?.rows ?? null)),
    columns: numberColumn(series.map((s) => s.frames?.[0]?.columns ?? null)),
    sex: categoricalColumn(series.map((s) => s.sex)),
    age: numberColumn(series.map((s) => s.age)),
  });
}

/** The frames of `series` by series uid, for memorySeriesImages. */
export function syntheticFrames(
  series: readonly SyntheticSeries[],
): Map<string, readonly ImageFrame[] | null> {
  return new Map(series.map((s) => [s.series, s.frames]));
}

/**
 * The series split over `sites` sites by patient (each patient's series at one site), patients
 * dealt at random by a seeded shuffle into near-equal shares.
 */
export function splitByPatient(
  series: readonly SyntheticSeries[],
  sites: number,
  seed: number,
): SyntheticSeries[][] {
  const patients = [...new Set(series.map((s) => s.patient))];
  const rng = createRng(seed);
  for (let i = patients.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [patients[i], patients[j]] = [patients[j] ?? '', patients[i] ?? ''];
  }
  const siteOf = new Map(patients.map((p, i) => [p, i % sites]));
  const out = Array.from({ length: sites }, (): SyntheticSeries[] => []);
  for (const s of series) out[siteOf.get(s.patient) ?? 0]?.push(s);
  return out;
}
