import { DEFAULT_SCALE_BITS, fixedPointErrorBound, ringAddInto } from '@tessera/protocol';
import type { Algorithm, HubDecision, SiteResult } from '../framework.js';
import { unmask } from './hub-unmask.js';
import { minimumThreshold } from './node-phases.js';
import { ringFromB64u, ringToB64u } from './ring-bytes.js';
import { mergeLayouts, type Layout, type SumForm } from './sum-form.js';
import {
  keysOutputSchema,
  maskedOutputSchema,
  parsePhaseStep,
  phaseStep,
  sharesOutputSchema,
  type KeysInput,
  type MaskedInput,
  type RelayedShare,
  type SharesInput,
  type SignedAdvertisement,
  type UnmaskInput,
} from './wire.js';

/** Options of {@link secureAlgorithm}. */
export interface SecureOptions {
  /** Shamir threshold t; raised to a strict majority of U1 (and 2) when lower, as nodes insist. */
  readonly threshold?: number;
  /** Fixed-point resolution 2^-scaleBits (default DEFAULT_SCALE_BITS, 20). */
  readonly scaleBits?: number;
}

/** The `secureAggregation` field of a secure job's result (README "Secure aggregation"). */
export interface SecureAggregationReport {
  /** Sites whose input is in the last sum (|U3|). */
  sites: number;
  /** Shamir threshold t of the last sum. */
  threshold: number;
  scaleBits: number;
  /** Largest absolute error of each summed element: sites · 2^-(scaleBits + 1). */
  errorBound: number;
  /** Sites that advertised keys in some sum but whose input is not in it, sorted. */
  dropped: string[];
  /** Secure sums run in the job (one per summable round). */
  sums: number;
}

/** One secure sum in progress (JSON in the job's state). */
interface SumState {
  readonly step: string;
  readonly input: unknown;
  readonly saRound: number;
  /** Refusals and failures at the keys phase, handed on to the algorithm's aggregate. */
  readonly passed: readonly SiteResult[];
  readonly jobId?: string;
  readonly threshold?: number;
  readonly roster?: Readonly<Record<string, { cPublic: string; sPublic: string }>>;
  readonly layout?: Layout;
  readonly length?: number;
  readonly u2?: readonly string[];
  readonly u3?: readonly string[];
  readonly maskedSum?: string;
  readonly deadlineMs?: number;
  /** The step's sites as the algorithm named them; every phase of the sum goes to them only. */
  readonly sites?: readonly string[];
  /** The algorithm's minSites for the step, held at every phase (with the threshold). */
  readonly minSites?: number;
}

/** The wrapper's hub state: the algorithm's own state plus the secure sum in progress. */
export interface SecureHubState {
  readonly inner: unknown;
  readonly nextRound: number;
  readonly report: SecureAggregationReport | null;
  readonly sum: SumState | null;
}

