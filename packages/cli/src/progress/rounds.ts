import { z } from 'zod';

/*
 * The `{kind: 'rounds'}` progress a round-based job (e.g. `train`) keeps on its job view while it
 * runs: rounds done of the total and, per finished round, the federated metrics. Read leniently,
 * like results (result-format/read.ts): a progress of another shape is simply not shown as rounds.
 */

const finite = z.number().refine(Number.isFinite);

const roundMetricSchema = z.object({
  round: z.number().int().min(0),
  loss: finite.nullish(),
  accuracy: finite.nullish(),
  auc: finite.nullish(),
  /** Sites whose updates were aggregated. */
  sites: z.number().int().min(0).nullish(),
  /** Sites sampled for the round that failed: their names, or how many. */
  failed: z.union([z.array(z.string()), z.number().int().min(0)]).nullish(),
  /** Cumulative ε of differentially private training after this round. */
  epsilon: finite.nullish(),
});
export type RoundMetric = z.infer<typeof roundMetricSchema>;

const roundsProgressSchema = z.object({
  kind: z.literal('rounds'),
  total: z.number().int().min(0),
  done: z.number().int().min(0),
  metrics: z.array(roundMetricSchema).default([]),
});
export type RoundsProgress = z.infer<typeof roundsProgressSchema>;

/** The rounds progress of a job view's `progress`, or null when it is absent or of another kind. */
export function readRoundsProgress(progress: unknown): RoundsProgress | null {
  const r = roundsProgressSchema.safeParse(progress);
  return r.success ? r.data : null;
}

/**
 * The progress of a finished rounds job completed from its result: the last round's figures
 * arrive with the result, after the last step's progress (e.g. `train`'s final evaluation).
 */
export function completedProgress(p: RoundsProgress, result: unknown): RoundsProgress {
  const rounds =
    typeof result === 'object' && result !== null && !Array.isArray(result)
      ? (result as Record<string, unknown>)['rounds']
      : undefined;
  const parsed = z.array(roundMetricSchema).safeParse(rounds);
  if (!parsed.success || parsed.data.length === 0) return p;
  const last = parsed.data.at(-1)?.round ?? p.done;
  return { ...p, done: Math.max(p.done, last), metrics: parsed.data };
}

/** How many sampled sites failed in a round (names or a count). */
export function failedCount(m: RoundMetric): number {
  const f = m.failed;
  if (f === null || f === undefined) return 0;
  return typeof f === 'number' ? f : f.length;
}

const BAR_WIDTH = 10;

/** A text bar of `done` out of `total`: `██████░░░░`. */
export function progressBar(done: number, total: number, width = BAR_WIDTH): string {
  const filled = total <= 0 ? 0 : Math.min(width, Math.round((done / total) * width));
  return '█'.repeat(filled) + '░'.repeat(width - filled);
}

const fixed = (x: number, digits: number): string => x.toFixed(digits);

/**
 * The figures of one round: `loss 0.412 acc 86.1% auc 0.912 ε 1.3 · 5/5 sites` (absent figures
 * are left out; failed sites are named when known).
 */
export function roundFigures(m: RoundMetric): string {
  const parts: string[] = [];
  if (typeof m.loss === 'number') parts.push(`loss ${fixed(m.loss, 3)}`);
  if (typeof m.accuracy === 'number') parts.push(`acc ${fixed(m.accuracy * 100, 1)}%`);
  if (typeof m.auc === 'number') parts.push(`auc ${fixed(m.auc, 3)}`);
  // Two significant digits: ε 0.52, ε 1.3, ε 12.
  if (typeof m.epsilon === 'number') parts.push(`ε ${String(Number(m.epsilon.toPrecision(2)))}`);
  const figures = parts.join(' ');
  if (typeof m.sites !== 'number') return figures;
  const failed = failedCount(m);
  const names =
    Array.isArray(m.failed) && m.failed.length > 0 ? ` (${m.failed.join(', ')} failed)` : '';
  const sites = `${m.sites}/${m.sites + failed} sites${names}`;
  return figures === '' ? sites : `${figures} · ${sites}`;
}

/**
 * The live line of a rounds job: `round 7/20 ██████░░░░ loss 0.412 acc 86.1% auc 0.912 ε 1.3 ·
 * 5/5 sites`, for the latest round whose figures are in (a model is evaluated by the next step's
 * sites, so they arrive a step after the round itself).
 */
export function roundsLine(p: RoundsProgress): string {
  const last = p.metrics.at(-1);
  if (last === undefined)
    return `round 0/${p.total} ${progressBar(0, p.total)} waiting for the first round`;
  return `round ${last.round}/${p.total} ${progressBar(last.round, p.total)} ${roundFigures(last)}`;
}

/** The line logged for one finished round (no bar): `round 7/20 loss 0.412 … · 5/5 sites`. */
export function finishedRoundLine(m: RoundMetric, total: number): string {
  const figures = roundFigures(m);
  return `round ${m.round}/${total}${figures === '' ? '' : ` ${figures}`}`;
}

/** Fits a line into `columns` terminal cells (one left free, so the cursor does not wrap). */
export function fitLine(line: string, columns: number | undefined): string {
  if (columns === undefined || columns < 10) return line;
  const chars = Array.from(line);
  return chars.length < columns ? line : `${chars.slice(0, columns - 2).join('')}…`;
}
