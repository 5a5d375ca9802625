import type { Algorithm, HubDecision } from '@tessera/algorithms';
import { z } from 'zod';

/*
 * A two-step test algorithm that drives the orchestrator through several rounds without the real
 * algorithms: step `count` asks each site for its n; step `sum` sends back the pooled n and asks
 * each site for n × its weight. The result is { n, weighted } — easy to check by hand.
 */

export const twoStepParams = z.object({
  weight: z.number().int().min(1),
  minSites: z.number().int().min(1).default(1),
  deadlineMs: z.number().int().min(1000).optional(),
});
type P = z.infer<typeof twoStepParams>;
interface S {
  n?: number;
}

const step = (p: P, name: string, input: unknown, state: S): HubDecision<S> => ({
  kind: 'step',
  step: name,
  input,
  state,
  minSites: p.minSites,
  ...(p.deadlineMs === undefined ? {} : { deadlineMs: p.deadlineMs }),
});

export const twoStep: Algorithm<P, S> = {
  name: 'two-step',
  version: '1.0.0',
  description: 'test only',
  params: twoStepParams,
  variables: () => [],
  start: (p) => step(p, 'count', null, {}),
  local: {},
  aggregate(p, state, stepName, results) {
    const ok = results.filter((r) => r.status === 'ok');
    const total = ok.reduce((a, r) => a + (r.output as { n: number }).n, 0);
    if (stepName === 'count') return step(p, 'sum', { n: total }, { n: total });
    return { kind: 'done', result: { n: state.n ?? 0, weighted: total, sites: ok.length } };
  },
};

/** What a fake site answers to the two-step algorithm's steps, given its row count. */
export function twoStepLocal(n: number, payload: { step: string; params: unknown }): { n: number } {
  const w = (payload.params as P).weight;
  return payload.step === 'count' ? { n } : { n: n * w };
}

export const testAlgorithms = {
  get: (name: string) => (name === twoStep.name ? (twoStep as unknown as Algorithm) : undefined),
};
