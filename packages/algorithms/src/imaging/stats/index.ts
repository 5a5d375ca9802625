import { oneStepAlgorithm } from '../../one-step.js';
import { aggregateImageStats } from './aggregate.js';
import { discloseImageStats, runImageStats } from './local.js';
import { imageStatsParamsSchema } from './schemas.js';

/** Name of the single local step of `image-stats`. */
export const IMAGE_STATS_STEP = 'histograms';

/**
 * `image-stats` (issue 7): per group of series (by modality, body part and/or series description)
 * the histogram of modality values over every pixel of the group's series, read at each site
 * through `ctx.images` and added exactly at the hub, with the series and patients behind it and
 * the mean and sd of the binned values. Groups of fewer than minCount patients, and bins that
 * fewer than minCount patients have pixels in, are suppressed at each site. One round.
 *
 * `variables()` names the group variables only: see seriesColumns for the identifier columns.
 */
export const imageStats = oneStepAlgorithm({
  name: 'image-stats',
  version: '1.0.0',
  description: 'Histogram, mean and sd of image intensities per group of imaging series',
  params: imageStatsParamsSchema,
  variables: (params) => [...params.groupBy],
  step: IMAGE_STATS_STEP,
  run: runImageStats,
  disclose: discloseImageStats,
  aggregate: aggregateImageStats,
});

export { IMAGE_STATS_FAILURES } from './aggregate.js';
export * from './schemas.js';
