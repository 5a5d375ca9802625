import {
  generatePartyKeys,
  sealJson,
  signJson,
  taskAd,
  type AuditEntry,
  type ResultSubmission,
  type TaskEnvelope,
} from '@tessera/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeNode } from '../../test/helpers/fake-node.js';
import { makeTestHub, type TestHub } from '../../test/helpers/hub-fixture.js';

/** Tampered results are refused with 400, audited, and store nothing (DESIGN "Payloads"). */
describe('result submission integrity', () => {
  let t: TestHub;
  let s: Awaited<ReturnType<TestHub['setUp']>>;
  let alpha: FakeNode;
  let beta: FakeNode;
  let task: TaskEnvelope;
  const payload = () => ({ taskId: task.header.taskId, status: 'ok' as const, output: { n: 1 } });
  const flip = (b64: string) => {
    const bytes = Buffer.from(b64, 'base64url');
    bytes[0] = bytes[0]! ^ 1;
    return bytes.toString('base64url');
  };
  const resign = (sub: ResultSubmission, signer = alpha.keys): ResultSubmission => ({
    ...sub,
    sig: signJson({ header: sub.header, sealed: sub.sealed }, signer.signPrivate),
  });

  beforeAll(async () => {
    t = await makeTestHub();
    s = await t.setUp(['alpha', 'beta']);
    [alpha, beta] = s.keys.map((k) => t.node(k.name, k.apiKey)) as [FakeNode, FakeNode];
    await alpha.enrol();
    await beta.enrol();
    await t.req('POST', '/api/v1/jobs', s.researcher, {
      project: 'p1',
      algorithm: 'two-step',
      datasets: ['d'],
      params: { weight: 1, minSites: 2 },
    });
    task = (await alpha.poll())[0]!;
  });
  afterAll(() => t.close());

  const cases: [string, string, () => ResultSubmission][] = [
    [
      'altered ciphertext',
      'BAD_SIGNATURE',
      () => {
        const sub = alpha.result(task, payload());
        return { ...sub, sealed: { ...sub.sealed, ct: flip(sub.sealed.ct) } };
      },
    ],
    [
      'altered ciphertext, re-signed by the node',
      'CRYPTO_FAILED',
      () => {
        const sub = alpha.result(task, payload());
        return resign({ ...sub, sealed: { ...sub.sealed, ct: flip(sub.sealed.ct) } });
      },
    ],
    [
      'altered associated data (purpose task), signed',
      'CRYPTO_FAILED',
      () => {
        const sub = alpha.result(task, payload());
        const sealed = sealJson(payload(), alpha.hubKeys!.seal, taskAd(sub.header, 'task'));
        return resign({ ...sub, sealed });
      },
    ],
    [
      'associated data edited in the envelope, signed',
      'CRYPTO_FAILED',
      () => {
        const sub = alpha.result(task, payload());
        return resign({ ...sub, sealed: { ...sub.sealed, ad: { ...sub.sealed.ad, round: 9 } } });
      },
    ],
    [
      'sealed to another key',
      'CRYPTO_FAILED',
      () => {
        const sub = alpha.result(task, payload());
        const sealed = sealJson(
          payload(),
          generatePartyKeys().public.seal,
          taskAd(sub.header, 'result'),
        );
        return resign({ ...sub, sealed });
      },
    ],
    [
      'signed by the wrong key',
      'BAD_SIGNATURE',
      () => alpha.result(task, payload(), generatePartyKeys()),
    ],
    [
      'signed by another enrolled node',
      'BAD_SIGNATURE',
      () => alpha.result(task, payload(), beta.keys),
    ],
  ];

  it.each(cases)(
    'refuses %s with 400 %s, audits it and stores nothing',
    async (_name, code, make) => {
      const r = await alpha.submit(make());
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ error: { code } });
      const audit = (await t.req('GET', '/api/v1/audit?limit=1000', s.admin)).body as AuditEntry[];
      const last = audit.filter((e) => e.action === 'result.rejected').at(-1)!;
      expect(last).toMatchObject({
        actor: 'trust:alpha',
        target: `task:${task.header.taskId}`,
        details: { code },
      });
      const rows = await t.db.query<{ status: string; result: unknown }>(
        'SELECT status, result FROM tasks WHERE id = $1',
        [task.header.taskId],
      );
      expect(rows[0]).toEqual({ status: 'leased', result: null });
    },
  );

  it("answers 404 to a result for another trust's task", async () => {
    const r = await beta.submit(beta.result(task, payload()));
    expect(r.status).toBe(404);
  });

  it('still accepts the genuine result afterwards', async () => {
    const r = await alpha.submit(alpha.result(task, payload()));
    expect(r).toMatchObject({ status: 200, body: { duplicate: false } });
  });
});
