/** A pending stop request; `cancel` removes the listeners when the process fails to start. */
export interface StopRequest {
  /** Resolves with what asked the process to stop. */
  readonly requested: Promise<string>;
  cancel(): void;
}

/**
 * Listens for a request to stop: SIGTERM, SIGINT, or (when started by a parent with an IPC
 * channel, as the demo does) the parent going away, so a killed demo leaves no orphans.
 */
export function waitForStop(): StopRequest {
  let cancel = (): void => undefined;
  const requested = new Promise<string>((resolve) => {
    const onTerm = (): void => {
      done('SIGTERM');
    };
    const onInt = (): void => {
      done('SIGINT');
    };
    const onDisconnect = (): void => {
      done('parent gone');
    };
    cancel = (): void => {
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      process.off('disconnect', onDisconnect);
    };
    const done = (why: string): void => {
      cancel();
      resolve(why);
    };
    process.once('SIGTERM', onTerm);
    process.once('SIGINT', onInt);
    if (process.connected) process.once('disconnect', onDisconnect);
  });
  return { requested, cancel };
}

/** Tells a parent that started this process with an IPC channel that it is ready. */
export function announceReady(message: Record<string, unknown>): void {
  if (process.send !== undefined && process.connected) {
    process.send({ type: 'tessera.ready', ...message });
  }
}
