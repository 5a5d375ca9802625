/*
 * Numeric values (PS3.5 6.2): binary VRs read and written little endian, as the data model
 * keeps them; IS and DS as text.
 */
import { vrOf } from './dictionary.js';
import type { DicomDataset, DicomElement, Tag, Vr } from './types.js';
import { formatTag } from './vr.js';

interface Binary {
  readonly width: number;
  readonly get: (v: DataView, at: number) => number;
  readonly set: (v: DataView, at: number, n: number) => void;
  readonly min: number;
  readonly max: number;
}

const int = (
  width: number,
  get: (v: DataView, at: number) => number,
  set: (v: DataView, at: number, n: number) => void,
  min: number,
  max: number,
): Binary => ({ width, get, set, min, max });

const U16 = int(
  2,
  (v, a) => v.getUint16(a, true),
  (v, a, n) => {
    v.setUint16(a, n, true);
  },
  0,
  0xffff,
);
const U32 = int(
  4,
  (v, a) => v.getUint32(a, true),
  (v, a, n) => {
    v.setUint32(a, n, true);
  },
  0,
  0xffffffff,
);
const F32 = int(
  4,
  (v, a) => v.getFloat32(a, true),
  (v, a, n) => {
    v.setFloat32(a, n, true);
  },
  -Infinity,
  Infinity,
);
const F64 = int(
  8,
  (v, a) => v.getFloat64(a, true),
  (v, a, n) => {
    v.setFloat64(a, n, true);
  },
  -Infinity,
  Infinity,
);
const U64 = int(
  8,
  (v, a) => Number(v.getBigUint64(a, true)),
  (v, a, n) => {
    v.setBigUint64(a, BigInt(n), true);
  },
  0,
  Number.MAX_SAFE_INTEGER,
);

/** Binary numeric VRs (OW, OL, OF, OD, OV read as arrays of their unit). */
const BINARY: Partial<Record<Vr, Binary>> = {
  US: U16,
  OW: U16,
  SS: int(
    2,
    (v, a) => v.getInt16(a, true),
    (v, a, n) => {
      v.setInt16(a, n, true);
    },
    -0x8000,
    0x7fff,
  ),
  UL: U32,
  OL: U32,
  SL: int(
    4,
    (v, a) => v.getInt32(a, true),
    (v, a, n) => {
      v.setInt32(a, n, true);
    },
    -0x80000000,
    0x7fffffff,
  ),
  FL: F32,
  OF: F32,
  FD: F64,
  OD: F64,
  UV: U64,
  OV: U64,
  SV: int(
    8,
    (v, a) => Number(v.getBigInt64(a, true)),
    (v, a, n) => {
      v.setBigInt64(a, BigInt(n), true);
    },
    Number.MIN_SAFE_INTEGER,
    Number.MAX_SAFE_INTEGER,
  ),
  // AT: a tag as (group, element), each a 16-bit number (PS3.5 6.2).
  AT: int(
    4,
    (v, a) => ((v.getUint16(a, true) << 16) | v.getUint16(a + 2, true)) >>> 0,
    (v, a, n) => {
      v.setUint16(a, n >>> 16, true);
      v.setUint16(a + 2, n & 0xffff, true);
    },
    0,
    0xffffffff,
  ),
};

const DS_PATTERN = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const IS_PATTERN = /^[+-]?\d+$/;

/**
 * The numbers of an element of VR US, SS, UL, SL, FL, FD, SV, UV, AT (a tag as a number), OW,
 * OL, OF, OD, OV, IS or DS; [] when absent. A text value that is empty or not a number reads
 * as NaN, so indices keep their place. SV/UV beyond 2^53 lose precision.
 */
export function getNumbers(ds: DicomDataset, tag: Tag): number[] {
  const el = ds.get(tag);
  if (el?.value === undefined) return [];
  const bytes = el.value;
  if (el.vr === 'IS' || el.vr === 'DS') {
    if (bytes.length === 0) return [];
    const pattern = el.vr === 'IS' ? IS_PATTERN : DS_PATTERN;
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
      .toString('latin1')
      .split('\\')
      .map((s) => s.replace(/[\0 ]+$/, '').replace(/^ +/, ''))
      .map((s) => (pattern.test(s) ? Number(s) : NaN));
  }
  const b = BINARY[el.vr];
  if (b === undefined) return [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: number[] = [];
  for (let at = 0; at + b.width <= bytes.length; at += b.width) out.push(b.get(view, at));
  return out;
}

/** The `index`th number of an element (see getNumbers); undefined when absent or not a number. */
export function getNumber(ds: DicomDataset, tag: Tag, index = 0): number | undefined {
  const n = getNumbers(ds, tag)[index];
  return n === undefined || Number.isNaN(n) ? undefined : n;
}

/** A Decimal String of at most 16 characters (PS3.5 6.2) that reads back as close to `n` as fits. */
export function formatDecimalString(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError('DS cannot hold NaN or infinity');
  const plain = String(n);
  if (plain.length <= 16) return plain;
  for (let p = 16; p >= 1; p--) {
    for (const s of [n.toPrecision(p), n.toExponential(p - 1)]) {
      const compact = s.replace(/e\+?/, 'E').replace(/\.?0+E/, 'E');
      if (compact.length <= 16) return compact;
    }
  }
  throw new RangeError('DS cannot hold the number');
}

function encodeText(numbers: readonly number[], vr: 'IS' | 'DS', tag: Tag): Uint8Array {
  const parts = numbers.map((n) => {
    if (vr === 'DS') return formatDecimalString(n);
    if (!Number.isInteger(n) || n < -0x80000000 || n > 0x7fffffff) {
      throw new RangeError(`${formatTag(tag)} (IS) takes 32-bit integers only`);
    }
    return String(n);
  });
  const text = parts.join('\\');
  return new Uint8Array(Buffer.from(text.length % 2 === 0 ? text : `${text} `, 'latin1'));
}

/**
 * Sets a numeric element (any VR getNumbers reads); the VR defaults to the dictionary's.
 * @throws RangeError for a VR that holds no numbers, or a number out of the VR's range.
 */
export function setNumbers(
  ds: DicomDataset,
  tag: Tag,
  numbers: readonly number[],
  vr?: Vr,
): DicomElement {
  const v = vr ?? vrOf(tag);
  let value: Uint8Array;
  if (v === 'IS' || v === 'DS') {
    value = encodeText(numbers, v, tag);
  } else {
    const b = BINARY[v];
    if (b === undefined)
      throw new RangeError(`${formatTag(tag)} has VR ${v}, which holds no numbers`);
    value = new Uint8Array(numbers.length * b.width);
    const view = new DataView(value.buffer);
    numbers.forEach((n, i) => {
      const ok = b.min === -Infinity || (Number.isInteger(n) && n >= b.min && n <= b.max);
      if (!ok) throw new RangeError(`value ${i} for ${formatTag(tag)} is out of range for VR ${v}`);
      b.set(view, i * b.width, n);
    });
  }
  const el: DicomElement = { tag, vr: v, value };
  ds.set(tag, el);
  return el;
}
