import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { approveProject, importDataset, nodeStatus, privacyBalances } from '../index.js';
import { makeCsv, makeNode, makeTempDir, writeCsvFile } from '../testing/helpers.js';
import { readAudit } from '../store/audit-log.js';
import { nodePaths, type NodePaths } from '../store/layout.js';
import { createPrivacyLedger, ledgerPath } from './privacy-ledger.js';

let base: string;
let cleanup: () => Promise<void>;
let dir: string;
let paths: NodePaths;
const project = { id: randomUUID(), name: 'diabetes' };

beforeEach(async () => {
  ({ dir: base, cleanup } = await makeTempDir());
  ({ dir } = await makeNode(base));
  paths = nodePaths(dir);
  await importDataset({
    dir,
    name: 'cohort',
    file: await writeCsvFile(base, 'a.csv', makeCsv(20)),
  });
});
afterEach(async () => {
  await cleanup();
});

/** Approves a project (diabetes, no datasets, δ = 0 unless given) with a privacy budget of ε. */
function approveBudget(
  epsilon: number,
  o: { project?: string; datasets?: string[]; delta?: number } = {},
): ReturnType<typeof approveProject> {
  return approveProject({
    dir,
    project: o.project ?? 'diabetes',
    datasets: o.datasets ?? [],
    budget: { epsilon, delta: o.delta ?? 0 },
  });
}

async function spentEntries() {
  return (await readAudit(paths.audit)).entries.filter((e) => e.action === 'privacy.spent');
}

