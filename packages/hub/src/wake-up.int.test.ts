import { jobViewSchema } from '@tessera/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { createHub, type Hub } from './app.js';
import { createLogger } from './logging.js';
import { makeFakeNode, type FakeNode } from '../test/helpers/fake-node.js';
import { makeTestHub, type TestHub } from '../test/helpers/hub-fixture.js';
import { testAlgorithms } from '../test/helpers/test-algorithm.js';
import { TEST_DB_KINDS } from '../test/helpers/test-db.js';

/*
 * Long-poll dispatch (DESIGN "A job, end to end", step 3): a held poll is answered as soon as a
 * task is queued. On PostgreSQL the poll is held by a second hub process on the same database and
 * woken through LISTEN/NOTIFY; on PGlite, by the same process.
 */
describe.each(TEST_DB_KINDS)('long-poll wake-up on $name', (kind) => {
  let t: TestHub;
  let peer: Hub | null = null;
  afterEach(async () => {
    await peer?.close();
    await t.close();
  });

  it('answers a held poll within a fraction of its wait when a job is submitted', async () => {
    t = await makeTestHub({ kind });
    const s = await t.setUp(['alpha']);
    const key = s.keys[0]!.apiKey;
    if (kind.name === 'postgres') {
      peer = await createHub({
        db: t.db,
        logger: createLogger({ level: 'silent' }),
        keys: t.hub.deps.keys,
        algorithms: testAlgorithms,
      });
    }
    const pollVia = peer ?? t.hub;
    const node: FakeNode = makeFakeNode('alpha', key, async (path, k, body) => {
      const r = await pollVia.app.inject({
        method: 'POST',
        url: path,
        headers: { authorization: `Bearer ${k}` },
        payload: body as object,
      });
      return { status: r.statusCode, body: JSON.parse(r.body) as unknown };
    });
    await node.enrol();
    const started = Date.now();
    const held = node.poll(10_000);
    await new Promise((r) => setTimeout(r, 300));
    const job = jobViewSchema.parse(
      (
        await t.req('POST', '/api/v1/jobs', s.researcher, {
          project: 'p1',
          algorithm: 'two-step',
          datasets: ['d'],
          params: { weight: 1 },
        })
      ).body,
    );
    const tasks = await held;
    const elapsed = Date.now() - started;
    expect(tasks.map((x) => x.header.jobId)).toEqual([job.id]);
    // Held at least until the submission, answered long before the 10 s wait ran out.
    expect(elapsed).toBeGreaterThanOrEqual(300);
    expect(elapsed).toBeLessThan(3_000);
  });
});
