/*
 * Imaging algorithms and helpers (issue 7): `imaging-cohort` and `image-stats` over an imaging
 * dataset (one row per series), the bins and thumbnails that SeriesImages defines, and an
 * in-memory SeriesImages with a simulator for tests and benchmarks.
 */
export * from './cohort/index.js';
export * from './stats/index.js';
export { addToBins, binOf, binnedMoments, MAX_IMAGE_BINS, type BinnedMoments } from './bins.js';
export { areaDownsample, middleInstance } from './downsample.js';
export { memorySeriesImages, type ImageFrame } from './memory-images.js';
export { simulateImagingJob, type ImagingSite } from './simulate-imaging.js';
export { cellsToSuppress } from './suppress-patients.js';
export {
  IMAGING_GROUP_VARIABLES,
  MAX_IMAGING_GROUPS,
  type ImagingGroupVariable,
} from './series-table.js';
export type { GroupKey } from './params.js';