describe('the privacy ledger', () => {
  it('refuses every noisy release of a project without a budget', async () => {
    await approveProject({ dir, project: 'diabetes', datasets: ['cohort'] });
    const v = await createPrivacyLedger(paths).spend(
      project,
      { epsilon: 0.1, delta: 0 },
      randomUUID(),
    );
    expect(v).toMatchObject({ ok: false, code: 'PRIVACY_BUDGET' });
    expect(!v.ok && v.reason).toMatch(/no privacy budget/);
    expect(await spentEntries()).toHaveLength(0);
  });

  it('spends until the budget, refuses the release that would exceed it, and audits each spend', async () => {
    await approveBudget(1, { datasets: ['cohort'], delta: 1e-5 });
    const ledger = createPrivacyLedger(paths);
    // 0.1 + 0.2 + 0.3 + 0.4 is 1.0000000000000002 in doubles: still within the budget of 1.
    for (const e of [0.1, 0.2, 0.3, 0.4])
      expect(await ledger.spend(project, { epsilon: e, delta: 0 }, randomUUID())).toMatchObject({
        ok: true,
        repeated: false,
      });
    const over = await ledger.spend(project, { epsilon: 0.05, delta: 0 }, randomUUID());
    expect(over).toMatchObject({ ok: false, code: 'PRIVACY_BUDGET' });
    expect(!over.ok && over.reason).toMatch(/would spend ε 0.05.*ε 0, δ 0.00001 remain/);
    const audited = await spentEntries();
    expect(audited).toHaveLength(4);
    expect(audited[3]?.details).toMatchObject({
      project: 'diabetes',
      projectId: project.id,
      epsilon: 0.4,
      delta: 0,
      remaining: { epsilon: 0, delta: 1e-5 },
    });
  });

  it('adds δ up too: a Gaussian release past δ, or any δ under a pure-ε budget, is refused', async () => {
    await approveBudget(10, { datasets: ['cohort'], delta: 1e-5 });
    const ledger = createPrivacyLedger(paths);
    expect((await ledger.spend(project, { epsilon: 1, delta: 6e-6 }, randomUUID())).ok).toBe(true);
    expect((await ledger.spend(project, { epsilon: 1, delta: 6e-6 }, randomUUID())).ok).toBe(false);
    await approveBudget(10, { project: 'other' });
    const other = { id: randomUUID(), name: 'other' };
    expect((await ledger.spend(other, { epsilon: 1, delta: 1e-9 }, randomUUID())).ok).toBe(false);
    expect((await ledger.spend(other, { epsilon: 1, delta: 0 }, randomUUID())).ok).toBe(true);
  });

  it('spends once per task id: a redelivered task does not spend twice', async () => {
    await approveBudget(1);
    const ledger = createPrivacyLedger(paths);
    const taskId = randomUUID();
    expect(await ledger.spend(project, { epsilon: 0.6, delta: 0 }, taskId)).toMatchObject({
      ok: true,
      repeated: false,
    });
    expect(await ledger.spend(project, { epsilon: 0.6, delta: 0 }, taskId)).toMatchObject({
      ok: true,
      repeated: true,
      remaining: { epsilon: 0.4, delta: 0 },
    });
    expect(await spentEntries()).toHaveLength(1);
  });

  it('survives a restart: a fresh ledger on the same folder sees every spend', async () => {
    await approveBudget(1);
    const taskId = randomUUID();
    await createPrivacyLedger(paths).spend(project, { epsilon: 0.7, delta: 0 }, taskId);
    const fresh = createPrivacyLedger(paths);
    expect((await fresh.spend(project, { epsilon: 0.7, delta: 0 }, randomUUID())).ok).toBe(false);
    expect((await fresh.spend(project, { epsilon: 0.7, delta: 0 }, taskId)).ok).toBe(true);
    expect(await spentEntries()).toHaveLength(1);
  });

  it('audits a spend left unaudited by a crash when the task comes back', async () => {
    await approveBudget(1);
    const taskId = randomUUID();
    await createPrivacyLedger(paths).spend(project, { epsilon: 0.2, delta: 0 }, taskId);
    // The node stopped after writing the spend and before its audit entry.
    const file = ledgerPath(paths);
    await writeFile(
      file,
      (await readFile(file, 'utf8')).replace('"audited": true', '"audited": false'),
    );
    await writeFile(paths.audit, '');
    await createPrivacyLedger(paths).spend(project, { epsilon: 0.2, delta: 0 }, taskId);
    expect(await spentEntries()).toHaveLength(1);
    expect(await readFile(file, 'utf8')).toContain('"audited": true');
  });

  it('keeps earlier spends when the operator changes the budget, and reports balances', async () => {
    await approveBudget(1, { datasets: ['cohort'] });
    // The first task binds the project id to the approval (task-runner's bindProject).
    const policy = JSON.parse(await readFile(paths.policy, 'utf8')) as {
      approvals: { projectId: string | null }[];
    };
    policy.approvals[0]!.projectId = project.id;
    await writeFile(paths.policy, JSON.stringify(policy));
    await createPrivacyLedger(paths).spend(project, { epsilon: 0.75, delta: 0 }, randomUUID());
    // Re-approving without a budget keeps it; a new budget counts what was spent.
    await approveProject({ dir, project: 'diabetes', datasets: ['cohort'] });
    expect((await privacyBalances(dir))[0]).toMatchObject({
      budget: { epsilon: 1, delta: 0 },
      remaining: { epsilon: 0.25, delta: 0 },
      releases: 1,
    });
    await approveBudget(0.5, { datasets: ['cohort'] });
    expect((await nodeStatus(dir)).privacy).toEqual([
      {
        project: 'diabetes',
        projectId: project.id,
        budget: { epsilon: 0.5, delta: 0 },
        spent: { epsilon: 0.75, delta: 0 },
        remaining: { epsilon: 0, delta: 0 },
        releases: 1,
      },
    ]);
    await expect(approveBudget(0)).rejects.toThrow(/0 < ε/);
  });

  it('refuses to read a corrupt ledger as "nothing spent"', async () => {
    await approveBudget(1);
    await writeFile(ledgerPath(paths), '{"v": 1, "projects": "none"}');
    await expect(
      createPrivacyLedger(paths).spend(project, { epsilon: 0.1, delta: 0 }, randomUUID()),
    ).rejects.toThrow(/privacy-ledger.json is invalid/);
  });
});
