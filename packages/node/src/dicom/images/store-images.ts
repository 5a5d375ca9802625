import { readFileSync } from 'node:fs';
import { addToBins, middleInstance, type SeriesImages } from '@tessera/algorithms';
import { parseDicomFile } from '../core/parse.js';
import { decodeFrame, downsample, frameCount, pixelLayout } from '../core/pixels.js';
import type { DicomDataset } from '../core/types.js';
import { seriesInstances, type DicomIndex } from '../ingest/dicom-index.js';

/*
 * Pixel access for local steps over an imaging dataset (framework.ts SeriesImages, issue 7
 * "pixel data available to the executor"): the step worker builds one per step from the node's
 * imaging index. Files are read synchronously, as local steps are synchronous pure functions
 * run in the worker thread. What was computed is kept for the step's life: a step that asks for
 * one series twice reads it once. Nothing decoded outlives the step.
 */

/** One stored file parsed; throws when it cannot be read or parsed. */
function readInstance(path: string): DicomDataset {
  return parseDicomFile(readFileSync(path)).dataset;
}

/** Every frame of `ds` decoded, in order, or null when one cannot be. */
function framesOf(ds: DicomDataset): Float32Array[] | null {
  const n = frameCount(ds);
  if (n === 0) return null;
  const out: Float32Array[] = [];
  for (let f = 0; f < n; f++) {
    const v = decodeFrame(ds, f);
    if (v === null) return null;
    out.push(v);
  }
  return out;
}

/** `histogram` of one series, reading and decoding one instance at a time. */
function seriesHistogram(
  paths: readonly string[],
  min: number,
  max: number,
  bins: number,
): Float64Array | null {
  if (paths.length === 0) return null;
  const counts = new Float64Array(bins);
  for (const path of paths) {
    const frames = framesOf(readInstance(path));
    if (frames === null) return null;
    for (const f of frames) addToBins(f, min, max, counts);
  }
  return counts;
}

/**
 * SeriesImages over the stored files of `index`. Histograms count every frame of every stored
 * instance of the series; thumbnails take the first frame of the instance at position ⌊n/2⌋ in
 * instance order. A series that is unknown, or has an instance that cannot be read, parsed or
 * decoded (compressed pixel data, colour, inconsistent header), gives null. Never throws for a
 * series: a broken one is the caller's undecodable count.
 *
 * @throws RangeError for arguments outside the contract (bins or size not a positive integer,
 *   min not below max): those are the caller's bugs, not the data's.
 */
export function storeSeriesImages(index: DicomIndex): SeriesImages {
  // Results only: decoded pixels are dropped as soon as they are counted, so a step over many
  // series holds one instance's pixels at a time.
  const histograms = new Map<string, Float64Array | null>();
  const thumbnails = new Map<string, Float32Array | null>();
  const pathsOf = (uid: string): string[] => seriesInstances(index, uid).map((i) => i.path);
  return {
    histogram(seriesUid, min, max, bins) {
      if (!Number.isInteger(bins) || bins < 1) {
        throw new RangeError('bins must be a positive integer');
      }
      if (!(min < max) || !Number.isFinite(max - min))
        throw new RangeError('min must be below max');
      const key = `${seriesUid}|${String(min)}|${String(max)}|${String(bins)}`;
      let h = histograms.get(key);
      if (h === undefined) {
        h = guarded(() => seriesHistogram(pathsOf(seriesUid), min, max, bins));
        histograms.set(key, h);
      }
      return h === null ? null : h.slice();
    },
    thumbnail(seriesUid, size) {
      if (!Number.isInteger(size) || size < 1)
        throw new RangeError('size must be a positive integer');
      const key = `${seriesUid}|${String(size)}`;
      let t = thumbnails.get(key);
      if (t === undefined) {
        const paths = pathsOf(seriesUid);
        const middle = paths[middleInstance(paths.length)];
        t = middle === undefined ? null : guarded(() => thumbnailOf(readInstance(middle), size));
        thumbnails.set(key, t);
      }
      return t === null ? null : t.slice();
    },
  };
}

function thumbnailOf(ds: DicomDataset, size: number): Float32Array | null {
  const frame = decodeFrame(ds, 0);
  if (frame === null) return null;
  const { rows, columns } = pixelLayout(ds);
  return downsample(frame, rows, columns, size);
}

/**
 * Runs a read and decode; any failure (a missing or unreadable file, a DicomParseError, a
 * RangeError from inconsistent pixel data) makes the series one this step cannot use.
 */
function guarded<T>(f: () => T | null): T | null {
  try {
    return f();
  } catch {
    return null;
  }
}
