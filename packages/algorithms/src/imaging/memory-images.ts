import type { SeriesImages } from '../framework.js';
import { addToBins } from './bins.js';
import { areaDownsample, middleInstance } from './downsample.js';

/** One decoded frame: modality values, row-major. */
export interface ImageFrame {
  readonly rows: number;
  readonly columns: number;
  readonly values: ArrayLike<number>;
}

/**
 * SeriesImages over frames already in memory, by Series Instance UID, each series' frames in
 * instance order (one frame per instance). For simulations, tests and benchmarks: a node reads
 * its store instead. A series mapped to null stands for one whose pixels cannot be decoded.
 */
export function memorySeriesImages(
  series: ReadonlyMap<string, readonly ImageFrame[] | null>,
): SeriesImages {
  return {
    histogram(seriesUid, min, max, bins) {
      const frames = series.get(seriesUid);
      if (frames === undefined || frames === null) return null;
      const counts = new Float64Array(bins);
      for (const f of frames) addToBins(f.values, min, max, counts);
      return counts;
    },
    thumbnail(seriesUid, size) {
      const frames = series.get(seriesUid);
      if (frames === undefined || frames === null) return null;
      const middle = frames[middleInstance(frames.length)];
      if (middle === undefined) return null;
      return areaDownsample(middle.values, middle.rows, middle.columns, size);
    },
  };
}
