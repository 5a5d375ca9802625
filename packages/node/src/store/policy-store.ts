import { z } from 'zod';
import { DEFAULT_MIN_COUNT } from '@tessera/algorithms';
import { TesseraError, idSchema, isoDateSchema, nameSchema } from '@tessera/protocol';
import { readJsonFile, writeJsonAtomic } from './atomic-file.js';
import type { NodePaths } from './layout.js';

/**
 * A project's differential-privacy budget (DESIGN "Security model"): the total ε and δ its noisy
 * releases may spend at this node, under basic composition (each release's ε and δ add up).
 */
export const privacyBudgetSchema = z
  .object({
    epsilon: z.number().gt(0).max(1000),
    /** 0: pure ε-DP only, so releases that spend a δ (the Gaussian mechanism) are refused. */
    delta: z.number().min(0).lt(1),
  })
  .strict();
export type PrivacyBudget = z.infer<typeof privacyBudgetSchema>;

/** A project the operator approved, with the datasets exposed to it. */
export const approvalSchema = z
  .object({
    /** The project's name as the operator typed it. */
    project: nameSchema,
    /** Bound at the first task that matches by name, then pinned: another id with this name is refused. */
    projectId: idSchema.nullable(),
    datasets: z.array(nameSchema),
    approvedAt: isoDateSchema,
    /**
     * Absent: no budget, so every noisy release for the project is refused (PRIVACY_BUDGET);
     * releases without noise are governed by the other rules, as before budgets existed.
     */
    budget: privacyBudgetSchema.optional(),
  })
  .strict();
export type Approval = z.infer<typeof approvalSchema>;

/** DataSHIELD's defaults (nfilter.string 80, nfilter.levels.max 40, nfilter.levels.density 0.33). */
export const DEFAULT_MAX_STRING_LENGTH = 80;
export const DEFAULT_MAX_LEVELS = 40;
export const DEFAULT_MAX_LEVEL_DENSITY = 0.33;

/**
 * `<dir>/policy.json`: the operator's rules, which nothing the hub sends can loosen. Fields added
 * after the first release default when absent, so an older policy.json loads unchanged.
 */
export const nodePolicySchema = z
  .object({
    minCount: z.number().int().min(1).max(1_000_000),
    allowMinMax: z.boolean(),
    /** Longest string anywhere in a task's params or cohort, in UTF-16 code units. */
    maxStringLength: z.number().int().min(1).max(100_000).default(DEFAULT_MAX_STRING_LENGTH),
    /** Most levels of a categorical variable a task may read (its catalogue levels). */
    maxLevels: z.number().int().min(1).max(1_000_000).default(DEFAULT_MAX_LEVELS),
    /** Most levels present in the cohort, as a fraction of the cohort's rows. */
    maxLevelDensity: z.number().gt(0).max(1).default(DEFAULT_MAX_LEVEL_DENSITY),
    /** Refuse a cohort within minCount − 1 rows of one already released in the project. */
    differencingGuard: z.boolean().default(true),
    /** Refuse every task that does not use secure aggregation (SECURE_AGGREGATION_REQUIRED). */
    requireSecureAggregation: z.boolean().default(false),
    /** Null means every built-in algorithm. */
    allowedAlgorithms: z.array(z.string().min(1).max(64)).nullable(),
    approvals: z.array(approvalSchema),
  })
  .strict();
export type NodePolicy = z.infer<typeof nodePolicySchema>;

/** The policy of a fresh node: nothing approved, so nothing runs (deny by default). */
export function defaultPolicy(minCount = DEFAULT_MIN_COUNT): NodePolicy {
  return {
    minCount,
    allowMinMax: false,
    maxStringLength: DEFAULT_MAX_STRING_LENGTH,
    maxLevels: DEFAULT_MAX_LEVELS,
    maxLevelDensity: DEFAULT_MAX_LEVEL_DENSITY,
    differencingGuard: true,
    requireSecureAggregation: false,
    allowedAlgorithms: null,
    approvals: [],
  };
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
