import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Exponential back-off with jitter: 250 ms, 500 ms, 1 s, … capped at 30 s, each drawn between
 * half and all of its step, so a restarted hub is found again within seconds and many nodes do not
 * retry in lockstep.
 */
export function backoffDelay(
  attempt: number,
  random: () => number = Math.random,
  capMs = 30_000,
): number {
  const step = Math.min(capMs, 250 * 2 ** Math.min(attempt, 20));
  return Math.round(step / 2 + (random() * step) / 2);
}

/** Sleeps, resolving early (false) when `signal` aborts. */
export async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}
