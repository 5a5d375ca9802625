import type { JobView } from '@tessera/protocol';
import type { Io } from '../output.js';
import {
  completedProgress,
  finishedRoundLine,
  fitLine,
  readRoundsProgress,
  roundsLine,
} from './rounds.js';

/**
 * Shows a job's progress on stderr while the CLI waits for it (stdout stays the result's alone,
 * DESIGN "Public contract"). A job that reports `{kind: 'rounds'}` progress gets a live bar on a
 * terminal (one line, redrawn) and one line per finished round otherwise; any other job gets a
 * line whenever its status, round or a site's state changes.
 */
export interface ProgressReporter {
  /** A status line (e.g. "job … submitted", "job running, round 2; site-a ok"). */
  status(line: string): void;
  /** Every job view seen, in order; call before {@link status} for the same view. */
  job(view: JobView): void;
  /** Ends the live line, if one is drawn. */
  end(): void;
}

export interface ReporterOptions {
  /** Print nothing (`--quiet`). */
  readonly quiet: boolean;
  /**
   * Text already on the terminal line (e.g. the demo's "▸ training … "): the bar is drawn after
   * it and {@link ProgressReporter.end} leaves the line as it found it, instead of ending it.
   */
  readonly inline?: string;
}

const CLEAR_LINE = '\r\x1b[K';

/** Makes the reporter for `io` (a terminal when `io.errTty`). */
export function createProgressReporter(io: Io, o: ReporterOptions): ProgressReporter {
  if (o.quiet) return { status: () => undefined, job: () => undefined, end: () => undefined };
  const tty = io.errTty === true;
  let rounds = false;
  let finished = false;
  let drawn: string | null = null;
  let printedRound = 0;

  const inline = o.inline ?? '';
  const draw = (line: string): void => {
    const fitted = fitLine(`${inline}${line}`, io.errColumns?.());
    if (fitted === drawn) return;
    io.err(`${CLEAR_LINE}${fitted}`);
    drawn = fitted;
  };
  const println = (line: string): void => {
    if (drawn !== null) io.err(`${CLEAR_LINE}${line}\n${drawn}`);
    else io.err(`${line}\n`);
  };
  const end = (): void => {
    if (drawn !== null) io.err(o.inline === undefined ? '\n' : `${CLEAR_LINE}${inline}`);
    drawn = null;
  };

  return {
    status(line) {
      // While rounds run, the per-site lines change every round: the bar says it better.
      if (rounds && !finished) return;
      if (finished) end();
      println(`… ${line}`);
    },
    job(view) {
      finished = view.status === 'succeeded' || view.status === 'failed';
      const running = readRoundsProgress(view.progress);
      if (running === null) return;
      const p = view.status === 'succeeded' ? completedProgress(running, view.result) : running;
      rounds = true;
      if (tty) {
        draw(roundsLine(p));
        return;
      }
      for (const m of p.metrics) {
        if (m.round <= printedRound) continue;
        println(finishedRoundLine(m, p.total));
        printedRound = m.round;
      }
    },
    end,
  };
}
