import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { pseudonym } from '../../data/pseudonym.js';
import { parseDicomFile } from '../core/parse.js';
import type { DicomDataset, DicomElement, DicomFile, Tag } from '../core/types.js';
import { IMPLEMENTATION_CLASS_UID, isValidUid } from '../core/uid.js';
import { getString, setString } from '../core/values.js';
import { writeDataset, writeDicomFile } from '../core/write.js';
import { deidentify, METHOD_CODES, type DeidKeys } from './deidentify.js';
import {
  makeIdentifiedInstance,
  PLANTED,
  PLANTED_UID_ROOT,
} from '../../testing/identified-instance.js';
import { dateOffsetDays, remapUid } from './keyed.js';
import {
  DeidError,
  deidOptionsSchema,
  type DeidOptions,
  type DeidOptionsInput,
} from './options.js';
import { findValues } from './scan.js';

const KEYS: DeidKeys = {
  uidKey: new Uint8Array(32).fill(1),
  pseudonymKey: new Uint8Array(32).fill(2),
  dateKey: new Uint8Array(32).fill(3),
};

const opts = (o: DeidOptionsInput = {}): DeidOptions => deidOptionsSchema.parse(o);

function item(ds: DicomDataset, ...path: [Tag, number][]): DicomDataset {
  let at = ds;
  for (const [tag, i] of path) {
    const next = at.get(tag)?.items?.[i];
    if (next === undefined) throw new Error(`no item ${String(i)} of ${tag.toString(16)}`);
    at = next;
  }
  return at;
}

function el(tag: Tag, vr: DicomElement['vr'], value: string): DicomElement {
  const ds: DicomDataset = new Map();
  return setString(ds, tag, value, vr);
}

const ALL_OPTION_SETS: DeidOptionsInput[] = [false, true].flatMap((t) =>
  [false, true].flatMap((p) =>
    [false, true].map((c) => ({
      retainLongitudinalTemporal: t,
      retainPatientCharacteristics: p,
      cleanDescriptors: c,
    })),
  ),
);

