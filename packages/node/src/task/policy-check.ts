import {
  effectiveMinCount,
  validateCohort,
  type Algorithm,
  type DisclosurePolicy,
  type VariableInfo,
} from '@tessera/algorithms';
import type { SiteCode, TaskPayload } from '@tessera/protocol';
import type { Approval, NodePolicy } from '../store/policy-store.js';
import {
  effectiveLimits,
  overlongString,
  tooManyLevels,
  type TaskLimits,
} from './disclosure-limits.js';
import { identifierReason, identifierUse } from './identifier-check.js';

/** What the policy check lets run, or why it refuses. */
export type PolicyDecision =
  | {
      readonly ok: true;
      readonly algorithm: Algorithm;
      readonly params: unknown;
      readonly disclosure: DisclosurePolicy;
      /** The limits beyond minCount the worker and the differencing guard apply. */
      readonly limits: TaskLimits;
      /** Set when this task binds an approval's project id for the first time. */
      readonly bindProjectId: { project: string; projectId: string } | null;
    }
  | { readonly ok: false; readonly code: SiteCode; readonly reason: string };

export interface PolicyInputs {
  readonly policy: NodePolicy;
  /** Variables of each dataset the task names that exists at this node. */
  readonly datasets: ReadonlyMap<string, readonly VariableInfo[]>;
  /** Identifier columns of those datasets (schema.json `identifiers`; absent: none). */
  readonly identifiers: ReadonlyMap<string, readonly string[]>;
  readonly findAlgorithm: (name: string) => Algorithm | undefined;
}

const refuse = (code: SiteCode, reason: string): PolicyDecision => ({ ok: false, code, reason });

/**
 * Deny by default (DESIGN "Security model"): a task runs only when the operator approved its
 * project, exposed every dataset it names, allows its algorithm, and its params, variables and
 * cohort fit the datasets and name no identifier column. The disclosure policy is the node's,
 * made stricter by the job, never looser. Pure.
 */
