import { TesseraError } from '@tessera/protocol';
import { describe, expect, it } from 'vitest';
import { failureLine } from './errors.js';

describe('failureLine', () => {
  it("shows a Tessera error's message with the hub's listed issues", () => {
    const e = new TesseraError('BAD_REQUEST', 'invalid params', {
      details: { issues: [{ path: ['variables', 0], message: 'unknown variable' }] },
    });
    expect(failureLine(e)).toBe('invalid params (variables.0: unknown variable)');
  });

  it('folds a multi-line message into one line', () => {
    expect(failureLine(new Error('first\nsecond\n'))).toBe('first; second');
  });

  it('never includes a stack trace', () => {
    const e = new Error('boom');
    expect(failureLine(e)).toBe('boom');
    expect(failureLine(e)).not.toContain('at ');
  });

  it('shows non-errors as text', () => {
    expect(failureLine('plain')).toBe('plain');
  });
});
