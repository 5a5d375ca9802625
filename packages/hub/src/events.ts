import { EventEmitter } from 'node:events';

/**
 * In-process wake-ups: a task queued for a trust wakes that trust's held polls; a finished job
 * wakes clients waiting on it. close() releases every waiter so a shutdown drains long-polls.
 */
export interface HubEvents {
  /** Wakes waiters on `topic` here and, through the bus, in other hub processes. */
  notify(topic: string): void;
  /** Wakes waiters on `topic` here only (a message that came from the bus). */
  deliver(topic: string): void;
  /** Resolves on the next notify of `topic`, after `ms`, or at close(), whichever is first. */
  wait(topic: string, ms: number): Promise<void>;
  close(): void;
  /** True once close() was called: long-polls answer at once. */
  readonly closed: boolean;
}

export const topics = {
  trust: (trustId: string) => `trust:${trustId}`,
  job: (jobId: string) => `job:${jobId}`,
} as const;

/** Makes an event hub; `publish` forwards notifications to other processes. */
export function createHubEvents(publish?: (topic: string) => void): HubEvents {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  let closed = false;
  return {
    get closed() {
      return closed;
    },
    notify(topic) {
      emitter.emit(topic);
      publish?.(topic);
    },
    deliver: (topic) => emitter.emit(topic),
    wait(topic, ms) {
      if (closed || ms <= 0) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          emitter.off(topic, done);
          emitter.off('close', done);
          resolve();
        };
        const timer = setTimeout(done, ms);
        emitter.once(topic, done);
        emitter.once('close', done);
      });
    },
    close() {
      closed = true;
      emitter.emit('close');
    },
  };
}
