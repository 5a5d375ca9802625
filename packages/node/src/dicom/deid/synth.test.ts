/*
 * The de-identifier on another engineer's data: the synthetic CT and MR studies of synth/, whose
 * planted identifying values (names, IDs, addresses, dates, UIDs, in nested sequences and a
 * private block) were chosen without looking at the rules.
 */
import { describe, expect, it } from 'vitest';
import { pseudonym } from '../../data/pseudonym.js';
import { parseDicomFile } from '../core/parse.js';
import { TRANSFER_SYNTAX } from '../core/types.js';
import { isValidUid } from '../core/uid.js';
import { getString } from '../core/values.js';
import { writeDicomFile } from '../core/write.js';
import { generateImagingStudies } from '../synth/index.js';
import { deidentify, type DeidKeys } from './deidentify.js';
import { remapUid } from './keyed.js';
import { deidOptionsSchema } from './options.js';
import { findValues } from './scan.js';

const KEYS: DeidKeys = {
  uidKey: new Uint8Array(32).fill(21),
  pseudonymKey: new Uint8Array(32).fill(22),
  dateKey: new Uint8Array(32).fill(23),
};

const studies = generateImagingStudies({
  seed: 7,
  patients: [
    { id: 'SYN-0001', sex: 'F', birthDate: '1958-02-11' },
    { id: 'SYN-0002', sex: 'M', birthDate: '1990-12-30' },
  ],
  studiesPerPatient: 2,
  size: 8,
  slices: 2,
  burnedIn: 0.5,
  transferSyntax: TRANSFER_SYNTAX.implicitLittle,
});

describe('deidentify on synthetic CT and MR studies', () => {
  for (const on of [false, true]) {
    it(`leaves none of their planted values (options ${on ? 'on' : 'off'})`, () => {
      const options = deidOptionsSchema.parse({
        retainLongitudinalTemporal: on,
        retainPatientCharacteristics: on,
        cleanDescriptors: on,
      });
      expect(studies.planted.length).toBeGreaterThan(20);
      for (const f of studies.files) {
        const input = parseDicomFile(f.bytes);
        // Each file carries planted values to begin with.
        expect(findValues(input.dataset, studies.planted).length).toBeGreaterThan(0);
        const { file } = deidentify(input, KEYS, options);
        expect(findValues(file.dataset, studies.planted), f.name).toEqual([]);
        const own = [getString(input.dataset, 0x00100030), getString(input.dataset, 0x00080020)];
        const dates = own.filter((d): d is string => d !== undefined && d !== '');
        expect(findValues(file.dataset, dates), f.name).toEqual([]);
        const again = parseDicomFile(writeDicomFile(file));
        expect(findValues(again.dataset, studies.planted)).toEqual([]);
      }
    });
  }

  it('keeps each series together under one new study and series UID, and flags burned-in series', () => {
    const options = deidOptionsSchema.parse({});
    const byName = new Map(studies.files.map((f) => [f.name, f.bytes]));
    for (const s of studies.series) {
      const results = s.files.map((name) => {
        const bytes = byName.get(name);
        if (bytes === undefined) throw new Error(`no file ${name}`);
        return deidentify(parseDicomFile(bytes), KEYS, options);
      });
      for (const r of results) {
        expect(r.facts.studyUid).toBe(remapUid(KEYS.uidKey, s.studyUid));
        expect(r.facts.seriesUid).toBe(remapUid(KEYS.uidKey, s.seriesUid));
        expect(isValidUid(r.facts.sopInstanceUid)).toBe(true);
        expect(r.facts.patient).toBe(pseudonym(KEYS.pseudonymKey, s.patientId));
        expect(r.facts.modality).toBe(s.modality);
        expect(r.facts.bodyPart).toBe(s.bodyPart);
        expect(r.burnedIn).toBe(s.burnedIn);
      }
      expect(new Set(results.map((r) => r.facts.sopInstanceUid)).size).toBe(s.instances);
    }
    expect(new Set(studies.series.map((s) => s.burnedIn)).size).toBe(2);
  });
});
