import {
  SUM_FORMS,
  makeTable,
  numberColumn,
  parsePhaseStep,
  runLocalStep,
  runSecureStep,
  summary,
  type LocalOutcome,
  type SecureNodeMemory,
  type SumForm,
} from '@tessera/algorithms';
import type { ResultPayload, TaskPayload } from '@tessera/protocol';
import { randomBytes } from 'node:crypto';
import type { FakeNode } from './fake-node.js';

/*
 * A fake node's answer to a `summary` task, plain or a secure-aggregation phase, computed as a
 * real node computes it (the pure node part of @tessera/algorithms), for the hub's secure tests.
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

const forms = SUM_FORMS['summary'] as Readonly<Record<string, SumForm>>;

/** One node's outcome for a task; `memory` keeps each node's secure-sum secrets between phases. */
export function answerSummary(
  n: FakeNode,
  p: TaskPayload,
  memory: Map<string, SecureNodeMemory | null>,
): LocalOutcome {
  const ctx = {
    table: makeTable({ age: numberColumn(agesOf(n.name)) }),
    params: summary.params.parse(p.params),
    input: p.input,
    round: p.round,
    policy: { minCount: 10, allowMinMax: false },
    randomBytes: (k: number) => randomBytes(k),
  };
  const phase = parsePhaseStep(p.step)?.phase;
  if (phase === undefined) return runLocalStep(summary, p.step, ctx);
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
  const r = runSecureStep(
    summary,
    forms,
    p.step,
    { ...ctx, input },
    node,
    memory.get(n.name) ?? null,
  );
  memory.set(n.name, r.memory);
  return r.outcome;
}

/** The result payload of an outcome. */
export function resultOf(taskId: string, outcome: LocalOutcome): ResultPayload {
  return outcome.status === 'ok'
    ? { taskId, status: 'ok', output: outcome.output }
    : { taskId, status: 'refused', code: outcome.code, reason: outcome.reason };
}