describe('deidentify', () => {
  it('leaves none of the planted identifying values, at any depth, under every option set', () => {
    const input = makeIdentifiedInstance();
    // The fixture really carries them, three sequences down included.
    const planted = new Set(findValues(input.dataset, PLANTED).map((f) => f.needle));
    expect([...planted].sort()).toEqual([...PLANTED].sort());
    for (const o of ALL_OPTION_SETS) {
      const { file } = deidentify(input, KEYS, opts(o));
      expect(findValues(file.dataset, PLANTED), JSON.stringify(o)).toEqual([]);
      expect(findValues(file.meta, PLANTED), JSON.stringify(o)).toEqual([]);
      const bytes = writeDicomFile(file);
      const text = Buffer.from(bytes).toString('latin1').toLowerCase();
      for (const needle of PLANTED) expect(text.includes(needle.toLowerCase()), needle).toBe(false);
    }
  });

  it('applies the rules three sequences down, not only at the top level', () => {
    const { file } = deidentify(makeIdentifiedInstance(), KEYS, opts());
    const deep = item(file.dataset, [0x00400260, 0], [0x00400440, 0], [0x0040a168, 0]);
    expect(getString(deep, 0x00100010)).toBe(''); // Patient's Name: Z
    expect(getString(deep, 0x00100020)).toBe(pseudonym(KEYS.pseudonymKey, 'SEQ-77001'));
    expect(deep.has(0x00080080)).toBe(false); // Institution Name: removed
    expect(deep.has(0x00321032)).toBe(false); // Requesting Physician: X
    expect(deep.has(0x00142006)).toBe(false); // a PN outside the table
    expect(deep.has(0x00291001)).toBe(false); // private
    expect(getString(deep, 0x00081155)).toBe(remapUid(KEYS.uidKey, `${PLANTED_UID_ROOT}.1001`));
    expect(getString(deep, 0x00081150)).toBe('1.2.840.10008.5.1.4.1.1.2');
    expect(getString(deep, 0x00080104)).toBe('Code meaning');
  });

  it('replaces Patient ID by the pseudonym tabular imports use, and empties the name', () => {
    const { file, facts } = deidentify(makeIdentifiedInstance(), KEYS, opts());
    const expected = pseudonym(KEYS.pseudonymKey, 'MRN-99417');
    expect(expected).toMatch(/^[0-9a-f]{64}$/);
    expect(getString(file.dataset, 0x00100020)).toBe(expected);
    expect(facts.patient).toBe(expected);
    expect(file.dataset.get(0x00100010)?.value).toHaveLength(0);
    expect(file.dataset.has(0x00101000)).toBe(false); // Other Patient IDs
    expect(file.dataset.has(0x00101002)).toBe(false); // Other Patient IDs Sequence
    expect(file.dataset.has(0x00100030)).toBe(true); // Birth Date: Z, kept empty
    expect(getString(file.dataset, 0x00100030)).toBe('');
  });

  it('remaps UIDs to valid 2.25 UIDs: an HMAC of the original, the same on every call', () => {
    const a = deidentify(makeIdentifiedInstance(), KEYS, opts());
    const b = deidentify(makeIdentifiedInstance(), KEYS, opts());
    const original = `${PLANTED_UID_ROOT}.1`;
    // Independent reference: the first 128 bits of HMAC-SHA-256 as a big-endian integer.
    const mac = createHmac('sha256', KEYS.uidKey).update(original).digest();
    const expected = `2.25.${BigInt(`0x${mac.subarray(0, 16).toString('hex')}`).toString()}`;
    expect(a.facts.sopInstanceUid).toBe(expected);
    expect(b.facts.sopInstanceUid).toBe(expected);
    for (const uid of [a.facts.sopInstanceUid, a.facts.studyUid, a.facts.seriesUid]) {
      expect(isValidUid(uid)).toBe(true);
      expect(uid.startsWith('2.25.')).toBe(true);
    }
    expect(getString(a.file.dataset, 0x00200052)).toBe(
      remapUid(KEYS.uidKey, `${PLANTED_UID_ROOT}.4001`),
    );
    expect(writeDataset(a.file.dataset, a.file.transferSyntax)).toEqual(
      writeDataset(b.file.dataset, b.file.transferSyntax),
    );
  });

  it('gives the same UIDs in any process: a known-answer vector', () => {
    // Computed once with the key of 32 bytes of 0x01; a change here breaks every stored study.
    expect(remapUid(new Uint8Array(32).fill(1), '1.2.3.4')).toBe(
      remapUid(new Uint8Array(32).fill(1), '1.2.3.4'),
    );
    expect(remapUid(new Uint8Array(32).fill(1), '1.2.3.4')).toBe(KNOWN_UID);
    expect(remapUid(new Uint8Array(32).fill(9), '1.2.3.4')).not.toBe(KNOWN_UID);
  });

  it('keeps well-known and class UIDs and the transfer syntax', () => {
    const { file } = deidentify(makeIdentifiedInstance(), KEYS, opts());
    expect(getString(file.dataset, 0x00080016)).toBe('1.2.840.10008.5.1.4.1.1.2');
    expect(file.transferSyntax).toBe('1.2.840.10008.1.2.1');
    expect(remapUid(KEYS.uidKey, '1.2.840.10008.1.2')).toBe('1.2.840.10008.1.2');
  });

  it('remaps references between two related instances to the same new UIDs', () => {
    const first = deidentify(makeIdentifiedInstance({ instance: '1000' }), KEYS, opts());
    const second = deidentify(makeIdentifiedInstance({ instance: '1001' }), KEYS, opts());
    const ref = item(second.file.dataset, [0x00081115, 0], [0x00081140, 0]);
    expect(getString(ref, 0x00081155)).toBe(first.facts.sopInstanceUid);
    const deep = item(first.file.dataset, [0x00400260, 0], [0x00400440, 0], [0x0040a168, 0]);
    expect(getString(deep, 0x00081155)).toBe(second.facts.sopInstanceUid);
    expect(second.facts.studyUid).toBe(first.facts.studyUid);
    expect(second.facts.seriesUid).toBe(first.facts.seriesUid);
    expect(getString(item(second.file.dataset, [0x00081115, 0]), 0x0020000e)).toBe(
      first.facts.seriesUid,
    );
    expect(second.facts.sopInstanceUid).not.toBe(first.facts.sopInstanceUid);
  });

  it('replaces file meta and preamble: the meta follows the new SOP Instance UID', () => {
    const { file, facts } = deidentify(makeIdentifiedInstance(), KEYS, opts());
    expect(getString(file.meta, 0x00020003)).toBe(facts.sopInstanceUid);
    expect(getString(file.meta, 0x00020002)).toBe(facts.sopClassUid);
    expect(getString(file.meta, 0x00020012)).toBe(IMPLEMENTATION_CLASS_UID);
    expect(file.meta.has(0x00020016)).toBe(false); // the sender's AE title is not carried
    const bytes = writeDicomFile(file);
    expect(bytes.subarray(0, 128).every((b) => b === 0)).toBe(true);
    const back = parseDicomFile(bytes);
    expect(getString(back.dataset, 0x00080018)).toBe(facts.sopInstanceUid);
    expect(getString(back.meta, 0x00020003)).toBe(facts.sopInstanceUid);
  });

  it('marks the instance: Patient Identity Removed, method and CID 7050 codes per option', () => {
    const cases: [DeidOptionsInput, string[]][] = [
      [{}, ['113100']],
      [{ retainLongitudinalTemporal: true }, ['113100', '113107']],
      [{ retainPatientCharacteristics: true }, ['113100', '113108']],
      [{ cleanDescriptors: true }, ['113100', '113105']],
      [
        {
          retainLongitudinalTemporal: true,
          retainPatientCharacteristics: true,
          cleanDescriptors: true,
        },
        ['113100', '113105', '113107', '113108'],
      ],
    ];
    const meanings = new Map(Object.values(METHOD_CODES));
    for (const [o, codes] of cases) {
      const { file } = deidentify(makeIdentifiedInstance(), KEYS, opts(o));
      expect(getString(file.dataset, 0x00120062)).toBe('YES');
      const method = getString(file.dataset, 0x00120063) ?? '';
      expect(method.length).toBeGreaterThan(0);
      expect(method.length).toBeLessThanOrEqual(64);
      const items = file.dataset.get(0x00120064)?.items ?? [];
      expect(items.map((i) => getString(i, 0x00080100))).toEqual(codes);
      for (const i of items) {
        expect(getString(i, 0x00080102)).toBe('DCM');
        expect(getString(i, 0x00080104)).toBe(meanings.get(getString(i, 0x00080100) as '113100'));
      }
      const temporal = o.retainLongitudinalTemporal === true ? 'MODIFIED' : 'REMOVED';
      expect(getString(file.dataset, 0x00280303)).toBe(temporal);
    }
    expect(meanings.get('113107')).toBe(
      'Retain Longitudinal Temporal Information Modified Dates Option',
    );
  });
});

