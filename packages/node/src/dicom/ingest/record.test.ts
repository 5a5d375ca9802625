import { describe, expect, it } from 'vitest';
import { setNumbers, setString } from '../core/values.js';
import type { DicomDataset } from '../core/types.js';
import { instanceKey, instancePath, instanceRecord, isoDate } from './record.js';
import { sniffBytes } from './sniff.js';

function dataset(entries: Record<number, string>): DicomDataset {
  const ds: DicomDataset = new Map();
  for (const [tag, value] of Object.entries(entries)) setString(ds, Number(tag), value);
  return ds;
}

const UIDS = {
  0x00080016: '1.2.840.10008.5.1.4.1.1.2',
  0x00080018: '2.25.3',
  0x0020000d: '2.25.1',
  0x0020000e: '2.25.2',
};

describe('instanceKey', () => {
  it('names the store path from the UIDs only', () => {
    const key = instanceKey(dataset(UIDS));
    if ('reason' in key) throw new Error(key.reason);
    expect(instancePath(key)).toBe('2.25.1/2.25.2/2.25.3.dcm');
  });

  it('refuses a missing or path-like UID with a reason naming the attribute', () => {
    expect(instanceKey(dataset({ ...UIDS, 0x0020000e: '' }))).toEqual({
      reason: 'Series Instance UID (0020,000E) is missing',
    });
    expect(instanceKey(dataset({ ...UIDS, 0x00080018: '../../etc' }))).toEqual({
      reason: 'SOP Instance UID (0008,0018) is not a valid UID',
    });
  });
});

describe('instanceRecord', () => {
  it('reads what the de-identified dataset kept, and nothing it removed', () => {
    const ds = dataset({
      ...UIDS,
      0x00080060: 'CT',
      0x00100020: 'ab'.repeat(32),
      0x00101010: '006M',
      0x00200013: '12',
    });
    setNumbers(ds, 0x00280010, [512]);
    setNumbers(ds, 0x00280011, [256]);
    const key = instanceKey(ds);
    if ('reason' in key) throw new Error(key.reason);
    const r = instanceRecord(ds, key, {
      bytes: 10,
      transferSyntax: '1.2.840.10008.1.2.1',
      storedAt: new Date(0),
    });
    expect(r).toMatchObject({
      patient: 'ab'.repeat(32),
      modality: 'CT',
      bodyPart: null,
      seriesDescription: null,
      studyDate: null,
      sex: null,
      ageYears: 0.5,
      rows: 512,
      columns: 256,
      frames: 0,
      instanceNumber: 12,
    });
  });

  it('reads a DA as an ISO date only when it is a calendar date', () => {
    expect(isoDate('20240229')).toBe('2024-02-29');
    expect(isoDate('20230229')).toBeNull();
    expect(isoDate('2024')).toBeNull();
  });
});

describe('sniffBytes', () => {
  it('tells Part 10 files, bare datasets and other files apart', () => {
    const part10 = Buffer.concat([Buffer.alloc(128), Buffer.from('DICM')]);
    expect(sniffBytes(part10)).toEqual({ kind: 'part10' });
    expect(sniffBytes(Buffer.from([0x08, 0, 0x05, 0, 0x43, 0x53, 10, 0]))).toEqual({
      kind: 'dataset',
      transferSyntax: '1.2.840.10008.1.2.1',
    });
    expect(sniffBytes(Buffer.from([0x08, 0, 0x05, 0, 10, 0, 0, 0]))).toEqual({
      kind: 'dataset',
      transferSyntax: '1.2.840.10008.1.2',
    });
    expect(sniffBytes(Buffer.from('%PDF-1.7 not an image at all')).kind).toBe('not-dicom');
    expect(sniffBytes(Buffer.from('short')).kind).toBe('not-dicom');
  });
});
