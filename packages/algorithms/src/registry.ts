import type { Algorithm } from './framework.js';
import { crosstab } from './crosstab/index.js';
import { histogram } from './histogram/index.js';
import { linearRegression } from './linear-regression/index.js';
import { summary } from './summary/index.js';
import { correlation } from './correlation/index.js';
import { anova } from './anova/index.js';
import { ttest } from './ttest/index.js';
import { kaplanMeier } from './kaplan-meier/index.js';
import { logisticRegression, poissonRegression } from './glm/index.js';
import { pca } from './pca/index.js';
import { kmeans } from './kmeans/index.js';
import { train } from './learning/train/index.js';
import { imageStats, imagingCohort } from './imaging/index.js';

/*
 * The built-in algorithms (DESIGN "node": only built-in, versioned algorithms run). A plain
 * frozen list, not a mutable registry, so nothing at run time can add code that nodes would run.
 */
const BUILT_INS: readonly Algorithm[] = Object.freeze([
  summary,
  histogram,
  crosstab,
  ttest,
  linearRegression,
  anova,
  correlation,
  logisticRegression,
  poissonRegression,
  kaplanMeier,
  pca,
  kmeans,
  train as Algorithm,
  imagingCohort,
  imageStats,
]);

/** Every built-in algorithm, in a stable order. */
export function listAlgorithms(): readonly Algorithm[] {
  return BUILT_INS;
}

/** The built-in algorithm called `name`, or undefined. */
export function getAlgorithm(name: string): Algorithm | undefined {
  return BUILT_INS.find((a) => a.name === name);
}