/** remapUid(32 bytes of 0x01, '1.2.3.4'), computed once with node:crypto alone and fixed. */
const KNOWN_UID = '2.25.11716141517501126199143170160072032950';

describe('deidentify: dates', () => {
  const on = opts({ retainLongitudinalTemporal: true });

  it('shifts every date of a patient by one offset of whole days, keeping intervals', () => {
    const { file, facts } = deidentify(makeIdentifiedInstance(), KEYS, on);
    const offset = dateOffsetDays(KEYS.dateKey, 'MRN-99417');
    expect(offset).toBeLessThanOrEqual(-1);
    expect(offset).toBeGreaterThanOrEqual(-3650);
    const study = new Date(Date.UTC(2023, 2, 14) + offset * 86_400_000);
    const ymd = study.toISOString().slice(0, 10);
    expect(facts.studyDate).toBe(ymd);
    expect(getString(file.dataset, 0x00080020)).toBe(ymd.replaceAll('-', ''));
    const content = new Date(Date.UTC(2023, 2, 15) + offset * 86_400_000);
    expect(getString(file.dataset, 0x00080023)).toBe(
      content.toISOString().slice(0, 10).replaceAll('-', ''),
    );
    // DT: date part shifted, time of day, fraction and UTC offset kept; TM unchanged.
    expect(getString(file.dataset, 0x0008002a)).toBe(
      `${ymd.replaceAll('-', '')}101500.250000+0100`,
    );
    expect(getString(file.dataset, 0x00080030)).toBe('101500');
    expect(getString(file.dataset, 0x00280303)).toBe('MODIFIED');
  });

  it('uses the same offset for one patient across studies, and another for another patient', () => {
    const a = deidentify(makeIdentifiedInstance({ studyDate: '20230314' }), KEYS, on);
    const b = deidentify(
      makeIdentifiedInstance({ studyDate: '20240229', instance: '7' }),
      KEYS,
      on,
    );
    const days = (iso: string | undefined): number =>
      Date.parse(`${iso ?? ''}T00:00:00Z`) / 86_400_000;
    expect(days(b.facts.studyDate) - days(a.facts.studyDate)).toBe(
      (Date.UTC(2024, 1, 29) - Date.UTC(2023, 2, 14)) / 86_400_000,
    );
    const others = ['P-1', 'P-2', 'P-3', 'P-4'].map((id) => dateOffsetDays(KEYS.dateKey, id));
    expect(new Set(others).size).toBeGreaterThan(1);
  });

  it('without the option follows the Basic Profile: emptied, removed or dummy', () => {
    const { file, facts } = deidentify(makeIdentifiedInstance(), KEYS, opts());
    expect(getString(file.dataset, 0x00080020)).toBe(''); // Study Date: Z
    expect(file.dataset.has(0x00080021)).toBe(false); // Series Date: X/D, removed
    expect(getString(file.dataset, 0x00080023)).toBe(''); // Content Date: Z/D, emptied
    expect(getString(file.dataset, 0x0008002a)).toBe('19000101000000'); // X/Z/D: dummy
    expect(facts.studyDate).toBeUndefined();
  });

  it('empties a date that cannot be read rather than keep it', () => {
    const file = makeIdentifiedInstance({ overrides: [el(0x00080020, 'DA', '2023-03-14')] });
    const { file: out } = deidentify(file, KEYS, on);
    expect(getString(out.dataset, 0x00080020)).toBe('');
  });
});

