import { z } from 'zod';
import { fedAvg } from './fedavg.js';
import { fedOpt } from './fedopt.js';
import { fedMedian, fedTrimmedMean } from './robust.js';
import type { Strategy } from './types.js';

/*
 * The `strategy` parameter of `train` (DESIGN.md: `{"name": "fedavg"}`, more options welcome).
 * Server-optimiser defaults follow Flower's (η = 0.1, β₁ = 0.9, β₂ = 0.99) except τ = 1e-3,
 * the value Reddi et al. 2021 recommend as a default in their tuning study; FedAdagrad has no
 * momentum by default (β₁ = 0), as in Flower.
 */

const positive = z.number().positive().refine(Number.isFinite, 'must be finite');
const decay = z.number().min(0).lt(1);

const optimiser = (name: 'fedadam' | 'fedyogi' | 'fedadagrad', beta1: number) =>
  z
    .object({
      name: z.literal(name),
      eta: positive.default(0.1),
      beta1: decay.default(beta1),
      beta2: decay.default(0.99),
      tau: positive.default(1e-3),
    })
    .strict();

/** A strategy choice with its settings; unknown fields are refused. */
export const strategyConfigSchema = z.discriminatedUnion('name', [
  z.object({ name: z.literal('fedavg') }).strict(),
  z.object({ name: z.literal('fedprox'), mu: positive.default(0.01) }).strict(),
  optimiser('fedadam', 0.9),
  optimiser('fedyogi', 0.9),
  optimiser('fedadagrad', 0),
  z.object({ name: z.literal('fedmedian') }).strict(),
  z
    .object({ name: z.literal('fedtrimmedavg'), beta: z.number().min(0).lt(0.5).default(0.2) })
    .strict(),
]);

/** A parsed strategy choice. */
export type StrategyConfig = z.infer<typeof strategyConfigSchema>;

/** The strategy a parsed config names. */
export function createStrategy(config: StrategyConfig): Strategy {
  switch (config.name) {
    case 'fedavg':
      return fedAvg();
    case 'fedprox':
      return fedAvg(config.mu);
    case 'fedadam':
      return fedOpt('adam', config);
    case 'fedyogi':
      return fedOpt('yogi', config);
    case 'fedadagrad':
      return fedOpt('adagrad', config);
    case 'fedmedian':
      return fedMedian();
    case 'fedtrimmedavg':
      return fedTrimmedMean(config.beta);
  }
}
