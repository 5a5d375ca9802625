import { describe, expect, it } from 'vitest';
import { decodeFrame, downsample, frameCount } from './pixels.js';
import { makeSampleDataset } from '../../testing/dicom-sample.js';
import type { DicomDataset } from './types.js';
import { DicomParseError } from './types.js';
import { setNumbers, setString } from './values.js';

function image(
  bits: { allocated: number; stored: number; high: number; signed: boolean },
  words: number[],
  rows: number,
  columns: number,
  frames?: number,
): DicomDataset {
  const ds: DicomDataset = new Map();
  setNumbers(ds, 0x00280010, [rows]);
  setNumbers(ds, 0x00280011, [columns]);
  setNumbers(ds, 0x00280002, [1]);
  setNumbers(ds, 0x00280100, [bits.allocated]);
  setNumbers(ds, 0x00280101, [bits.stored]);
  setNumbers(ds, 0x00280102, [bits.high]);
  setNumbers(ds, 0x00280103, [bits.signed ? 1 : 0]);
  if (frames !== undefined) setNumbers(ds, 0x00280008, [frames]);
  const width = bits.allocated / 8;
  const bytes = new Uint8Array(words.length * width + ((words.length * width) % 2));
  const view = new DataView(bytes.buffer);
  words.forEach((w, i) => {
    if (width === 1) view.setUint8(i, w);
    else if (width === 2) view.setUint16(i * 2, w, true);
    else view.setUint32(i * 4, w, true);
  });
  ds.set(0x7fe00010, { tag: 0x7fe00010, vr: width === 1 ? 'OB' : 'OW', value: bytes });
  return ds;
}

describe('decodeFrame', () => {
  it('gives the sample CT in Hounsfield units (stored × 1 − 1024)', () => {
    const values = decodeFrame(makeSampleDataset());
    expect([...(values ?? [])]).toEqual(Array.from({ length: 16 }, (_, i) => (i - 8) * 100 - 1024));
  });

  it('masks bits above the stored ones and sign-extends 12-bit values (PS3.5 8.1.1)', () => {
    // 0xF7FF: overlay bits set above bit 11; stored 0x7FF = 2047. 0x0800 = -2048, 0x0FFF = -1.
    const ds = image(
      { allocated: 16, stored: 12, high: 11, signed: true },
      [0xf7ff, 0x0800, 0x0fff, 0x0001],
      2,
      2,
    );
    expect([...(decodeFrame(ds) ?? [])]).toEqual([2047, -2048, -1, 1]);
    const unsigned = image(
      { allocated: 16, stored: 12, high: 11, signed: false },
      [0xf7ff, 0x0800],
      1,
      2,
    );
    expect([...(decodeFrame(unsigned) ?? [])]).toEqual([2047, 2048]);
  });

  it('shifts values whose high bit is not bits stored − 1', () => {
    // Stored bits 4..15: 0xFFF0 → 0xFFF = -1 signed; 0x0010 → 1.
    const ds = image({ allocated: 16, stored: 12, high: 15, signed: true }, [0xfff0, 0x0010], 1, 2);
    expect([...(decodeFrame(ds) ?? [])]).toEqual([-1, 1]);
  });

  it('reads 8- and 32-bit data and applies rescale slope and intercept', () => {
    const eight = image(
      { allocated: 8, stored: 8, high: 7, signed: false },
      [0, 128, 255, 7],
      2,
      2,
    );
    setString(eight, 0x00281053, '0.5');
    setString(eight, 0x00281052, '-10');
    expect([...(decodeFrame(eight) ?? [])]).toEqual([-10, 54, 117.5, -6.5]);
    const wide = image(
      { allocated: 32, stored: 32, high: 31, signed: true },
      [0xffffffff, 0x80000000, 123456789],
      1,
      3,
    );
    expect([...(decodeFrame(wide) ?? [])]).toEqual([-1, -2147483648, 123456792]); // float32 rounding of 123456789
  });

  it('picks the requested frame and counts frames', () => {
    const ds = image(
      { allocated: 16, stored: 16, high: 15, signed: false },
      [1, 2, 3, 4, 5, 6],
      1,
      2,
      3,
    );
    expect(frameCount(ds)).toBe(3);
    expect([...(decodeFrame(ds, 2) ?? [])]).toEqual([5, 6]);
    expect(() => decodeFrame(ds, 3)).toThrow(RangeError);
    expect(frameCount(new Map())).toBe(0);
  });

  it('returns null for encapsulated, colour and 1-bit data', () => {
    const enc = makeSampleDataset([{ tag: 0x7fe00010, vr: 'OB', fragments: [new Uint8Array(0)] }]);
    expect(decodeFrame(enc)).toBeNull();
    const rgb = makeSampleDataset();
    setNumbers(rgb, 0x00280002, [3]);
    expect(decodeFrame(rgb)).toBeNull();
    const bitmap = image({ allocated: 1, stored: 1, high: 0, signed: false }, [], 1, 1);
    expect(decodeFrame(bitmap)).toBeNull();
  });

  it('refuses pixel data shorter than the header says, and contradictory bits', () => {
    const short = image({ allocated: 16, stored: 16, high: 15, signed: false }, [1, 2, 3], 2, 2);
    expect(() => decodeFrame(short)).toThrow(DicomParseError);
    const contradictory = image(
      { allocated: 16, stored: 12, high: 4, signed: false },
      [1, 2, 3, 4],
      2,
      2,
    );
    expect(() => decodeFrame(contradictory)).toThrow(/inconsistent bits/);
  });

  it('reads Float Pixel Data as it is', () => {
    const ds: DicomDataset = new Map();
    setNumbers(ds, 0x00280010, [1]);
    setNumbers(ds, 0x00280011, [2]);
    ds.set(0x7fe00008, {
      tag: 0x7fe00008,
      vr: 'OF',
      value: new Uint8Array(new Float32Array([1.5, -2]).buffer),
    });
    expect([...(decodeFrame(ds) ?? [])]).toEqual([1.5, -2]);
  });
});

