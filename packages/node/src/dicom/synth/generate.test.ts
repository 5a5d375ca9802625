import { describe, expect, it } from 'vitest';
import { parseDicomFile } from '../core/parse.js';
import { decodeFrame } from '../core/pixels.js';
import type { DicomDataset } from '../core/types.js';
import { getNumber, getString } from '../core/values.js';
import { generateImagingStudies, type ImagingStudiesOptions } from './generate.js';
import { CT_HU, MR_SIGNAL } from './phantom.js';

const PATIENTS = [
  { id: 'S1-000001', sex: 'F', birthDate: '1960-05-04' },
  { id: 'S1-000002', sex: 'M', birthDate: '1971-11-30', name: 'Doe^John' },
  { id: 'S1-000003', sex: 'O', birthDate: '19850102' },
] as const;

const makeOptions = (over: Partial<ImagingStudiesOptions> = {}): ImagingStudiesOptions => ({
  seed: 11,
  patients: PATIENTS,
  studiesPerPatient: 2,
  size: 32,
  slices: 3,
  ...over,
});

/** Every text value of a dataset, at any depth (values of VRs holding text, decoded). */
function textsOf(ds: DicomDataset, out: string[] = []): string[] {
  for (const el of ds.values()) {
    if (el.items !== undefined) for (const item of el.items) textsOf(item, out);
    else if (
      el.value !== undefined &&
      el.tag !== 0x7fe00010 &&
      !['OB', 'OW', 'US', 'SS', 'UL', 'SL', 'FL', 'FD'].includes(el.vr)
    ) {
      out.push(
        Buffer.from(el.value)
          .toString('utf8')
          .replace(/[\0 ]+$/, ''),
      );
    }
  }
  return out;
}

const SEQ = {
  requestAttributes: 0x00400275,
  referencedStudy: 0x00081110,
  otherPatientIds: 0x00101002,
} as const;

