import { TesseraError, userViewSchema } from '@tessera/protocol';
import { describe, expect, it } from 'vitest';
import { normaliseHubUrl, parseAnswer } from './hub-client.js';

const user = {
  id: '3f1c2a9e-8f5b-4d6a-9c1e-2b3a4c5d6e7f',
  email: 'a@b.example',
  role: 'admin',
  disabled: false,
  createdAt: '2025-11-22T10:00:00.000Z',
  lastLoginAt: null,
};

describe('parseAnswer', () => {
  it('parses a 2xx answer with the schema', () => {
    expect(parseAnswer(200, JSON.stringify(user), userViewSchema, '/x').email).toBe('a@b.example');
  });

  it("turns the hub's error body into a TesseraError with its code", () => {
    const body = { error: { code: 'FORBIDDEN', message: 'admin only', retryable: false } };
    expect(() => parseAnswer(403, JSON.stringify(body), userViewSchema, '/x')).toThrowError(
      expect.objectContaining({ code: 'FORBIDDEN', message: 'admin only' }) as Error,
    );
  });

  it('reports an answer that does not fit the schema as INTERNAL, naming the field', () => {
    let caught: unknown;
    try {
      parseAnswer(200, JSON.stringify({ ...user, role: 'king' }), userViewSchema, '/api/v1/users');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(TesseraError);
    expect((caught as TesseraError).code).toBe('INTERNAL');
    expect((caught as TesseraError).message).toContain('role');
  });

  it('reports a non-JSON error answer with its status', () => {
    expect(() => parseAnswer(502, '<html>', userViewSchema, '/x')).toThrowError(/502/);
  });
});

describe('normaliseHubUrl', () => {
  it('keeps the origin of an https URL', () => {
    expect(normaliseHubUrl('https://127.0.0.1:8443/')).toBe('https://127.0.0.1:8443');
  });

  it('refuses plain http and non-URLs', () => {
    expect(() => normaliseHubUrl('http://hub.example')).toThrowError(/https/);
    expect(() => normaliseHubUrl('hub')).toThrowError(/not a URL/);
  });
});
