import type { NodePolicy, NodeStatus } from '@tessera/node';
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
    `               strings ≤ ${s.policy.maxStringLength}; levels ≤ ${s.policy.maxLevels} and ≤ ${s.policy.maxLevelDensity} × rows; differencing guard ${s.policy.differencingGuard ? 'on' : 'off'}`,
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
  return `${head}\n${datasets}\n${approvals}`;
}

/** `node policy` for humans: every disclosure rule in force and what it means. */
export function formatNodePolicy(p: NodePolicy): string {
  const algorithms = p.allowedAlgorithms?.join(', ') ?? 'all built-in';
  return [
    'node policy',
    `  minCount           ${String(p.minCount)} (no count, cell or subgroup below it leaves)`,
    `  min/max            ${p.allowMinMax ? 'allowed' : 'not released'}`,
    `  maxStringLength    ${String(p.maxStringLength)} characters in any task string`,
    `  maxLevels          ${String(p.maxLevels)} levels of a categorical variable read`,
    `  maxLevelDensity    ${String(p.maxLevelDensity)} × the cohort's rows, most levels present`,
    `  differencingGuard  ${p.differencingGuard ? 'on' : 'off'}`,
    `  algorithms         ${algorithms}`,
    `  approvals          ${String(p.approvals.length)}`,
    '',
  ].join('\n');
}
