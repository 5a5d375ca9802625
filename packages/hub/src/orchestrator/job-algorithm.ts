import {
  SUM_FORMS,
  parsePhaseStep,
  secureAlgorithm,
  type Algorithm,
  type SumForm,
} from '@tessera/algorithms';
import type { HubSettings } from '../config.js';
import type { AlgorithmLookup } from '../deps.js';

/*
 * The algorithm a job runs, as the orchestrator sees it (issue 5): with secure aggregation the
 * registered algorithm wrapped by secureAlgorithm, whose four phases per summable step are
 * ordinary steps; without, the algorithm itself. Every place that plans or aggregates a job's
 * steps goes through here, so a job keeps one view of its algorithm across hub restarts.
 */

/** The sum forms of an algorithm's summable steps; undefined when it has none. */
export function sumFormsOf(name: string): Readonly<Record<string, SumForm<never>>> | undefined {
  return Object.hasOwn(SUM_FORMS, name) ? SUM_FORMS[name] : undefined;
}

/**
 * The algorithm that plans and aggregates `job`; undefined when the hub does not know it, or the
 * job asks for secure aggregation of an algorithm without a sum form (refused at submission, so
 * only a hub downgraded mid-job sees it).
 */
export function jobAlgorithm(
  deps: { readonly algorithms: AlgorithmLookup; readonly config: HubSettings },
  job: { readonly algorithm: string; readonly secure_aggregation: boolean },
): Algorithm | undefined {
  const alg = deps.algorithms.get(job.algorithm);
  if (alg === undefined || !job.secure_aggregation) return alg;
  const forms = sumFormsOf(alg.name);
  if (forms === undefined) return undefined;
  const threshold = deps.config.secureThreshold;
  // SUM_FORMS is keyed by name: its forms take the params this algorithm parsed.
  return secureAlgorithm(alg, forms as Readonly<Record<string, SumForm>>, {
    ...(threshold > 0 ? { threshold } : {}),
  });
}

/** The secure-aggregation phase of a step name, or null for a plain step. */
export function phaseOf(step: string): string | null {
  return parsePhaseStep(step)?.phase ?? null;
}
