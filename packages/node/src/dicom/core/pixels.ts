/*
 * Native (uncompressed) pixel data to modality values (PS3.3 C.7.6.3 Image Pixel Module,
 * C.11.1 Modality LUT: value × Rescale Slope + Rescale Intercept), and area downsampling, for
 * the image statistics and the arrays handed to training (issue 7).
 */
import type { DicomDataset } from './types.js';
import { DicomParseError } from './types.js';
import { getNumber } from './values.js';

const PIXEL_DATA = 0x7fe00010;
const FLOAT_PIXEL_DATA = 0x7fe00008;
const DOUBLE_PIXEL_DATA = 0x7fe00009;

/** The Image Pixel Module attributes that decoding needs. */
export interface PixelLayout {
  readonly rows: number;
  readonly columns: number;
  readonly frames: number;
  readonly samplesPerPixel: number;
  readonly bitsAllocated: number;
  readonly bitsStored: number;
  readonly highBit: number;
  readonly signed: boolean;
  readonly slope: number;
  readonly intercept: number;
}

/**
 * The number of frames: Number of Frames (0028,0008), 1 when absent, 0 when there is no pixel
 * data at all.
 */
export function frameCount(ds: DicomDataset): number {
  if (!ds.has(PIXEL_DATA) && !ds.has(FLOAT_PIXEL_DATA) && !ds.has(DOUBLE_PIXEL_DATA)) return 0;
  const n = getNumber(ds, 0x00280008);
  return n !== undefined && Number.isInteger(n) && n > 0 ? n : 1;
}

function bad(message: string): never {
  throw new DicomParseError(message, 0, '(7FE0,0010)');
}

/** The layout of a dataset's pixels; throws DicomParseError when the header contradicts itself. */
export function pixelLayout(ds: DicomDataset): PixelLayout {
  const rows = getNumber(ds, 0x00280010) ?? 0;
  const columns = getNumber(ds, 0x00280011) ?? 0;
  if (rows < 1 || columns < 1) bad(`image of ${rows} rows × ${columns} columns`);
  const bitsAllocated = getNumber(ds, 0x00280100) ?? 0;
  const bitsStored = getNumber(ds, 0x00280101) ?? bitsAllocated;
  const highBit = getNumber(ds, 0x00280102) ?? bitsStored - 1;
  if (
    bitsStored < 1 ||
    bitsStored > bitsAllocated ||
    highBit >= bitsAllocated ||
    highBit < bitsStored - 1
  ) {
    bad(`inconsistent bits: allocated ${bitsAllocated}, stored ${bitsStored}, high bit ${highBit}`);
  }
  return {
    rows,
    columns,
    frames: frameCount(ds),
    samplesPerPixel: getNumber(ds, 0x00280002) ?? 1,
    bitsAllocated,
    bitsStored,
    highBit,
    signed: getNumber(ds, 0x00280103) === 1,
    slope: getNumber(ds, 0x00281053) ?? 1,
    intercept: getNumber(ds, 0x00281052) ?? 0,
  };
}

