import type { Algorithm, HubDecision, JobArtifact } from '@tessera/algorithms';
import type { TaskEnvelope } from '@tessera/protocol';
import { z } from 'zod';
import type { FakeNode } from './fake-node.js';
import { twoStep } from './test-algorithm.js';

/*
 * A test-only training loop that drives the hub's support for training jobs (issue 6) through the
 * real framework, with results easy to check by hand. Each round is step 'fit': the sites named by
 * `plan[r - 1]` (all when absent) answer {x}; the hub sums the ok answers, reports progress
 * {round, rounds, history} and keeps artifact 'model/round-<r>' = {round, total, sites}. The
 * last round ends the job with result {rounds: history} and artifact 'model/final'.
 */

export const roundsParams = z.object({
  rounds: z.number().int().min(1).max(50),
  /** Per round, the trusts the step names; null or missing: every trust. */
  plan: z.array(z.array(z.string()).nullable()).default([]),
  minSites: z.number().int().min(1).default(1),
  deadlineMs: z.number().int().min(1000).optional(),
  /** Pads round `round`'s artifact to about `bytes` (to test the size limit). */
  pad: z.object({ round: z.number().int(), bytes: z.number().int() }).optional(),
});
export type RoundsParams = z.infer<typeof roundsParams>;

/** One finished round as the algorithm records it. */
export interface RoundEntry {
  round: number;
  total: number;
  sites: string[];
}
interface S {
  history: RoundEntry[];
}

const fit = (p: RoundsParams, round: number, state: S, artifacts: JobArtifact[]) => {
  const sites = p.plan[round - 1] ?? null;
  const d: HubDecision<S> = {
    kind: 'step',
    step: 'fit',
    input: { round },
    state,
    minSites: p.minSites,
    progress: { round: round - 1, rounds: p.rounds, history: state.history },
    ...(sites === null ? {} : { sites }),
    ...(p.deadlineMs === undefined ? {} : { deadlineMs: p.deadlineMs }),
    ...(artifacts.length === 0 ? {} : { artifacts }),
  };
  return d;
};

export const rounds: Algorithm<RoundsParams, S> = {
  name: 'rounds',
  version: '1.0.0',
  description: 'test only',
  params: roundsParams,
  variables: () => [],
  start: (p) => fit(p, 1, { history: [] }, []),
  local: {},
  aggregate(p, state, _step, results) {
    const ok = results.filter((r) => r.status === 'ok');
    const round = state.history.length + 1;
    const entry: RoundEntry = {
      round,
      total: ok.reduce((a, r) => a + (r.output as { x: number }).x, 0),
      sites: ok.map((r) => r.trust),
    };
    const history = [...state.history, entry];
    const padding = p.pad?.round === round ? 'x'.repeat(p.pad.bytes) : undefined;
    const model: JobArtifact = {
      name: `model/round-${String(round)}`,
      body: { ...entry, ...(padding === undefined ? {} : { padding }) },
    };
    if (round < p.rounds) return fit(p, round + 1, { history }, [model]);
    return {
      kind: 'done',
      result: { rounds: history },
      artifacts: [model, { name: 'model/final', body: entry }],
    };
  },
};

/** The test algorithms plus `rounds`. */
export const roundsAlgorithms = {
  get: (name: string): Algorithm | undefined =>
    name === rounds.name ? rounds : name === twoStep.name ? twoStep : undefined,
};

/** What a site answers to round r: its own x (fixed per site, so totals are easy to check). */
export const X_OF: Readonly<Record<string, number>> = {
  alpha: 1,
  beta: 10,
  gamma: 100,
  delta: 1000,
};

/**
 * Polls every node once, then answers the tasks they got with their x (all polls first, so a
 * node's poll never sees the next round that the others' answers open). Nodes in `skip` take
 * their task and never answer. Returns who had a task, in which round.
 */
export async function answerRound(
  nodes: readonly FakeNode[],
  skip: readonly string[] = [],
): Promise<{ trust: string; round: number }[]> {
  const polled: { node: FakeNode; task: TaskEnvelope }[] = [];
  for (const node of nodes) {
    const [task] = await node.poll();
    if (task !== undefined) polled.push({ node, task });
  }
  for (const { node, task } of polled) {
    if (skip.includes(node.name)) continue;
    const p = node.open(task);
    const output = { x: X_OF[node.name] ?? 0 };
    const r = await node.submit(node.result(task, { taskId: p.taskId, status: 'ok', output }));
    if (r.status !== 200) throw new Error(`${node.name}: result answered ${String(r.status)}`);
  }
  return polled.map(({ node, task }) => ({ trust: node.name, round: task.header.round }));
}
