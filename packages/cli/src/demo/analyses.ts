import { TesseraError, type JobView, type SubmitJobRequest } from '@tessera/protocol';
import { formatSites } from '../job-format.js';
import { submitAndWait } from '../job-runner.js';
import { formatAlgorithmResult } from '../result-format/index.js';
import { need, type DemoState } from './demo-state.js';
import { compareWithPooled, type PooledVariable } from './pooled-check.js';
import type { Stage } from './stages.js';

/** One analysis the demo runs after the plain summary, with what it shows a reader. */
export interface DemoAnalysis {
  readonly title: string;
  readonly request: Omit<SubmitJobRequest, 'project' | 'datasets'>;
}

/**
 * The study cohort of the demo (DESIGN "--cohort"): adults of 40 or more with a recorded BMI,
 * evaluated at each node; never SQL, never rows leaving a site.
 */
export const DEMO_COHORT = {
  and: [
    { variable: 'age', op: '>=', value: 40 },
    { variable: 'bmi', op: 'notNull' },
  ],
} as const;

/** The analyses of the showcase (issue 3): summaries, a crosstab, a logistic model, survival. */
export const DEMO_ANALYSES: readonly DemoAnalysis[] = [
  {
    title: 'Cohort age ≥ 40 with a BMI: summaries by sex, with quartiles',
    request: {
      algorithm: 'summary',
      cohort: DEMO_COHORT,
      params: {
        variables: ['age', 'bmi', 'sbp', 'hba1c', 'smoking'],
        groupBy: 'sex',
        quantiles: [0.25, 0.5, 0.75],
      },
    },
  },
  {
    title: 'Cohort: sex × diabetes, with the chi-square test',
    request: {
      algorithm: 'crosstab',
      cohort: DEMO_COHORT,
      params: { rows: 'sex', columns: 'diabetes' },
    },
  },
  {
    title: 'Cohort: smoking × sex with Laplace noise (ε = 0.5 of a budget of 2 per site)',
    request: {
      algorithm: 'crosstab',
      cohort: DEMO_COHORT,
      params: { rows: 'smoking', columns: 'sex', dp: { mechanism: 'laplace', epsilon: 0.5 } },
    },
  },
  {
    title: 'Cohort: logistic regression of diabetes (federated Newton–Raphson)',
    request: {
      algorithm: 'logistic-regression',
      cohort: DEMO_COHORT,
      params: { outcome: 'diabetes', covariates: ['age', 'bmi', 'hba1c', 'sex'] },
    },
  },
  {
    title: 'Cohort: Kaplan–Meier survival free of a cardiovascular event, by diabetes',
    request: {
      algorithm: 'kaplan-meier',
      cohort: DEMO_COHORT,
      params: {
        time: 'followup_days',
        event: 'event',
        group: 'diabetes',
        interval: 365,
        until: 1825,
      },
    },
  },
];

/**
 * The cohort's summary again under secure aggregation (issue 5): each node masks its sums, the
 * hub learns only their total. Compared with the plain run of the same cohort by
 * {@link secureCheckStage}.
 */
export const SECURE_ANALYSIS: DemoAnalysis = {
  title: 'Cohort: the same summary, securely aggregated (the hub sees only masked sums)',
  request: {
    algorithm: 'summary',
    cohort: DEMO_COHORT,
    params: { variables: ['age', 'bmi', 'sbp', 'hba1c', 'smoking'] },
    secureAggregation: true,
  },
};

/** Largest relative difference the secure summary may show against the plain one (fixed point). */
const SECURE_TOLERANCE = 1e-6;

/** Checks the secure summary against the plain cohort summary: counts equal, moments close. */
export const secureCheckStage: Stage<DemoState> = {
  title: 'comparing the secure summary with the plain one',
  run: (s) => {
    const plain = s.analyses.find((a) => a.title === DEMO_ANALYSES[0]?.title)?.job;
    const secure = s.analyses.find((a) => a.title === SECURE_ANALYSIS.title)?.job;
    if (plain?.status !== 'succeeded' || secure?.status !== 'succeeded') {
      return Promise.resolve('skipped: a job failed');
    }
    const variables = (plain.result as { variables?: Record<string, PooledVariable> }).variables;
    const c = compareWithPooled(secure.result, variables ?? {});
    if (c.mismatches.length > 0 || c.maxRelativeDifference > SECURE_TOLERANCE) {
      throw new TesseraError(
        'INTERNAL',
        `the secure summary differs from the plain one (${c.mismatches.join(', ') || `relative difference ${c.maxRelativeDifference}`})`,
      );
    }
    return Promise.resolve(
      `counts equal, means and SDs within ${c.maxRelativeDifference.toExponential(1)} (relative)`,
    );
  },
};

/** A stage that submits one analysis as the researcher and keeps the finished job. */
export function analysisStage(a: DemoAnalysis): Stage<DemoState> {
  return {
    title: `running ${a.request.algorithm}${suffix(a.request)}`,
    run: async (s) => {
      const job = await submitAndWait(
        need(s.researcher, 'researcher login'),
        { ...a.request, project: s.options.project, datasets: [s.options.dataset] },
        { timeoutMs: 120_000 },
      );
      s.analyses.push({ title: a.title, job });
      return job.status === 'succeeded'
        ? `${roundsOf(job)}${jobMs(job)} ms`
        : `${job.status}: ${job.error?.code ?? ''} ${job.error?.reason ?? ''}`;
    },
  };
}

function suffix(r: DemoAnalysis['request']): string {
  if (r.secureAggregation === true) return ' under secure aggregation';
  const dp = (r.params as { dp?: unknown } | undefined)?.dp;
  return dp === undefined ? '' : ' with differential privacy';
}

function roundsOf(job: JobView): string {
  const it = (job.result as { iterations?: unknown } | null)?.iterations;
  return typeof it === 'number' ? `${it} Newton rounds, ` : '';
}

function jobMs(job: JobView): number {
  return job.finishedAt === null ? NaN : Date.parse(job.finishedAt) - Date.parse(job.createdAt);
}

/** The analyses for the terminal: a heading, the result, and the sites when one did not release. */
export function formatAnalyses(analyses: readonly { title: string; job: JobView }[]): string {
  return analyses
    .map(({ title, job }) => {
      const head = `── ${title} ${'─'.repeat(Math.max(0, 76 - title.length))}\n`;
      if (job.status !== 'succeeded') {
        return `${head}failed: ${job.error?.code ?? ''} ${job.error?.reason ?? ''}\n${formatSites(job.sites)}`;
      }
      const sites = job.sites.every((x) => x.status === 'ok') ? '' : `\n${formatSites(job.sites)}`;
      return `${head}${formatAlgorithmResult(job.algorithm, job.result, job.params)}${sites}`;
    })
    .join('\n');
}