describe('deidentify: options', () => {
  it('keeps patient characteristics only with Retain Patient Characteristics', () => {
    const off = deidentify(makeIdentifiedInstance(), KEYS, opts());
    expect(getString(off.file.dataset, 0x00100040)).toBe(''); // Patient's Sex: Z
    expect(off.file.dataset.has(0x00101010)).toBe(false);
    expect(off.file.dataset.has(0x00101020)).toBe(false);
    expect(off.file.dataset.has(0x00101030)).toBe(false);
    expect(off.facts.sex).toBeUndefined();
    expect(off.facts.ageYears).toBeUndefined();
    const on = deidentify(
      makeIdentifiedInstance(),
      KEYS,
      opts({ retainPatientCharacteristics: true }),
    );
    expect(getString(on.file.dataset, 0x00100040)).toBe('F');
    expect(getString(on.file.dataset, 0x00101020)).toBe('1.68');
    expect(getString(on.file.dataset, 0x00101030)).toBe('64.5');
    expect(on.facts).toMatchObject({ sex: 'F', ageYears: 61 });
  });

  it('keeps descriptors only with Clean Descriptors, and only clean ones', () => {
    const off = deidentify(makeIdentifiedInstance(), KEYS, opts());
    expect(off.file.dataset.has(0x0008103e)).toBe(false);
    expect(off.facts.seriesDescription).toBeUndefined();
    const on = deidentify(makeIdentifiedInstance(), KEYS, opts({ cleanDescriptors: true }));
    expect(on.facts.seriesDescription).toBe('AX T1 POST');
    expect(on.file.dataset.has(0x00081030)).toBe(false); // holds the patient's name
    expect(on.file.dataset.has(0x00181030)).toBe(false); // Protocol Name holds it too
    const dated = makeIdentifiedInstance({ overrides: [el(0x0008103e, 'LO', 'AX T1 14.03.2023')] });
    expect(
      deidentify(dated, KEYS, opts({ cleanDescriptors: true })).facts.seriesDescription,
    ).toBeUndefined();
  });

  it('cleans coded descriptor sequences item by item, keeping codes and clean meanings', () => {
    const code = (value: string, meaning: string): DicomDataset => {
      const ds: DicomDataset = new Map();
      setString(ds, 0x00080100, value);
      setString(ds, 0x00080102, 'SCT');
      setString(ds, 0x00080104, meaning);
      return ds;
    };
    const diagnoses: DicomElement = {
      tag: 0x00081084, // Admitting Diagnoses Code Sequence: X, C under Clean Descriptors
      vr: 'SQ',
      items: [code('22298006', 'Myocardial infarction'), code('38341003', 'Hypertension, Zebedee')],
    };
    const first = diagnoses.items?.[0];
    // Text Value, a text block outside the table, inside an item.
    if (first !== undefined) setString(first, 0x0040a160, 'Fall at Nowhere Farm', 'UT');
    // Additional Patient History (LT, C under Clean Descriptors): a text block, never kept.
    const history = el(0x001021b0, 'LT', 'Referred after a fall at Nowhere Farm');
    const input = makeIdentifiedInstance({ overrides: [diagnoses, history] });
    expect(deidentify(input, KEYS, opts()).file.dataset.has(0x00081084)).toBe(false);
    const { file } = deidentify(input, KEYS, opts({ cleanDescriptors: true }));
    const items = file.dataset.get(0x00081084)?.items ?? [];
    expect(items.map((i) => getString(i, 0x00080100))).toEqual(['22298006', '38341003']);
    expect(items.map((i) => getString(i, 0x00080104))).toEqual([
      'Myocardial infarction',
      undefined,
    ]);
    expect(items[0]?.has(0x0040a160)).toBe(false);
    expect(file.dataset.has(0x001021b0)).toBe(false);
  });

  it('removes private attributes unless allow-listed by creator and element byte', () => {
    const none = deidentify(makeIdentifiedInstance(), KEYS, opts());
    const privateTags = (ds: DicomDataset): string[] =>
      [...ds.keys()].filter((t) => (t >>> 16) % 2 === 1).map((t) => t.toString(16));
    expect(privateTags(none.file.dataset)).toEqual([]);
    const input = makeIdentifiedInstance({ overrides: [el(0x00091001, 'LO', 'kept value')] });
    const some = deidentify(
      input,
      KEYS,
      opts({ allowedPrivate: [{ creator: 'ACME 1.0', element: 0x01 }] }),
    );
    expect(privateTags(some.file.dataset)).toEqual(['90010', '91001']);
    expect(getString(some.file.dataset, 0x00091001)).toBe('kept value');
    // The same element byte under another creator stays out.
    const other = deidentify(
      input,
      KEYS,
      opts({ allowedPrivate: [{ creator: 'OTHER VENDOR', element: 0x01 }] }),
    );
    expect(privateTags(other.file.dataset)).toEqual([]);
  });

  it('removes signatures, original attributes, icons, overlays, curves, lengths and padding', () => {
    const { file } = deidentify(makeIdentifiedInstance(), KEYS, opts());
    for (const tag of [
      0xfffafffa, 0x04000561, 0x00880200, 0x60003000, 0x60004000, 0x60000010, 0x50002500,
      0x00080000, 0xfffcfffc,
    ]) {
      expect(file.dataset.has(tag), tag.toString(16)).toBe(false);
    }
    expect(file.dataset.get(0x7fe00010)?.value).toHaveLength(8); // pixels kept
  });

  it('removes attributes outside the table whose VR is unknown (UN), and other person names', () => {
    const unknown: DicomElement = {
      tag: 0x00189999,
      vr: 'UN',
      value: new Uint8Array(Buffer.from('Doe^John')),
    };
    const input = makeIdentifiedInstance({
      overrides: [unknown, el(0x00142006, 'PN', 'Doe^John')],
    });
    const { file } = deidentify(input, KEYS, opts());
    expect(file.dataset.has(0x00189999)).toBe(false);
    expect(file.dataset.has(0x00142006)).toBe(false);
    expect(getString(file.dataset, 0x00080070)).toBe('ACME Medical'); // not in the table: kept
  });

  it('flags burned-in annotation and recognizable visual features', () => {
    const plain = deidentify(makeIdentifiedInstance(), KEYS, opts());
    expect(plain.burnedIn).toBe(false);
    const burned = makeIdentifiedInstance({ overrides: [el(0x00280301, 'CS', 'YES')] });
    expect(deidentify(burned, KEYS, opts()).burnedIn).toBe(true);
    const face = makeIdentifiedInstance({ overrides: [el(0x00280302, 'CS', 'YES')] });
    expect(deidentify(face, KEYS, opts()).burnedIn).toBe(true);
  });

  it('reports facts of the instance', () => {
    const { facts } = deidentify(makeIdentifiedInstance(), KEYS, opts());
    expect(facts).toMatchObject({
      sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
      modality: 'CT',
      bodyPart: 'HEAD',
      rows: 2,
      columns: 2,
      instanceNumber: 12,
    });
    expect(facts.frames).toBeUndefined();
  });
});

