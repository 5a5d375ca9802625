import { oneStepAlgorithm } from '../../one-step.js';
import { aggregateImagingCohort } from './aggregate.js';
import { discloseImagingCohort, runImagingCohort } from './local.js';
import { imagingCohortParamsSchema } from './schemas.js';

/** Name of the single local step of `imaging-cohort`. */
export const IMAGING_COHORT_STEP = 'counts';

/**
 * `imaging-cohort` (issue 7): over an imaging dataset (one row per series), the patients,
 * studies, series and instances per group of modality, body part and/or series description,
 * optionally within a study date range. Groups of fewer than minCount patients are suppressed at
 * each site (with secondary suppression); the hub adds the sites' counts. One round.
 *
 * `variables()` names the group variables (and study_date), not the identifier columns it counts
 * distinct: see seriesColumns.
 */
export const imagingCohort = oneStepAlgorithm({
  name: 'imaging-cohort',
  version: '1.0.0',
  description: 'Patients, studies, series and instances of an imaging dataset by group',
  params: imagingCohortParamsSchema,
  variables: (params) => [
    ...params.groupBy,
    'instances',
    ...(params.dateRange === undefined ? [] : ['study_date']),
  ],
  step: IMAGING_COHORT_STEP,
  run: runImagingCohort,
  disclose: discloseImagingCohort,
  aggregate: aggregateImagingCohort,
});

export { IMAGING_COHORT_FAILURES, PATIENTS_NOTE } from './aggregate.js';
export * from './schemas.js';
