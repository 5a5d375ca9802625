import {
  enrolResponseSchema,
  generatePartyKeys,
  openJson,
  pollResponseSchema,
  sealJson,
  signJson,
  taskAd,
  taskPayloadSchema,
  verifyJson,
  type PartyKeys,
  type PublicKeys,
  type ResultPayload,
  type ResultSubmission,
  type TaskEnvelope,
  type TaskPayload,
} from '@tessera/protocol';

/*
 * A node built only from protocol functions (real keys, real seal and sign), to prove the hub
 * speaks the agreed contract with nothing of the node package.
 */

export interface Reply {
  status: number;
  body: unknown;
}
/** Sends a node request with the node's API key; the test decides how (inject or HTTPS). */
export type NodeSend = (path: string, apiKey: string, body: unknown) => Promise<Reply>;

export interface FakeNode {
  readonly name: string;
  readonly keys: PartyKeys;
  hubKeys: PublicKeys | null;
  enrol(): Promise<Reply>;
  poll(waitMs?: number): Promise<TaskEnvelope[]>;
  /** Verifies and opens a task as a real node must. @throws when anything does not check out. */
  open(task: TaskEnvelope): TaskPayload;
  /** Builds a sealed, signed result submission. */
  result(task: TaskEnvelope, payload: ResultPayload, signWith?: PartyKeys): ResultSubmission;
  submit(sub: ResultSubmission): Promise<Reply>;
}

export function makeFakeNode(name: string, apiKey: string, send: NodeSend): FakeNode {
  const keys = generatePartyKeys();
  const node: FakeNode = {
    name,
    keys,
    hubKeys: null,
    async enrol() {
      const r = await send('/api/v1/node/enrol', apiKey, {
        type: 'enrol',
        keys: keys.public,
        software: 'fake-node/1',
      });
      if (r.status === 200) node.hubKeys = enrolResponseSchema.parse(r.body).hubKeys;
      return r;
    },
    async poll(waitMs = 0) {
      const r = await send('/api/v1/node/poll', apiKey, { type: 'poll', waitMs, max: 10 });
      if (r.status !== 200) throw new Error(`poll answered ${r.status}: ${JSON.stringify(r.body)}`);
      const parsed = pollResponseSchema.parse(r.body);
      if (parsed.trust.name !== name) throw new Error('hub named another trust');
      return parsed.tasks;
    },
    open(task) {
      if (node.hubKeys === null) throw new Error('not enrolled');
      if (!verifyJson({ header: task.header, sealed: task.sealed }, task.sig, node.hubKeys.sign)) {
        throw new Error('task signature does not verify');
      }
      if (task.header.trust !== name) throw new Error('task for another trust');
      const payload = taskPayloadSchema.parse(
        openJson(task.sealed, keys.sealPrivate, taskAd(task.header, 'task')),
      );
      if (
        payload.taskId !== task.header.taskId ||
        payload.jobId !== task.header.jobId ||
        payload.round !== task.header.round
      ) {
        throw new Error('payload does not match header');
      }
      return payload;
    },
    result(task, payload, signWith = keys) {
      if (node.hubKeys === null) throw new Error('not enrolled');
      const header = {
        taskId: task.header.taskId,
        jobId: task.header.jobId,
        trust: name,
        round: task.header.round,
        submittedAt: new Date().toISOString(),
      };
      const sealed = sealJson(payload, node.hubKeys.seal, taskAd(header, 'result'));
      return {
        type: 'result',
        header,
        sealed,
        sig: signJson({ header, sealed }, signWith.signPrivate),
      };
    },
    submit: (sub) => send('/api/v1/node/results', apiKey, sub),
  };
  return node;
}
