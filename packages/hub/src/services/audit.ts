import type { AuditEntry, ChainVerdict } from '@tessera/protocol';
import { listAudit, verifyAudit } from '../audit/audit-log.js';
import type { HubDeps, UserPrincipal } from '../deps.js';
import { requireAdmin } from '../policy.js';

/** Audit entries after `after`, for admins. @throws TesseraError FORBIDDEN */
export async function readAudit(
  deps: HubDeps,
  actor: UserPrincipal,
  after: number,
  limit: number,
): Promise<AuditEntry[]> {
  requireAdmin(actor);
  return listAudit(deps.db, after, limit);
}

/** Verifies the hub's chain, for admins. @throws TesseraError FORBIDDEN */
export async function checkAudit(deps: HubDeps, actor: UserPrincipal): Promise<ChainVerdict> {
  requireAdmin(actor);
  return verifyAudit(deps.db);
}
