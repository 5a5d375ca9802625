/**
 * Resolves when the process is asked to stop: SIGTERM, SIGINT, or (when started by a parent with
 * an IPC channel, as the demo does) the parent going away, so a killed demo leaves no orphans.
 */
export function waitForStop(): Promise<string> {
  return new Promise((resolve) => {
    const done = (why: string): void => {
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      process.off('disconnect', onDisconnect);
      resolve(why);
    };
    const onTerm = (): void => {
      done('SIGTERM');
    };
    const onInt = (): void => {
      done('SIGINT');
    };
    const onDisconnect = (): void => {
      done('parent gone');
    };
    process.once('SIGTERM', onTerm);
    process.once('SIGINT', onInt);
    if (process.connected) process.once('disconnect', onDisconnect);
  });
}

/** Tells a parent that started this process with an IPC channel that it is ready. */
export function announceReady(message: Record<string, unknown>): void {
  if (process.send !== undefined && process.connected) {
    process.send({ type: 'tessera.ready', ...message });
  }
}
