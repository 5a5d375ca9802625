import type { HubDecision, SiteResult } from './framework.js';
import {
  PRIVACY_REPORT_KEY,
  privacyReportSchema,
  type DpMechanism,
  type PrivacyReport,
} from './privacy/schemas.js';

/**
 * What a result says about the noise in it (README "Differential privacy"): each site spent
 * `epsilonPerSite` and `deltaPerSite` of its project budget on its own patients. Sites hold
 * disjoint patients, so the pooled result is (ε, δ)-DP towards any one patient at that ε, not
 * k·ε (parallel composition). `noiseScale` is per released statistic, in its own units: the
 * Laplace scale b = Δ₁/ε or the Gaussian σ added at each site (the pooled sum of k sites has k
 * independent draws).
 */
export interface PrivacyResult {
  mechanism: DpMechanism;
  epsilonPerSite: number;
  deltaPerSite: number;
  sites: number;
  noiseScale: Record<string, number>;
  composition: string;
}

const COMPOSITION =
  "parallel across sites: each site's noise protects its own patients, so the pooled result " +
  'is (epsilonPerSite, deltaPerSite)-DP for any one patient; within a site the statistics ' +
  "split the site's epsilon and delta (basic composition)";

/** Site results with the privacy reports taken out of their outputs, and the result's block. */
export type TakenPrivacy =
  | { readonly ok: true; readonly results: SiteResult[]; readonly privacy: PrivacyResult | null }
  | { readonly ok: false; readonly reason: string };

/**
 * Takes each ok site's privacy report out of its output (so the algorithm's strict output schema
 * sees the statistics only) and sums them up for the result. With `asked` (the job's params hold
 * `dp`), every ok site must carry a valid report; without, none may.
 */
export function takePrivacy(results: readonly SiteResult[], asked: boolean): TakenPrivacy {
  const reports: PrivacyReport[] = [];
  const out: SiteResult[] = [];
  for (const r of results) {
    const o = r.output;
    const has = typeof o === 'object' && o !== null && Object.hasOwn(o, PRIVACY_REPORT_KEY);
    if (r.status !== 'ok' || (!has && !asked)) {
      out.push(r);
      continue;
    }
    if (!has) return { ok: false, reason: `${r.trust}: no privacy report although dp was asked` };
    if (!asked) return { ok: false, reason: `${r.trust}: a privacy report dp was not asked for` };
    const { [PRIVACY_REPORT_KEY]: report, ...rest } = o as Record<string, unknown>;
    const parsed = privacyReportSchema.safeParse(report);
    if (!parsed.success) return { ok: false, reason: `${r.trust}: invalid privacy report` };
    reports.push(parsed.data);
    out.push({ ...r, output: rest });
  }
  return { ok: true, results: out, privacy: summarise(reports) };
}

function summarise(reports: readonly PrivacyReport[]): PrivacyResult | null {
  const first = reports[0]?.releases[0];
  if (first === undefined) return null;
  const noiseScale: Record<string, number> = {};
  for (const report of reports) {
    report.releases.forEach((r, i) => {
      const name = r.statistic ?? `release ${String(i + 1)}`;
      noiseScale[name] = Math.max(noiseScale[name] ?? 0, r.noiseScale);
    });
  }
  return {
    mechanism: first.mechanism,
    epsilonPerSite: Math.max(...reports.map((r) => r.epsilon)),
    deltaPerSite: Math.max(...reports.map((r) => r.delta)),
    sites: reports.length,
    noiseScale,
    composition: COMPOSITION,
  };
}

/** The decision with `privacy` added to a done result (unchanged when there is none). */
export function withPrivacy<S>(d: HubDecision<S>, privacy: PrivacyResult | null): HubDecision<S> {
  if (privacy === null || d.kind !== 'done' || typeof d.result !== 'object' || d.result === null)
    return d;
  return { kind: 'done', result: { ...d.result, privacy } };
}
