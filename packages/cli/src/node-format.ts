import type { NodeStatus } from '@tessera/node';
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