type Decision = HubDecision<SecureHubState>;
const FAILED = 'SECURE_AGGREGATION_FAILED';
const failed = (s: SumState, phase: string, reason: string): Decision => ({
  kind: 'failed',
  code: FAILED,
  reason: `secure aggregation of step ${s.step}, phase ${phase}: ${reason}`,
});
const tooFew = (
  s: SumState,
  phase: string,
  got: number,
  t: number,
  results: readonly SiteResult[],
): Decision => {
  const others = results
    .filter((r) => r.status !== 'ok')
    .map((r) => `${r.trust}: ${r.code ?? r.status}`);
  const detail = others.length > 0 ? ` (${others.join('; ')})` : '';
  return failed(
    s,
    phase,
    `${String(got)} site(s) took part, threshold ${String(t)}${detail}; nothing was unmasked`,
  );
};
const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Wraps `alg` for secure aggregation (issue 5, Bonawitz et al. 2017): every step with a sum form
 * becomes four steps `S#sa-keys`, `S#sa-shares`, `S#sa-masked`, `S#sa-unmask`; other steps stay
 * plain. The hub learns only the sum over the surviving sites, which it hands to the algorithm's
 * own aggregate as ONE site result `{trust: 'secure-sum', status: 'ok', output}` (with the keys
 * phase's refusals). Fewer than t sites at any phase fail the job cleanly, naming the phase.
 * Every input is broadcast; each node picks what is sealed to it. A step's `sites` hold for all
 * four of its phases (masks only among them) and its `minSites` at each phase; its `progress` and
 * `artifacts` come with the keys phase, and a `done` decision's artifacts pass through.
 */
export function secureAlgorithm<P, S>(
  alg: Algorithm<P, S>,
  sumForms: Readonly<Record<string, SumForm<P>>>,
  options: SecureOptions = {},
): Algorithm<P, SecureHubState> {
  const scaleBits = options.scaleBits ?? DEFAULT_SCALE_BITS;
  const formOf = (step: string): SumForm<P> | undefined =>
    Object.hasOwn(sumForms, step) ? sumForms[step] : undefined;

  /** Why `form` cannot run this job securely, or null. */
  const refusal = (params: P, form: SumForm<P>): string | null => {
    // Noise added for the pooled release would need to be split across sites to keep the sum's
    // accuracy; until that exists the combination is refused, unless each site's noise is for
    // its own guarantee (noisedAtSites), which a sum keeps.
    const dp =
      typeof params === 'object' && params !== null && 'dp' in params && params.dp !== undefined;
    if (dp && form.noisedAtSites !== true)
      return 'differential privacy (dp) cannot be combined with secure aggregation yet';
    return form.unsupported?.(params) ?? null;
  };

  const wrap = (params: P, d: HubDecision<S>, base: SecureHubState): Decision => {
    if (d.kind === 'failed') return d;
    if (d.kind === 'done') {
      const result: unknown =
        base.report === null || typeof d.result !== 'object' || d.result === null
          ? d.result
          : { ...d.result, secureAggregation: base.report };
      return {
        kind: 'done',
        result,
        ...(d.artifacts === undefined ? {} : { artifacts: d.artifacts }),
      };
    }
    const form = formOf(d.step);
    const common = {
      ...(d.deadlineMs === undefined ? {} : { deadlineMs: d.deadlineMs }),
      ...(d.sites === undefined ? {} : { sites: d.sites }),
    };
    if (form === undefined) {
      return { ...d, state: { ...base, inner: d.state, sum: null } };
    }
    const why = refusal(params, form);
    if (why !== null)
      return { kind: 'failed', code: 'SECURE_AGGREGATION_UNSUPPORTED', reason: why };
    const sum: SumState = {
      step: d.step,
      input: d.input ?? null,
      saRound: base.nextRound,
      passed: [],
      ...common,
      ...(d.minSites === undefined ? {} : { minSites: d.minSites }),
    };
    const input: KeysInput = { phase: 'keys', saRound: sum.saRound, input: sum.input };
    // The decision's progress and artifacts belong to the algorithm's step: they are kept when
    // its keys phase opens, and the later phases leave them as they are.
    return {
      kind: 'step',
      step: phaseStep(d.step, 'keys'),
      input,
      state: { inner: d.state, nextRound: base.nextRound + 1, report: base.report, sum },
      minSites: Math.max(2, options.threshold ?? 2, d.minSites ?? 0),
      ...common,
      ...(d.progress === undefined ? {} : { progress: d.progress }),
      ...(d.artifacts === undefined ? {} : { artifacts: d.artifacts }),
    };
  };

  const next = (
    state: SecureHubState,
    sum: SumState,
    phase: 'shares' | 'masked' | 'unmask',
    input: unknown,
  ): Decision => ({
    kind: 'step',
    step: phaseStep(sum.step, phase),
    input,
    state: { ...state, sum },
    minSites: Math.max(sum.threshold ?? 2, sum.minSites ?? 0),
    ...(sum.deadlineMs === undefined ? {} : { deadlineMs: sum.deadlineMs }),
    ...(sum.sites === undefined ? {} : { sites: sum.sites }),
  });

  /** Keys: U1, the threshold, the merged layout and the vector length. */
  const onKeys = (
    params: P,
    state: SecureHubState,
    s: SumState,
    results: readonly SiteResult[],
  ): Decision => {
    const adverts: Record<string, SignedAdvertisement> = {};
    const layouts: Layout[] = [];
    const passed: SiteResult[] = [];
    const jobIds = new Set<string>();
    for (const r of results) {
      const parsed = keysOutputSchema.safeParse(r.output);
      const ad = parsed.success ? parsed.data.advertisement : undefined;
      if (r.status !== 'ok' || !parsed.success || ad?.trust !== r.trust || ad.round !== s.saRound) {
        passed.push(
          r.status === 'ok'
            ? {
                trust: r.trust,
                status: 'failed',
                code: 'STEP_FAILED',
                reason: 'malformed key advertisement',
              }
            : r,
        );
        continue;
      }
      adverts[r.trust] = { advertisement: ad, signature: parsed.data.signature };
      layouts.push(parsed.data.layout);
      jobIds.add(ad.jobId);
    }
    const n = Object.keys(adverts).length;
    const t = Math.max(options.threshold ?? 0, minimumThreshold(n));
    if (n < t) return tooFew(s, 'keys', n, t, results);
    const [jobId, ...more] = [...jobIds];
    if (jobId === undefined || more.length > 0)
      return failed(s, 'keys', 'the sites advertised keys for different jobs');
    const form = formOf(s.step);
    const layout = mergeLayouts(layouts);
    let length: number;
    try {
      length = form?.length(params, s.input, layout) ?? 0;
    } catch (e) {
      return failed(s, 'keys', (e as Error).message);
    }
    const roster = Object.fromEntries(
      Object.entries(adverts).map(([k, a]) => [
        k,
        { cPublic: a.advertisement.cPublic, sPublic: a.advertisement.sPublic },
      ]),
    );
    const sum: SumState = { ...s, passed, jobId, threshold: t, roster, layout, length };
    const input: SharesInput = {
      phase: 'shares',
      saRound: s.saRound,
      threshold: t,
      advertisements: adverts,
    };
    return next(state, sum, 'shares', input);
  };

  /** Shares: U2 = roster members that sent a box to every other member; relay their boxes. */
  const onShares = (
    state: SecureHubState,
    s: SumState,
    results: readonly SiteResult[],
  ): Decision => {
    const roster = s.roster ?? {};
    const names = Object.keys(roster);
    const u2: string[] = [];
    const relayed: RelayedShare[] = [];
    for (const r of results) {
      const parsed = sharesOutputSchema.safeParse(r.output);
      if (r.status !== 'ok' || !parsed.success || !Object.hasOwn(roster, r.trust)) continue;
      const to = parsed.data.shares.map((b) => b.to);
      const expected = names.filter((v) => v !== r.trust);
      if (to.length !== expected.length || !expected.every((v) => to.includes(v))) continue;
      u2.push(r.trust);
      relayed.push(...parsed.data.shares.map((b) => ({ from: r.trust, to: b.to, box: b.box })));
    }
    const t = s.threshold ?? 2;
    if (u2.length < t) return tooFew(s, 'shares', u2.length, t, results);
    u2.sort(byCodeUnit);
    const input: MaskedInput = {
      phase: 'masked',
      saRound: s.saRound,
      u2,
      shares: relayed,
      layout: Object.fromEntries(Object.entries(s.layout ?? {}).map(([k, v]) => [k, [...v]])),
      length: s.length ?? 0,
      scaleBits,
      parties: u2.length,
    };
    return next(state, { ...s, u2 }, 'masked', input);
  };

  /** Masked: U3, with one running ring sum of the masked vectors (never kept one by one). */
  const onMasked = (
    state: SecureHubState,
    s: SumState,
    results: readonly SiteResult[],
  ): Decision => {
    const length = s.length ?? 0;
    const u2 = new Set(s.u2);
    const acc =
      s.maskedSum === undefined ? new Uint32Array(2 * length) : ringFromB64u(s.maskedSum, length);
    const u3: string[] = [];
    for (const r of results) {
      const parsed = maskedOutputSchema.safeParse(r.output);
      if (r.status !== 'ok' || !parsed.success || !u2.has(r.trust) || u3.includes(r.trust))
        continue;
      let y: Uint32Array;
      try {
        y = ringFromB64u(parsed.data.masked, length);
      } catch {
        continue; // a vector of the wrong length counts as a dropout: its masks come off via shares
      }
      ringAddInto(acc, y);
      u3.push(r.trust);
    }
    const t = s.threshold ?? 2;
    if (u3.length < t) return tooFew(s, 'masked', u3.length, t, results);
    u3.sort(byCodeUnit);
    const dropped = (s.u2 ?? []).filter((u) => !u3.includes(u));
    const input: UnmaskInput = { phase: 'unmask', saRound: s.saRound, survivors: u3, dropped };
    return next(state, { ...s, u3, maskedSum: ringToB64u(acc) }, 'unmask', input);
  };

  /** Unmask: the sum, decoded, handed to the algorithm's aggregate as one site's output. */
  const onUnmask = (
    params: P,
    state: SecureHubState,
    s: SumState,
    results: readonly SiteResult[],
  ): Decision => {
    const survivors = s.u3 ?? [];
    const opened = unmask(
      {
        jobId: s.jobId ?? '',
        saRound: s.saRound,
        threshold: s.threshold ?? 2,
        roster: s.roster ?? {},
        survivors,
        dropped: (s.u2 ?? []).filter((u) => !survivors.includes(u)),
        maskedSum: s.maskedSum ?? '',
        length: s.length ?? 0,
        scaleBits,
      },
      results,
    );
    if ('reason' in opened) return failed(s, 'unmask', `${opened.reason}; nothing was unmasked`);
    const form = formOf(s.step);
    let output: unknown;
    try {
      output = form?.fromSum(opened.sum, params, s.input, survivors.length, s.layout ?? {});
    } catch (e) {
      return failed(s, 'unmask', (e as Error).message);
    }
    const dropped = Object.keys(s.roster ?? {}).filter((u) => !survivors.includes(u));
    const report: SecureAggregationReport = {
      sites: survivors.length,
      threshold: s.threshold ?? 2,
      scaleBits,
      errorBound: fixedPointErrorBound({ scaleBits, parties: s.u2?.length ?? survivors.length }),
      dropped: [...new Set([...(state.report?.dropped ?? []), ...dropped])].sort(byCodeUnit),
      sums: (state.report?.sums ?? 0) + 1,
    };
    const site: SiteResult = { trust: 'secure-sum', status: 'ok', output };
    const d = alg.aggregate(params, state.inner as S, s.step, [site, ...s.passed]);
    return wrap(params, d, { ...state, report, sum: null });
  };

  return {
    ...alg,
    start: (params) => {
      // Every summable step is checked before the first one runs, so a job refused at a later
      // step (e.g. train's rounds after a plain 'prepare') is refused at submission.
      for (const form of Object.values(sumForms)) {
        const why = refusal(params, form);
        if (why !== null)
          return { kind: 'failed', code: 'SECURE_AGGREGATION_UNSUPPORTED', reason: why };
      }
      return wrap(params, alg.start(params), {
        inner: null,
        nextRound: 0,
        report: null,
        sum: null,
      });
    },
    aggregate: (params, state, step, results) => {
      const phase = parsePhaseStep(step);
      if (phase === null)
        return wrap(params, alg.aggregate(params, state.inner as S, step, results), state);
      const s = state.sum;
      if (s?.step !== phase.step) {
        return {
          kind: 'failed',
          code: FAILED,
          reason: `step ${step} has no secure sum in progress`,
        };
      }
      switch (phase.phase) {
        case 'keys':
          return onKeys(params, state, s, results);
        case 'shares':
          return onShares(state, s, results);
        case 'masked':
          return onMasked(state, s, results);
        case 'unmask':
          return onUnmask(params, state, s, results);
      }
    },
  };
}
