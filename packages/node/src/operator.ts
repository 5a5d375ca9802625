import { listAlgorithms } from '@tessera/algorithms';
import { TesseraError, nameSchema } from '@tessera/protocol';
import { readDatasetSchema } from './data/dataset-format.js';
import { NODE_AUDIT_ACTIONS, appendAudit } from './store/audit-log.js';
import { nodePaths } from './store/layout.js';
import { withLock } from './store/lock.js';
import { loadNodeConfig } from './store/node-config.js';
import {
  loadPolicy,
  privacyBudgetSchema,
  savePolicy,
  type NodePolicy,
  type PrivacyBudget,
} from './store/policy-store.js';
import { createPrivacyLedger, type PrivacyBalance } from './privacy/privacy-ledger.js';

/**
 * The operator approves a project and exposes datasets to it (DESIGN "Security model": trust-side
 * authority). Approving again replaces the list of datasets; the project id bound by an earlier
 * task stays pinned. `budget` sets the project's total differential-privacy budget (ε, δ); when
 * absent an earlier budget stays, and a project never given one has its noisy releases refused.
 * What was spent is kept in the privacy ledger, so a new budget counts earlier spends.
 *
 * @throws TesseraError BAD_REQUEST for an invalid project or dataset name or budget, NOT_FOUND
 *   when a dataset does not exist.
 */
export async function approveProject(o: {
  dir: string;
  project: string;
  datasets: string[];
  budget?: PrivacyBudget;
}): Promise<{ project: string; datasets: string[]; budget: PrivacyBudget | null }> {
  const paths = nodePaths(o.dir);
  await loadNodeConfig(paths);
  const project = checkName(o.project, 'project');
  const given = o.budget === undefined ? undefined : checkBudget(o.budget);
  const datasets = [...new Set(o.datasets.map((d) => checkName(d, 'dataset')))].sort();
  for (const d of datasets) {
    await readDatasetSchema(paths.dataset(d)).catch((e: unknown) => {
      if (e instanceof TesseraError && e.code === 'NOT_FOUND') {
        throw new TesseraError('NOT_FOUND', `no dataset ${d} at this node (import it first)`);
      }
      throw e;
    });
  }
  const budget = await withLock(paths.lock, async () => {
    const policy = await loadPolicy(paths);
    const prior = policy.approvals.find((a) => a.project === project);
    const kept = given ?? prior?.budget;
    const approval = {
      project,
      projectId: prior?.projectId ?? null,
      datasets,
      approvedAt: new Date().toISOString(),
      ...(kept === undefined ? {} : { budget: kept }),
    };
    policy.approvals = [...policy.approvals.filter((a) => a.project !== project), approval];
    await savePolicy(paths, policy);
    return kept ?? null;
  });
  await appendAudit(paths, {
    action: NODE_AUDIT_ACTIONS.projectApproved,
    actor: 'operator',
    target: `project:${project}`,
    details: { project, datasets, privacyBudget: budget },
  });
  return { project, datasets, budget };
}

/**
 * Every approved project's privacy budget, what its noisy releases spent and what is left.
 * @throws TesseraError NOT_FOUND when `dir` holds no node, BAD_REQUEST for an invalid ledger.
 */
export async function privacyBalances(dir: string): Promise<PrivacyBalance[]> {
  const paths = nodePaths(dir);
  await loadNodeConfig(paths);
  return createPrivacyLedger(paths).balances();
}

function checkBudget(b: PrivacyBudget): PrivacyBudget {
  const r = privacyBudgetSchema.safeParse(b);
  if (!r.success)
    throw new TesseraError('BAD_REQUEST', 'a privacy budget needs 0 < ε ≤ 1000 and 0 ≤ δ < 1');
  return r.data;
}

/**
 * Changes the node's disclosure and algorithm policy. Only the given fields change.
 * @throws TesseraError BAD_REQUEST for a limit out of its range or an unknown algorithm name.
 */
export async function setPolicy(o: {
  dir: string;
  minCount?: number;
  allowMinMax?: boolean;
  allowedAlgorithms?: string[];
  maxStringLength?: number;
  maxLevels?: number;
  maxLevelDensity?: number;
  differencingGuard?: boolean;
  requireSecureAggregation?: boolean;
}): Promise<NodePolicy> {
  const paths = nodePaths(o.dir);
  await loadNodeConfig(paths);
  if (
    o.minCount !== undefined &&
    (!Number.isInteger(o.minCount) || o.minCount < 1 || o.minCount > 1_000_000)
  ) {
    throw new TesseraError('BAD_REQUEST', 'minCount must be an integer from 1 to 1000000');
  }
  const intIn = (v: number | undefined, max: number): boolean =>
    v === undefined || (Number.isInteger(v) && v >= 1 && v <= max);
  if (!intIn(o.maxStringLength, 100_000))
    throw new TesseraError('BAD_REQUEST', 'maxStringLength must be an integer from 1 to 100000');
  if (!intIn(o.maxLevels, 1_000_000))
    throw new TesseraError('BAD_REQUEST', 'maxLevels must be an integer from 1 to 1000000');
  if (o.maxLevelDensity !== undefined && !(o.maxLevelDensity > 0 && o.maxLevelDensity <= 1))
    throw new TesseraError('BAD_REQUEST', 'maxLevelDensity must be above 0 and at most 1');
  if (o.allowedAlgorithms !== undefined) {
    const known = new Set(listAlgorithms().map((a) => a.name));
    const unknown = o.allowedAlgorithms.filter((a) => !known.has(a));
    if (unknown.length > 0)
      throw new TesseraError('BAD_REQUEST', `unknown algorithms: ${unknown.join(', ')}`);
  }
  let before: NodePolicy | undefined;
  const after = await withLock(paths.lock, async () => {
    const policy = await loadPolicy(paths);
    before = structuredClone(policy);
    if (o.minCount !== undefined) policy.minCount = o.minCount;
    if (o.allowMinMax !== undefined) policy.allowMinMax = o.allowMinMax;
    if (o.maxStringLength !== undefined) policy.maxStringLength = o.maxStringLength;
    if (o.maxLevels !== undefined) policy.maxLevels = o.maxLevels;
    if (o.maxLevelDensity !== undefined) policy.maxLevelDensity = o.maxLevelDensity;
    if (o.differencingGuard !== undefined) policy.differencingGuard = o.differencingGuard;
    if (o.requireSecureAggregation !== undefined)
      policy.requireSecureAggregation = o.requireSecureAggregation;
    if (o.allowedAlgorithms !== undefined)
      policy.allowedAlgorithms = [...new Set(o.allowedAlgorithms)].sort();
    await savePolicy(paths, policy);
    return policy;
  });
  await appendAudit(paths, {
    action: NODE_AUDIT_ACTIONS.policyChanged,
    actor: 'operator',
    target: 'policy',
    details: {
      before: before === undefined ? null : summary(before),
      after: summary(after),
    },
  });
  return after;
}

function summary(p: NodePolicy) {
  return {
    minCount: p.minCount,
    allowMinMax: p.allowMinMax,
    maxStringLength: p.maxStringLength,
    maxLevels: p.maxLevels,
    maxLevelDensity: p.maxLevelDensity,
    differencingGuard: p.differencingGuard,
    requireSecureAggregation: p.requireSecureAggregation,
    allowedAlgorithms: p.allowedAlgorithms,
  };
}

function checkName(name: string, what: string): string {
  const r = nameSchema.safeParse(name);
  if (!r.success)
    throw new TesseraError('BAD_REQUEST', `${what} name "${name.slice(0, 64)}" is invalid`);
  return r.data;
}
