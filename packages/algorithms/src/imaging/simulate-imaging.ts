import type { Algorithm, LocalStep, SeriesImages } from '../framework.js';
import { simulateJob, type SimulationOptions, type SimulationRun } from '../simulate.js';
import type { Table } from '../table.js';

/** One simulated site of an imaging job: its series table and pixel access to those series. */
export interface ImagingSite {
  readonly table: Table;
  readonly images?: SeriesImages;
}

/**
 * simulateJob for imaging datasets: each site's local steps see its own `images` in the context,
 * as the node's step worker passes them. The site is found by its table (simulateJob hands each
 * site's own table object to every step), so the same table must not stand for two sites.
 *
 * @throws Error as simulateJob, or when two sites share one table object.
 */
export function simulateImagingJob(
  alg: Algorithm,
  params: unknown,
  sites: readonly ImagingSite[],
  options: SimulationOptions = {},
): SimulationRun {
  const bySite = new Map<Table, SeriesImages | undefined>();
  for (const s of sites) {
    if (bySite.has(s.table)) throw new Error('two simulated sites share one table object');
    bySite.set(s.table, s.images);
  }
  const local: Record<string, LocalStep<unknown>> = {};
  for (const [name, step] of Object.entries(alg.local)) {
    local[name] = {
      run: (ctx) => step.run(withImages(ctx, bySite.get(ctx.table))),
      disclose: (out, ctx) => step.disclose(out, withImages(ctx, bySite.get(ctx.table))),
    };
  }
  return simulateJob(
    { ...alg, local },
    params,
    sites.map((s) => s.table),
    options,
  );
}

function withImages<C extends { readonly images?: SeriesImages }>(
  ctx: C,
  images: SeriesImages | undefined,
): C {
  return images === undefined ? ctx : { ...ctx, images };
}
