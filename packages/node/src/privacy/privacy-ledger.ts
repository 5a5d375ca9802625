import { join } from 'node:path';
import { z } from 'zod';
import { idSchema, isoDateSchema, TesseraError } from '@tessera/protocol';
import { readJsonFile, writeJsonAtomic } from '../store/atomic-file.js';
import { NODE_AUDIT_ACTIONS, createAuditLog } from '../store/audit-log.js';
import type { NodePaths } from '../store/layout.js';
import { withLock } from '../store/lock.js';
import { loadPolicy, type Approval, type PrivacyBudget } from '../store/policy-store.js';
import type { PrivacyClaim } from './privacy-claim.js';

const amountSchema = z.object({ epsilon: z.number().min(0), delta: z.number().min(0) }).strict();

const spendSchema = z
  .object({
    taskId: idSchema,
    epsilon: z.number().min(0),
    delta: z.number().min(0),
    at: isoDateSchema,
    /** Whether its `privacy.spent` audit entry is written (set right after). */
    audited: z.boolean(),
    /** The job of a release composed by an accountant (see Composition). */
    job: idSchema.optional(),
    /** The accountant's key (accountantKey): only releases of the same key compose. */
    accountant: z.string().min(1).max(200).optional(),
  })
  .strict();

/**
 * `<dir>/privacy-ledger.json`: every noisy release's spend, per project id. Never edited by the
 * operator (the budget lives in policy.json), so lowering a budget cannot forget what was spent.
 */
const ledgerSchema = z
  .object({
    v: z.literal(1),
    projects: z.array(
      z.object({ projectId: idSchema, spent: amountSchema, spends: z.array(spendSchema) }).strict(),
    ),
  })
  .strict();
type Ledger = z.infer<typeof ledgerSchema>;
type ProjectLedger = Ledger['projects'][number];

/** A project's budget, what it spent and what is left (null budget: noisy releases refused). */
export interface PrivacyBalance {
  readonly project: string;
  readonly projectId: string | null;
  readonly budget: PrivacyBudget | null;
  readonly spent: { epsilon: number; delta: number };
  readonly remaining: { epsilon: number; delta: number } | null;
  readonly releases: number;
}

/** A spend's verdict: recorded (or already recorded for this task), or refused. */
export type SpendVerdict =
  | {
      readonly ok: true;
      /** True when this task had spent already (a redelivered or resumed task spends once). */
      readonly repeated: boolean;
      /** What this task spent (for a composed release, the increment the ledger charged). */
      readonly spent: { epsilon: number; delta: number };
      readonly remaining: { epsilon: number; delta: number };
    }
  | { readonly ok: false; readonly code: 'PRIVACY_BUDGET'; readonly reason: string };

/**
 * A release that composes with the earlier ones of its job by an accountant (DP-FedAvg, issue 6):
 * the ledger counts this job's earlier spends under the same key itself and charges
 * `charge(count)`, so what a round costs follows the node's own record, never a round number the
 * hub sent.
 */
export interface Composition {
  readonly job: string;
  readonly key: string;
  /** The (ε, δ) of the release after `prior` earlier ones of the job under this key. */
  charge(prior: number): PrivacyClaim;
}

/** The node's privacy ledger: budgets from policy.json, spends in privacy-ledger.json. */
export interface PrivacyLedger {
  /**
   * Spends a noisy release's ε and δ from its project's budget, under the node's state lock,
   * durably, and audits it as `privacy.spent`; idempotent per task id. Refuses when the project
   * has no budget or when the spend would take ε or δ past it (basic composition). With a
   * `composition`, the amount is what it charges after this job's earlier releases under its key
   * (`amount` is ignored); the job as a whole then composes with other releases by basic
   * composition.
   */
  spend(
    project: { id: string; name: string },
    amount: PrivacyClaim,
    taskId: string,
    traceId?: string,
    composition?: Composition,
  ): Promise<SpendVerdict>;
  /** Every approved project's budget and what is left. */
  balances(): Promise<PrivacyBalance[]>;
}

/** Where the ledger lives in a node folder. */
export function ledgerPath(paths: NodePaths): string {
  return join(paths.dir, 'privacy-ledger.json');
}

// Sums of decimal ε (0.1 + 0.2) overshoot their exact value by an ulp or so; a relative slack of
// 1e-9 keeps such a budget spendable to the end without any privacy of consequence.
const SLACK = 1 + 1e-9;

/**
 * The ledger of the node in `paths`. It holds no state in memory: each call reads the files, so a
 * fresh ledger after a restart, or an operator command beside `node start`, sees every spend.
 */