export function checkTask(task: TaskPayload, inputs: PolicyInputs): PolicyDecision {
  const { policy } = inputs;
  const approval = findApproval(policy.approvals, task.project);
  if (approval === null) {
    return refuse(
      'PROJECT_NOT_APPROVED',
      `project ${task.project.name} is not approved at this node`,
    );
  }
  if (approval.projectId !== null && approval.projectId !== task.project.id) {
    return refuse(
      'PROJECT_NOT_APPROVED',
      `project ${task.project.name} was approved here with another id`,
    );
  }
  const limits = effectiveLimits(policy, task.params);
  for (const [value, path] of [
    [task.params, 'params'],
    [task.cohort, 'cohort'],
  ] as const) {
    const at = overlongString(value, path, limits.maxStringLength);
    if (at !== null)
      return refuse(
        'STRING_LIMIT',
        `${at} is longer than the ${String(limits.maxStringLength)} characters this node allows`,
      );
  }
  for (const d of task.datasets) {
    if (!approval.datasets.includes(d))
      return refuse(
        'DATASET_NOT_EXPOSED',
        `dataset ${d} is not exposed to project ${approval.project}`,
      );
    if (!inputs.datasets.has(d))
      return refuse('DATASET_NOT_EXPOSED', `dataset ${d} does not exist at this node`);
  }
  const alg = inputs.findAlgorithm(task.algorithm.name);
  if (alg === undefined)
    return refuse(
      'ALGORITHM_UNKNOWN',
      `algorithm ${task.algorithm.name} is not known at this node`,
    );
  if (alg.version !== task.algorithm.version) {
    return refuse(
      'ALGORITHM_UNKNOWN',
      `algorithm ${alg.name} is version ${alg.version} here, the job asks for ${task.algorithm.version}`,
    );
  }
  if (policy.allowedAlgorithms !== null && !policy.allowedAlgorithms.includes(alg.name)) {
    return refuse('ALGORITHM_NOT_ALLOWED', `algorithm ${alg.name} is not allowed at this node`);
  }
  if (policy.requireSecureAggregation && !task.secureAggregation) {
    return refuse(
      'SECURE_AGGREGATION_REQUIRED',
      'this node releases results only under secure aggregation (job run --secure-aggregation)',
    );
  }
  if (alg.local[task.step] === undefined)
    return refuse('ALGORITHM_UNKNOWN', `algorithm ${alg.name} has no local step ${task.step}`);
  const parsed = alg.params.safeParse(task.params);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (i) => `${i.path.join('.') || '(params)'}: ${i.message}`,
    );
    return refuse(
      'INVALID_PARAMS',
      `params do not fit ${alg.name}: ${issues.join('; ').slice(0, 1500)}`,
    );
  }
  const read = alg.variables(parsed.data);
  // Before any check that looks at the variables: an identifier's levels are never weighed.
  const id = identifierUse(read, task.cohort, task.datasets, inputs.identifiers);
  if (id !== null) return refuse('IDENTIFIER_VARIABLE', identifierReason(id));
  const vars = combinedVariables(task.datasets, inputs.datasets);
  for (const v of read) {
    if (!vars.has(v))
      return refuse(
        'VARIABLE_MISSING',
        `variable ${v} is not in ${task.datasets.length > 1 ? 'every one of the datasets' : `dataset ${task.datasets[0] ?? ''}`}`,
      );
  }
  const wide = tooManyLevels(read, task.datasets, inputs.datasets, limits.maxLevels);
  if (wide !== null)
    return refuse(
      'LEVEL_LIMIT',
      `variable ${wide} has more than the ${String(limits.maxLevels)} levels this node allows`,
    );
  if (task.cohort !== null) {
    const problems = validateCohort(
      [...vars].map(([name, kind]) => ({ name, kind })),
      task.cohort,
    );
    if (problems.length > 0)
      return refuse(
        'INVALID_COHORT',
        `the cohort does not fit: ${problems.join('; ').slice(0, 1500)}`,
      );
  }
  return {
    ok: true,
    algorithm: alg,
    params: parsed.data,
    disclosure: effectiveDisclosure(policy, task.params),
    limits,
    bindProjectId:
      approval.projectId === null
        ? { project: approval.project, projectId: task.project.id }
        : null,
  };
}

// An approval bound to the task's project id wins (the hub may rename a project); otherwise the
// name the operator typed matches.
function findApproval(
  approvals: readonly Approval[],
  project: { id: string; name: string },
): Approval | null {
  return (
    approvals.find((a) => a.projectId === project.id) ??
    approvals.find((a) => a.project === project.name) ??
    null
  );
}

/**
 * The node's disclosure rules, made stricter by the job's: minCount = max(node, job); min/max only
 * when both allow it. Nothing in `params` can loosen them.
 */
export function effectiveDisclosure(policy: NodePolicy, params: unknown): DisclosurePolicy {
  const minCount = effectiveMinCount(policy.minCount, params);
  const jobForbidsMinMax =
    typeof params === 'object' &&
    params !== null &&
    (params as { allowMinMax?: unknown }).allowMinMax === false;
  return { minCount, allowMinMax: policy.allowMinMax && !jobForbidsMinMax };
}

/** Variables present, with one kind, in every dataset named (the job's rows are their union). */
export function combinedVariables(
  names: readonly string[],
  datasets: ReadonlyMap<string, readonly VariableInfo[]>,
): Map<string, VariableInfo['kind']> {
  let out: Map<string, VariableInfo['kind']> | null = null;
  for (const n of names) {
    const vars = new Map((datasets.get(n) ?? []).map((v) => [v.name, v.kind] as const));
    if (out === null) {
      out = vars;
      continue;
    }
    const prev: Map<string, VariableInfo['kind']> = out;
    out = new Map([...prev].filter(([k, kind]) => vars.get(k) === kind));
  }
  return out ?? new Map<string, VariableInfo['kind']>();
}