describe('deidentify: refusals', () => {
  function refusal(file: DicomFile): DeidError {
    try {
      deidentify(file, KEYS, opts());
    } catch (e) {
      if (e instanceof DeidError) return e;
      throw e;
    }
    throw new Error('no DeidError');
  }

  it('refuses an instance without Patient ID, SOP Instance UID or Modality, naming the tag only', () => {
    expect(refusal(makeIdentifiedInstance({ without: [0x00100020] })).message).toContain(
      '(0010,0020)',
    );
    expect(refusal(makeIdentifiedInstance({ patientId: '  ' })).message).toContain('(0010,0020)');
    expect(refusal(makeIdentifiedInstance({ without: [0x00080018] })).message).toContain(
      '(0008,0018)',
    );
    expect(refusal(makeIdentifiedInstance({ without: [0x00080060] })).message).toContain(
      '(0008,0060)',
    );
  });

  it('refuses an attribute it cannot process, with its path and no value', () => {
    const bad = makeIdentifiedInstance({
      overrides: [el(0x00200052, 'LO', '1.2.826.0.1.3680043.8.498.4001')],
    });
    const e = refusal(bad);
    expect(e.message).toContain('(0020,0052)');
    expect(
      findValues(new Map([[0, { tag: 0, vr: 'LT', value: Buffer.from(e.message) }]]), PLANTED),
    ).toEqual([]);
  });

  it('refuses keys shorter than 128 bits', () => {
    expect(() =>
      deidentify(makeIdentifiedInstance(), { ...KEYS, dateKey: new Uint8Array(8) }, opts()),
    ).toThrow(/dateKey/);
  });

  it('does not change its input', () => {
    const input = makeIdentifiedInstance();
    const before = writeDataset(input.dataset, input.transferSyntax);
    deidentify(input, KEYS, opts({ retainLongitudinalTemporal: true, cleanDescriptors: true }));
    expect(writeDataset(input.dataset, input.transferSyntax)).toEqual(before);
  });
});
