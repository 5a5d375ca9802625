import type { NodePolicy, NodeStatus, PrivacyBalance, PrivacyBudget } from '@tessera/node';
import { formatTable } from './output.js';

/** `node status` for humans: identity, hub, policy, datasets, approvals, task counts. */
export function formatNodeStatus(s: NodeStatus): string {
  const algorithms = s.policy.allowedAlgorithms?.join(', ') ?? 'all built-in';
  const head = [
    `node ${s.trust}`,
    `  hub          ${s.hub.url} (${s.hub.enrolled ? 'enrolled' : 'not enrolled yet'})`,
    `  pin          ${s.hub.pin}`,
    `  fingerprint  ${s.fingerprint}`,
    `  policy       minCount ${s.policy.minCount}; min/max ${s.policy.allowMinMax ? 'allowed' : 'not released'}; algorithms: ${algorithms}`,
    `               strings ≤ ${s.policy.maxStringLength}; levels ≤ ${s.policy.maxLevels} and ≤ ${s.policy.maxLevelDensity} × rows; differencing guard ${s.policy.differencingGuard ? 'on' : 'off'}; secure aggregation ${s.policy.requireSecureAggregation ? 'required' : 'optional'}`,
    `  tasks        ${Object.entries(s.tasks)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}`,
    '',
  ].join('\n');
  const datasets = formatTable(
    ['dataset', 'rows', 'variables', 'imported'],
    s.datasets.map((d) => [d.name, String(d.rows), String(d.variables.length), d.importedAt]),
  );
  const approvals = formatTable(
    ['approved project', 'datasets', 'approved'],
    s.approvals.map((a) => [a.project, a.datasets.join(', '), a.approvedAt]),
  );
  return `${head}\n${datasets}\n${approvals}\n${formatPrivacy(s.privacy)}`;
}

/** `node approve` for humans: the project, its datasets and its privacy budget. */
export function formatApproval(r: {
  project: string;
  datasets: string[];
  budget: PrivacyBudget | null;
}): string {
  const budget =
    r.budget === null
      ? 'no privacy budget (noisy releases refused)'
      : `privacy budget ε ${String(r.budget.epsilon)}, δ ${String(r.budget.delta)}`;
  return `project ${r.project} approved; datasets: ${r.datasets.join(', ') || '—'}; ${budget}\n`;
}

/**
 * Each project's differential-privacy budget, spent and left (basic composition: every noisy
 * release's ε and δ add up). A project without a budget has its noisy releases refused.
 */
export function formatPrivacy(balances: readonly PrivacyBalance[]): string {
  const num = (x: number): string => String(Number(x.toPrecision(6)));
  const table = formatTable(
    [
      'privacy budget',
      'ε budget',
      'ε spent',
      'ε left',
      'δ budget',
      'δ spent',
      'δ left',
      'releases',
    ],
    balances.map((b) =>
      b.budget === null || b.remaining === null
        ? [b.project, 'none', '', '', '', '', '', String(b.releases)]
        : [
            b.project,
            num(b.budget.epsilon),
            num(b.spent.epsilon),
            num(b.remaining.epsilon),
            num(b.budget.delta),
            num(b.spent.delta),
            num(b.remaining.delta),
            String(b.releases),
          ],
    ),
  );
  const unbudgeted = balances.some((b) => b.budget === null);
  return unbudgeted ? `${table}  none: no budget set, so noisy releases are refused\n` : table;
}

/** `node policy` for humans: every disclosure rule in force and what it means. */
export function formatNodePolicy(p: NodePolicy, privacy: readonly PrivacyBalance[]): string {
  const algorithms = p.allowedAlgorithms?.join(', ') ?? 'all built-in';
  return `${[
    'node policy',
    `  minCount           ${String(p.minCount)} (no count, cell or subgroup below it leaves)`,
    `  min/max            ${p.allowMinMax ? 'allowed' : 'not released'}`,
    `  maxStringLength    ${String(p.maxStringLength)} characters in any task string`,
    `  maxLevels          ${String(p.maxLevels)} levels of a categorical variable read`,
    `  maxLevelDensity    ${String(p.maxLevelDensity)} × the cohort's rows, most levels present`,
    `  differencingGuard  ${p.differencingGuard ? 'on' : 'off'}`,
    `  secure aggregation ${p.requireSecureAggregation ? 'required' : 'when the job asks'}`,
    `  algorithms         ${algorithms}`,
    `  approvals          ${String(p.approvals.length)}`,
    '',
  ].join('\n')}\n${formatPrivacy(privacy)}`;
}
