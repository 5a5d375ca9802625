import { describe, expect, it } from 'vitest';
import type { DicomDataset } from '../core/types.js';
import { setString } from '../core/values.js';
import { findValues } from './scan.js';

function nested(depth: number, value: string): DicomDataset {
  const ds: DicomDataset = new Map();
  if (depth === 0) {
    setString(ds, 0x00100010, value);
    return ds;
  }
  ds.set(0x00081115, { tag: 0x00081115, vr: 'SQ', items: [new Map(), nested(depth - 1, value)] });
  return ds;
}

describe('findValues', () => {
  it('finds a value three sequences down and names its path', () => {
    expect(findValues(nested(3, 'Doe^Jane'), ['jane', 'absent'])).toEqual([
      { path: '(0008,1115)[1](0008,1115)[1](0008,1115)[1](0010,0010)', needle: 'jane' },
    ]);
  });

  it('reads private and unknown elements as text, in latin1 and UTF-8', () => {
    const ds: DicomDataset = new Map();
    ds.set(0x00091001, {
      tag: 0x00091001,
      vr: 'UN',
      value: new Uint8Array(Buffer.from('xx Jürgen', 'utf8')),
    });
    ds.set(0x00091002, {
      tag: 0x00091002,
      vr: 'OB',
      value: new Uint8Array(Buffer.from('Müller', 'latin1')),
    });
    expect(findValues(ds, ['JÜRGEN', 'müller']).map((f) => f.path)).toEqual([
      '(0009,1001)',
      '(0009,1002)',
    ]);
  });

  it('decodes with the Specific Character Set of the dataset', () => {
    const ds: DicomDataset = new Map();
    setString(ds, 0x00080005, 'ISO_IR 192');
    setString(ds, 0x00100010, 'Ωmega^Zoë');
    expect(findValues(ds, ['zoë', 'ωMEGA'])).toHaveLength(2);
  });

  it('skips pixel data and numbers, and matches no empty needle', () => {
    const ds: DicomDataset = new Map();
    ds.set(0x7fe00010, { tag: 0x7fe00010, vr: 'OW', value: new Uint8Array(Buffer.from('Doe ')) });
    ds.set(0x00280010, { tag: 0x00280010, vr: 'US', value: new Uint8Array(Buffer.from('Do')) });
    expect(findValues(ds, ['Doe', 'Do', ''])).toEqual([]);
  });
});