/** Reads stored values: shift out the bits below the stored ones, mask, sign-extend (PS3.5 8.1.1). */
function storedValues(
  bytes: Uint8Array,
  start: number,
  count: number,
  l: PixelLayout,
): Float64Array {
  const out = new Float64Array(count);
  const low = l.highBit + 1 - l.bitsStored;
  if (l.bitsAllocated <= 16) {
    // 8 and 16 bits: integer arithmetic; the sign moves to bit 31 and back.
    const up = 32 - l.bitsStored;
    const mask = 2 ** l.bitsStored - 1;
    const two = l.bitsAllocated === 16;
    for (let i = 0; i < count; i++) {
      const at = start + (two ? i * 2 : i);
      const raw = two ? (bytes[at] ?? 0) | ((bytes[at + 1] ?? 0) << 8) : (bytes[at] ?? 0);
      const v = (raw >>> low) & mask;
      out[i] = l.signed ? (v << up) >> up : v;
    }
    return out;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shift = 2 ** low;
  const range = 2 ** l.bitsStored;
  for (let i = 0; i < count; i++) {
    let v = Math.floor(view.getUint32(start + i * 4, true) / shift) % range;
    if (l.signed && v >= range / 2) v -= range;
    out[i] = v;
  }
  return out;
}

function floatFrame(ds: DicomDataset, frame: number): Float32Array | null {
  const float = ds.get(FLOAT_PIXEL_DATA)?.value;
  const double = ds.get(DOUBLE_PIXEL_DATA)?.value;
  const bytes = float ?? double;
  if (bytes === undefined) return null;
  const rows = getNumber(ds, 0x00280010) ?? 0;
  const columns = getNumber(ds, 0x00280011) ?? 0;
  const count = rows * columns;
  const width = float !== undefined ? 4 : 8;
  if (count < 1 || bytes.length < (frame + 1) * count * width) {
    bad(`float pixel data of ${bytes.length} bytes has no frame ${frame} of ${rows}×${columns}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(count);
  const start = frame * count * width;
  for (let i = 0; i < count; i++) {
    out[i] =
      width === 4 ? view.getFloat32(start + i * 4, true) : view.getFloat64(start + i * 8, true);
  }
  return out;
}

/**
 * One frame of native pixel data as modality values (stored value × slope + intercept), row
 * by row. Null when there is nothing this can decode: no pixel data, encapsulated (compressed)
 * pixel data, more than one sample per pixel, or Bits Allocated other than 8, 16 or 32. Float
 * and Double Float Pixel Data are returned as they are.
 * @throws DicomParseError when the header contradicts itself or the data is too short.
 * @throws RangeError for a frame number outside 0..frames-1.
 */
export function decodeFrame(ds: DicomDataset, frame = 0): Float32Array | null {
  const pixel = ds.get(PIXEL_DATA);
  if (pixel === undefined) return floatFrame(ds, frame);
  if (pixel.value === undefined) return null;
  const layout = pixelLayout(ds);
  if (layout.samplesPerPixel !== 1 || ![8, 16, 32].includes(layout.bitsAllocated)) return null;
  if (!Number.isInteger(frame) || frame < 0 || frame >= layout.frames) {
    throw new RangeError(`frame ${frame} is not in 0..${layout.frames - 1}`);
  }
  const count = layout.rows * layout.columns;
  const frameBytes = (count * layout.bitsAllocated) / 8;
  if (pixel.value.length < (frame + 1) * frameBytes) {
    bad(
      `pixel data holds ${pixel.value.length} bytes; frame ${frame} needs ${(frame + 1) * frameBytes}`,
    );
  }
  const stored = storedValues(pixel.value, frame * frameBytes, count, layout);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = (stored[i] ?? 0) * layout.slope + layout.intercept;
  return out;
}

/**
 * Resamples a rows × columns image (row major) to size × size by area averaging: each output
 * pixel is the mean of the source area it covers, partly covered source pixels weighted by the
 * part covered. Enlarging repeats values.
 * @throws RangeError when a dimension is not a positive integer or `values` is too short.
 */
export function downsample(
  values: ArrayLike<number>,
  rows: number,
  cols: number,
  size: number,
): Float32Array {
  for (const n of [rows, cols, size]) {
    if (!Number.isInteger(n) || n < 1)
      throw new RangeError('rows, columns and size must be positive integers');
  }
  if (values.length < rows * cols)
    throw new RangeError(`${values.length} values for ${rows}×${cols}`);
  const wr = coverage(rows, size);
  const wc = coverage(cols, size);
  // Separable: average along columns into rows × size, then along rows into size × size.
  const half = new Float64Array(rows * size);
  for (let r = 0; r < rows; r++) {
    for (const [j, from, w] of wc)
      half[r * size + j] = (half[r * size + j] ?? 0) + w * (values[r * cols + from] ?? 0);
  }
  const acc = new Float64Array(size * size);
  for (const [i, from, w] of wr) {
    for (let j = 0; j < size; j++)
      acc[i * size + j] = (acc[i * size + j] ?? 0) + w * (half[from * size + j] ?? 0);
  }
  return Float32Array.from(acc);
}

/** (output cell, source cell, weight) for n source cells onto m output cells; each output's weights sum to 1. */
function coverage(n: number, m: number): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (let i = 0; i < m; i++) {
    // Output cell i covers [i·n/m, (i+1)·n/m) in source units.
    const lo = (i * n) / m;
    const hi = ((i + 1) * n) / m;
    for (let s = Math.floor(lo); s < Math.min(n, Math.ceil(hi)); s++) {
      const overlap = Math.min(hi, s + 1) - Math.max(lo, s);
      if (overlap > 0) out.push([i, s, (overlap * m) / n]);
    }
  }
  return out;
}
