import {
  SUM_FORMS,
  makeTable,
  numberColumn,
  parsePhaseStep,
  runLocalStep,
  runSecureStep,
  summary,
  type Algorithm,
  type LocalOutcome,
  type SecureNodeMemory,
  type SumForm,
  type Table,
} from '@tessera/algorithms';
import type { ResultPayload, TaskPayload } from '@tessera/protocol';
import { randomBytes } from 'node:crypto';
import type { FakeNode } from './fake-node.js';

/*
 * A fake node's answer to a task, plain or a secure-aggregation phase, computed as a real node
 * computes it (the pure node part of @tessera/algorithms), for the hub's tests.
 */

/** Each trust's ages (the column `age` of its table). */
export const AGES = {
  alpha: Array.from({ length: 30 }, (_, i) => 20 + i),
  beta: Array.from({ length: 25 }, (_, i) => 40 + 2 * i),
  gamma: Array.from({ length: 40 }, (_, i) => 35 + (i % 17)),
  delta: Array.from({ length: 20 }, (_, i) => 60 + i),
} as const;
const agesOf = (trust: string): readonly number[] =>
  (AGES as Readonly<Record<string, readonly number[] | undefined>>)[trust] ?? [];

const summaryForms = SUM_FORMS['summary'] as Readonly<Record<string, SumForm>>;

/** One node's outcome for a `summary` task; `memory` keeps each node's secure-sum secrets. */
export function answerSummary(
  n: FakeNode,
  p: TaskPayload,
  memory: Map<string, SecureNodeMemory | null>,
): LocalOutcome {
  const table = makeTable({ age: numberColumn(agesOf(n.name)) });
  return answerTask(summary, summaryForms, table, n, p, memory);
}

/**
 * One node's outcome for a task of `alg` on `table`: the local step, or the secure phase with the
 * algorithm's sum forms, as a real node runs them.
 * @throws Error when the masked phase relays share boxes that are not the node's own.
 */
export function answerTask(
  alg: Algorithm,
  forms: Readonly<Record<string, SumForm>>,
  table: Table,
  n: FakeNode,
  p: TaskPayload,
  memory: Map<string, SecureNodeMemory | null>,
): LocalOutcome {
  const ctx = {
    table,
    params: alg.params.parse(p.params),
    input: p.input,
    round: p.round,
    policy: { minCount: 10, allowMinMax: false },
    randomBytes: (k: number) => randomBytes(k),
  };
  const phase = parsePhaseStep(p.step)?.phase;
  if (phase === undefined) return runLocalStep(alg, p.step, ctx);
  if (phase === 'masked') {
    // The hub relays to each node only the share boxes sealed to it.
    const boxes = (p.input as { shares: { to: string }[] }).shares;
    if (boxes.length === 0 || boxes.some((b) => b.to !== n.name)) {
      throw new Error(`${n.name} got share boxes that are not its own`);
    }
  }
  let input = p.input;
  let identityKeys = new Map<string, string>();
  if (phase === 'shares') {
    const { identityKeys: roster, ...rest } = p.input as { identityKeys: Record<string, string> };
    identityKeys = new Map(Object.entries(roster));
    input = rest;
  }
  const node = { jobId: p.jobId, me: n.name, identity: n.keys.signPrivate, identityKeys };
  const r = runSecureStep(alg, forms, p.step, { ...ctx, input }, node, memory.get(n.name) ?? null);
  memory.set(n.name, r.memory);
  return r.outcome;
}

/** The result payload of an outcome. */
export function resultOf(taskId: string, outcome: LocalOutcome): ResultPayload {
  return outcome.status === 'ok'
    ? { taskId, status: 'ok', output: outcome.output }
    : { taskId, status: 'refused', code: outcome.code, reason: outcome.reason };
}
