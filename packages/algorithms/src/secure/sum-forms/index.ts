import type { SumForm } from '../sum-form.js';
import { crosstabSumForm } from './crosstab.js';
import { newtonSumForm } from './glm.js';
import { anovaSumForm, ttestSumForm } from './group-moments.js';
import { histogramSumForm } from './histogram.js';
import { kaplanMeierSumForm } from './kaplan-meier.js';
import { momentsSumForm } from './linear-regression.js';
import { summarySumForm } from './summary.js';
import { trainEvaluateSumForm, trainRoundSumForm } from './train.js';

/**
 * The sum forms of every algorithm that secure aggregation supports, by algorithm name, then by
 * step name. Steps not listed (e.g. 'levels') run as plain steps.
 */
export const SUM_FORMS: Readonly<Record<string, Readonly<Record<string, SumForm<never>>>>> = {
  summary: { stats: summarySumForm },
  histogram: { counts: histogramSumForm },
  crosstab: { table: crosstabSumForm },
  'linear-regression': { moments: momentsSumForm },
  'logistic-regression': { newton: newtonSumForm },
  'poisson-regression': { newton: newtonSumForm },
  'kaplan-meier': { counts: kaplanMeierSumForm },
  anova: { groups: anovaSumForm },
  ttest: { groups: ttestSumForm },
  train: { round: trainRoundSumForm, evaluate: trainEvaluateSumForm },
};

export {
  anovaSumForm,
  ttestSumForm,
  crosstabSumForm,
  histogramSumForm,
  kaplanMeierSumForm,
  momentsSumForm,
  newtonSumForm,
  summarySumForm,
  trainEvaluateSumForm,
  trainRoundSumForm,
};