describe('generateImagingStudies', () => {
  const result = generateImagingStudies(makeOptions());
  const parsed = result.files.map((f) => ({ name: f.name, file: parseDicomFile(f.bytes) }));

  it('writes a CT series per CT study and a T1 and a T2 series per MR study, slices in order', () => {
    // Patients 0..2, studies j = 0, 1: kind kinds[(i + j) % 2] → CT, MR, MR, CT, CT, MR.
    expect(result.series.map((s) => s.modality)).toEqual([
      'CT',
      'MR',
      'MR',
      'MR',
      'MR',
      'CT',
      'CT',
      'MR',
      'MR',
    ]);
    expect(result.files).toHaveLength(9 * 3);
    expect(new Set(result.series.map((s) => s.seriesUid)).size).toBe(9);
    for (const s of result.series) {
      const numbers = s.files.map((n) => {
        const f = parsed.find((p) => p.name === n)?.file;
        return f === undefined ? -1 : getNumber(f.dataset, 0x00200013);
      });
      expect(numbers).toEqual([1, 2, 3]);
    }
  });

  it('parses with realistic headers: SOP class, UIDs, geometry, patient ids from the list', () => {
    for (const { file } of parsed) {
      const ds = file.dataset;
      const modality = getString(ds, 0x00080060);
      expect(getString(ds, 0x00080016)).toBe(
        modality === 'CT' ? '1.2.840.10008.5.1.4.1.1.2' : '1.2.840.10008.5.1.4.1.1.4',
      );
      expect(getString(file.meta, 0x00020003)).toBe(getString(ds, 0x00080018));
      expect(PATIENTS.map((p) => p.id)).toContain(getString(ds, 0x00100020));
      expect(getNumber(ds, 0x00280010)).toBe(32);
      expect(getNumber(ds, 0x00280103)).toBe(modality === 'CT' ? 1 : 0);
      expect(getNumber(ds, 0x00281052)).toBe(modality === 'CT' ? -1024 : undefined);
      expect(getString(ds, 0x00200037)).toBe('1\\0\\0\\0\\1\\0');
      expect(getString(ds, 0x00280301)).toBe('NO');
      for (const tag of [
        0x00200052, 0x00200032, 0x00280030, 0x00180050, 0x00180015, 0x0008103e, 0x00080070,
      ]) {
        expect(ds.has(tag), `tag ${tag.toString(16)}`).toBe(true);
      }
    }
  });

  it('decodes to the phantom: CT in Hounsfield units, MR with T1 and T2 contrast', () => {
    const values = (modality: string, desc: string) =>
      parsed
        .filter(
          ({ file }) =>
            getString(file.dataset, 0x00080060) === modality &&
            getString(file.dataset, 0x0008103e) === desc,
        )
        .flatMap(({ file }) => Array.from(decodeFrame(file.dataset) ?? []));
    const ct = values('CT', 'AXIAL 5mm');
    expect(Math.min(...ct)).toBeGreaterThanOrEqual(-1024);
    // Air outside the body, soft tissue inside, bone in the spine: each class within 4 noise sd.
    const near = (xs: number[], v: number) => xs.filter((x) => Math.abs(x - v) < 48).length;
    expect(near(ct, CT_HU.air)).toBeGreaterThan(100);
    expect(near(ct, CT_HU.soft)).toBeGreaterThan(100);
    expect(near(ct, CT_HU.bone)).toBeGreaterThan(5);
    const t1 = values('MR', 'T1 AX');
    const t2 = values('MR', 'T2 AX');
    expect(Math.min(...t1, ...t2)).toBeGreaterThanOrEqual(0);
    // Fluid is dark on T1 and bright on T2.
    expect(near(t2, MR_SIGNAL.T2.fluid) + near(t2, MR_SIGNAL.T2.fat)).toBeGreaterThan(0);
    expect(Math.max(...t2)).toBeGreaterThan(
      Math.max(...t1.filter((x) => Math.abs(x - MR_SIGNAL.T1.fat) > 100)),
    );
  });

  it('plants every identifying value, unique and present, including in nested sequences and the private block', () => {
    const all = parsed.flatMap(({ file }) => textsOf(file.dataset)).join('\n');
    expect(new Set(result.planted).size).toBe(result.planted.length);
    for (const v of result.planted) expect(all, v).toContain(v);
    expect(result.planted).toContain('Doe^John');
    expect(result.planted).toContain('S1-000003');
    const empty: DicomDataset = new Map();
    const ds = parsed[0]?.file.dataset ?? empty;
    const request = ds.get(SEQ.requestAttributes)?.items?.[0] ?? empty;
    const refStudy = request.get(SEQ.referencedStudy)?.items?.[0] ?? empty;
    expect(result.planted).toContain(getString(request, 0x00080050));
    expect(result.planted).toContain(getString(refStudy, 0x00081155));
    expect(result.planted).toContain(getString(request, 0x00091001));
    expect(getString(request, 0x00090010)).toBe('TESSERA SYNTH 1');
    expect(result.planted).toContain(getString(ds, 0x00091001));
    const other = ds.get(SEQ.otherPatientIds)?.items ?? [];
    expect(other.map((i) => getString(i, 0x00100020))).toEqual(
      expect.arrayContaining([expect.stringMatching(/^MRN-[A-Z]{5}-00001$/)]),
    );
    expect(result.plantedDates).toEqual(expect.arrayContaining(['19600504', '19850102']));
  });

  it('is deterministic for a seed and differs for another', () => {
    const again = generateImagingStudies(makeOptions());
    expect(again.planted).toEqual(result.planted);
    expect(again.files.map((f) => Buffer.from(f.bytes).toString('base64'))).toEqual(
      result.files.map((f) => Buffer.from(f.bytes).toString('base64')),
    );
    const other = generateImagingStudies(makeOptions({ seed: 12 }));
    expect(other.series[0]?.studyUid).not.toBe(result.series[0]?.studyUid);
    expect(other.planted.filter((v) => result.planted.includes(v))).toEqual([
      'S1-000001',
      'S1-000002',
      'Doe^John',
      'S1-000003',
    ]);
  });

  it('flags burned-in annotation when asked, for every series or a share of them', () => {
    const all = generateImagingStudies(makeOptions({ burnedIn: true, studiesPerPatient: 1 }));
    for (const f of all.files)
      expect(getString(parseDicomFile(f.bytes).dataset, 0x00280301)).toBe('YES');
    const some = generateImagingStudies(makeOptions({ burnedIn: 0.5, studiesPerPatient: 6 }));
    const flags = some.series.map((s) => s.burnedIn);
    expect(flags).toContain(true);
    expect(flags).toContain(false);
  });

  it('writes implicit VR little endian when asked', () => {
    const r = generateImagingStudies(
      makeOptions({ transferSyntax: '1.2.840.10008.1.2', studiesPerPatient: 1 }),
    );
    const f = parseDicomFile(r.files[0]?.bytes ?? new Uint8Array());
    expect(f.transferSyntax).toBe('1.2.840.10008.1.2');
    expect(getString(f.dataset, 0x00100020)).toBe('S1-000001');
  });

  it.each([
    ['a repeated patient id', { patients: [PATIENTS[0], PATIENTS[0]] }, /repeats/],
    ['no patients', { patients: [] }, /patients must not be empty/],
    [
      'a bad birth date',
      { patients: [{ id: 'x', sex: 'F', birthDate: '4 May 1960' }] },
      /birthDate/,
    ],
    [
      'an id with a backslash',
      { patients: [{ id: 'a\\b', sex: 'F', birthDate: '1960-01-01' }] },
      /id must be/,
    ],
    ['a tiny image', { size: 4 }, /size must be an integer in 8\.\.512/],
    ['no slices', { slices: 0 }, /slices/],
    ['a burned-in share above 1', { burnedIn: 2 }, /burnedIn/],
  ] as const)('refuses %s', (_w, over, message) => {
    expect(() =>
      generateImagingStudies(makeOptions(over as Partial<ImagingStudiesOptions>)),
    ).toThrow(message);
  });
});
