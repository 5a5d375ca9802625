import type { Proc } from './harness.js';

/* The shapes the end-to-end tests read from a consortium and its hub's answers. */

export interface SiteSpec {
  readonly name: string;
  readonly csv: string;
  /** `node init --min-count`. */
  readonly minCount?: number;
  /** Added to the project (default true). */
  readonly inProject?: boolean;
  /** `node init --pin` (default: the hub's own pin). */
  readonly pin?: string;
  /** Started by startCluster (default true). */
  readonly start?: boolean;
}

export interface Site {
  readonly name: string;
  readonly dir: string;
  readonly apiKey: string;
  readonly csvFile: string;
  proc: Proc | null;
}

export interface TrustInfo {
  name: string;
  revoked: boolean;
  nodeFingerprint: string | null;
  lastSeenAt: string | null;
}

export interface AuditRecord {
  seq: number;
  actor: string;
  action: string;
  target: string | null;
  details: Record<string, unknown>;
  traceId: string;
}

export interface JobInfo {
  id: string;
  status: string;
  result: unknown;
  sites: { trust: string; status: string; code?: string; reason?: string }[];
  error: { code: string; reason: string } | null;
}