/**
 * Independent reference: blow every source pixel up into size × size cells, so that each
 * output pixel covers exactly rows × cols cells, and take the plain mean of those cells.
 */
function reference(values: number[], rows: number, cols: number, size: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) {
      let sum = 0;
      for (let y = i * rows; y < (i + 1) * rows; y++) {
        for (let x = j * cols; x < (j + 1) * cols; x++) {
          sum += values[Math.floor(y / size) * cols + Math.floor(x / size)] ?? NaN;
        }
      }
      out.push(sum / (rows * cols));
    }
  }
  return out;
}

describe('downsample', () => {
  it('averages whole blocks when the size divides the image', () => {
    const values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
    expect([...downsample(values, 4, 4, 2)]).toEqual([3.5, 5.5, 11.5, 13.5]);
  });

  for (const [rows, cols, size] of [
    [5, 7, 3],
    [7, 5, 4],
    [3, 3, 5],
    [10, 6, 4],
    [1, 9, 2],
  ] as const) {
    it(`matches the exact area mean for ${rows}×${cols} → ${size}×${size} (tolerance 1e-5 relative, float32)`, () => {
      const values = Array.from({ length: rows * cols }, (_, k) => Math.sin(k * 1.7) * 1000 + k);
      const got = downsample(values, rows, cols, size);
      const want = reference(values, rows, cols, size);
      want.forEach((w, k) => {
        expect(Math.abs((got[k] ?? NaN) - w)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(w)));
      });
    });
  }

  it('refuses bad dimensions and short input', () => {
    expect(() => downsample([1, 2, 3], 2, 2, 1)).toThrow(RangeError);
    expect(() => downsample([1], 1, 1, 0)).toThrow(RangeError);
  });
});
