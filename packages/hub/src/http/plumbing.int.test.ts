import { errorBodySchema } from '@tessera/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestHub, type TestHub } from '../../test/helpers/hub-fixture.js';

/** Unknown errors become a bare 500 with the trace id (STYLE 7); nothing of them leaks. */
describe('the global error handler', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await makeTestHub({
      algorithms: {
        get: () => {
          throw new Error('SECRET-DETAIL from deep inside');
        },
      },
    });
  });
  afterAll(() => t.close());

  it('answers 500 INTERNAL with the trace id, and logs the error class without its message', async () => {
    const s = await t.setUp(['alpha']);
    const r = await t.hub.app.inject({
      method: 'POST',
      url: '/api/v1/jobs',
      headers: { authorization: `Bearer ${s.researcher}` },
      payload: { project: 'p1', algorithm: 'x', datasets: ['d'], params: {} },
    });
    expect(r.statusCode).toBe(500);
    const body = errorBodySchema.parse(r.json());
    expect(body.error).toEqual({
      code: 'INTERNAL',
      message: 'internal error',
      retryable: true,
      traceId: r.headers['x-trace-id'],
    });
    expect(r.body).not.toContain('SECRET-DETAIL');
    const line = t.logs.find((l) => l.includes('unhandled error'));
    expect(line).toContain(`"traceId":"${String(r.headers['x-trace-id'])}"`);
    expect(line).toContain('"errName":"Error"');
    expect(t.logs.join('')).not.toContain('SECRET-DETAIL');
  });
});
