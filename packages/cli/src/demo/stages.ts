import type { Io } from '../output.js';

/**
 * One step of the demo. Later issues add capabilities by adding stages, so a stage is small and
 * reads and writes only the shared state it is given.
 */
export interface Stage<S> {
  /** What it does, shown as "▸ <title> …". */
  readonly title: string | ((state: S) => string);
  /** Does it; may return a short detail shown after "ok". */
  run(state: S): Promise<string | undefined>;
}

/**
 * Runs stages in order, printing "▸ title … ok (412 ms)" on stderr for each.
 * @throws whatever a stage throws, after printing "failed".
 */
export async function runStages<S>(
  stages: readonly Stage<S>[],
  state: S,
  io: Io,
  now: () => number = () => performance.now(),
): Promise<void> {
  for (const stage of stages) {
    const title = typeof stage.title === 'string' ? stage.title : stage.title(state);
    io.err(`▸ ${title} … `);
    const t0 = now();
    try {
      const detail = await stage.run(state);
      const ms = Math.round(now() - t0);
      io.err(`ok${detail === undefined ? '' : `, ${detail}`} (${ms} ms)\n`);
    } catch (e) {
      io.err(`failed (${Math.round(now() - t0)} ms)\n`);
      throw e;
    }
  }
}
