import { randomBytes } from 'node:crypto';

/** A fresh 128-bit trace id (W3C trace-context size), hex. */
export function newTraceId(): string {
  return randomBytes(16).toString('hex');
}
