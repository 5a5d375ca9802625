import { z } from 'zod';
import { DEFAULT_MIN_COUNT } from '@tessera/algorithms';
import { TesseraError, idSchema, isoDateSchema, nameSchema } from '@tessera/protocol';
import { readJsonFile, writeJsonAtomic } from './atomic-file.js';
import type { NodePaths } from './layout.js';

/** A project the operator approved, with the datasets exposed to it. */
export const approvalSchema = z
  .object({
    /** The project's name as the operator typed it. */
    project: nameSchema,
    /** Bound at the first task that matches by name, then pinned: another id with this name is refused. */
    projectId: idSchema.nullable(),
    datasets: z.array(nameSchema),
    approvedAt: isoDateSchema,
  })
  .strict();
export type Approval = z.infer<typeof approvalSchema>;

/** `<dir>/policy.json`: the operator's rules, which nothing the hub sends can loosen. */
export const nodePolicySchema = z
  .object({
    minCount: z.number().int().min(1).max(1_000_000),
    allowMinMax: z.boolean(),
    /** Null means every built-in algorithm. */
    allowedAlgorithms: z.array(z.string().min(1).max(64)).nullable(),
    approvals: z.array(approvalSchema),
  })
  .strict();
export type NodePolicy = z.infer<typeof nodePolicySchema>;

/** The policy of a fresh node: nothing approved, so nothing runs (deny by default). */
export function defaultPolicy(minCount = DEFAULT_MIN_COUNT): NodePolicy {
  return { minCount, allowMinMax: false, allowedAlgorithms: null, approvals: [] };
}

/**
 * Reads policy.json (the task runner re-reads it whenever the file changed: operator commands
 * change it while the node runs).
 * @throws TesseraError BAD_REQUEST when the file is invalid, so a broken policy never means "allow".
 */
export async function loadPolicy(paths: NodePaths): Promise<NodePolicy> {
  const raw = await readJsonFile(paths.policy);
  if (raw === undefined) return defaultPolicy();
  const parsed = nodePolicySchema.safeParse(raw);
  if (!parsed.success) {
    throw new TesseraError(
      'BAD_REQUEST',
      `policy.json is invalid: ${z.prettifyError(parsed.error)}`,
    );
  }
  return parsed.data;
}

/** Writes policy.json atomically; callers hold the state lock for read-modify-write. */
export async function savePolicy(paths: NodePaths, policy: NodePolicy): Promise<void> {
  await writeJsonAtomic(paths.policy, nodePolicySchema.parse(policy), 0o644);
}