export function createPrivacyLedger(
  paths: NodePaths,
  now: () => Date = () => new Date(),
): PrivacyLedger {
  const file = ledgerPath(paths);
  const audit = createAuditLog(paths);

  async function markAudited(projectId: string, taskId: string): Promise<void> {
    await withLock(paths.lock, async () => {
      const ledger = await loadLedger(file);
      const s = ledger.projects
        .find((p) => p.projectId === projectId)
        ?.spends.find((x) => x.taskId === taskId);
      if (s === undefined || s.audited) return;
      s.audited = true;
      await writeJsonAtomic(file, ledger);
    });
  }

  return {
    async spend(project, asked, taskId, traceId, composition) {
      let amount = asked;
      const decided = await withLock(paths.lock, async () => {
        const budget = findApproval((await loadPolicy(paths)).approvals, project)?.budget ?? null;
        const ledger = await loadLedger(file);
        let entry = ledger.projects.find((p) => p.projectId === project.id);
        const prior = entry?.spends.find((s) => s.taskId === taskId);
        if (prior !== undefined) {
          amount = { epsilon: prior.epsilon, delta: prior.delta };
          return { verdict: repeated(entry, budget, amount), audit: !prior.audited };
        }
        if (composition !== undefined) {
          const earlier = (entry?.spends ?? []).filter(
            (s) => s.job === composition.job && s.accountant === composition.key,
          ).length;
          amount = composition.charge(earlier);
        }
        if (budget === null)
          return {
            verdict: refuse(
              `project ${project.name} has no privacy budget at this node, so no noisy release is made (the operator sets one with tessera node approve --epsilon)`,
            ),
            audit: false,
          };
        const spent = entry?.spent ?? { epsilon: 0, delta: 0 };
        const next = { epsilon: spent.epsilon + amount.epsilon, delta: spent.delta + amount.delta };
        if (next.epsilon > budget.epsilon * SLACK || next.delta > budget.delta * SLACK) {
          const left = remainingOf(budget, spent);
          return {
            verdict: refuse(
              `the release would spend ε ${fmt(amount.epsilon)}, δ ${fmt(amount.delta)} of project ${project.name}'s privacy budget, of which ε ${fmt(left.epsilon)}, δ ${fmt(left.delta)} remain`,
            ),
            audit: false,
          };
        }
        if (entry === undefined) {
          entry = { projectId: project.id, spent, spends: [] };
          ledger.projects.push(entry);
        }
        entry.spent = next;
        entry.spends.push({
          taskId,
          epsilon: amount.epsilon,
          delta: amount.delta,
          at: now().toISOString(),
          audited: false,
          ...(composition === undefined
            ? {}
            : { job: composition.job, accountant: composition.key }),
        });
        await writeJsonAtomic(file, ledger);
        return {
          verdict: {
            ok: true as const,
            repeated: false,
            spent: amount,
            remaining: remainingOf(budget, next),
          },
          audit: true,
        };
      });
      if (decided.audit && decided.verdict.ok) {
        // Outside the lock (the audit log takes it); a crash before the entry is written leaves
        // the spend unaudited, and the task's resumption writes it (the flag says so).
        await audit.append({
          action: NODE_AUDIT_ACTIONS.privacySpent,
          actor: 'system',
          target: `task:${taskId}`,
          details: {
            project: project.name,
            projectId: project.id,
            taskId,
            epsilon: amount.epsilon,
            delta: amount.delta,
            remaining: decided.verdict.remaining,
            ...(composition === undefined
              ? {}
              : { job: composition.job, accountant: composition.key }),
          },
          ...(traceId === undefined ? {} : { traceId }),
        });
        await markAudited(project.id, taskId);
      }
      return decided.verdict;
    },

    async balances() {
      const [policy, ledger] = await Promise.all([loadPolicy(paths), loadLedger(file)]);
      return policy.approvals.map((a) => {
        const entry =
          a.projectId === null
            ? undefined
            : ledger.projects.find((p) => p.projectId === a.projectId);
        const spent = entry?.spent ?? { epsilon: 0, delta: 0 };
        const budget = a.budget ?? null;
        return {
          project: a.project,
          projectId: a.projectId,
          budget,
          spent,
          remaining: budget === null ? null : remainingOf(budget, spent),
          releases: entry?.spends.length ?? 0,
        };
      });
    },
  };
}

function repeated(
  entry: ProjectLedger | undefined,
  budget: PrivacyBudget | null,
  amount: PrivacyClaim,
): SpendVerdict {
  const spent = entry?.spent ?? { epsilon: 0, delta: 0 };
  return {
    ok: true,
    repeated: true,
    spent: amount,
    remaining: budget === null ? { epsilon: 0, delta: 0 } : remainingOf(budget, spent),
  };
}

function refuse(reason: string): SpendVerdict {
  return { ok: false, code: 'PRIVACY_BUDGET', reason };
}

function remainingOf(
  budget: PrivacyBudget,
  spent: { epsilon: number; delta: number },
): { epsilon: number; delta: number } {
  return {
    epsilon: Math.max(0, budget.epsilon - spent.epsilon),
    delta: Math.max(0, budget.delta - spent.delta),
  };
}

// As the task's policy check does: the approval bound to the project id wins, else the name.
function findApproval(
  approvals: readonly Approval[],
  project: { id: string; name: string },
): Approval | null {
  return (
    approvals.find((a) => a.projectId === project.id) ??
    approvals.find((a) => a.projectId === null && a.project === project.name) ??
    null
  );
}

function fmt(x: number): string {
  return String(Number(x.toPrecision(6)));
}

/**
 * @throws TesseraError BAD_REQUEST when the ledger file is invalid (never read as "nothing spent").
 */
async function loadLedger(file: string): Promise<Ledger> {
  const raw = await readJsonFile(file);
  if (raw === undefined) return { v: 1, projects: [] };
  const parsed = ledgerSchema.safeParse(raw);
  if (!parsed.success)
    throw new TesseraError(
      'BAD_REQUEST',
      `privacy-ledger.json is invalid: ${z.prettifyError(parsed.error)}`,
    );
  return parsed.data;
}
