import type { KeyObject } from 'node:crypto';
import {
  catalogueSigned,
  isTesseraError,
  signJson,
  type CatalogueAccepted,
  type CataloguePublishRequest,
} from '@tessera/protocol';
import type { Logger } from 'pino';
import { backoffDelay, pause } from '../hub/backoff.js';
import { NODE_AUDIT_ACTIONS, appendAudit } from '../store/audit-log.js';
import type { NodePaths } from '../store/layout.js';
import { buildCatalogue, readCatalogueInputs, type LevelCountCache } from './build-catalogue.js';

/** How often the node checks whether its catalogue changed (policy, approvals, datasets). */
export const CATALOGUE_CHECK_MS = 2_000;

export interface CataloguePublisherDeps {
  readonly paths: NodePaths;
  /** This node's trust name, as the catalogue names it. */
  readonly trust: string;
  readonly client: {
    publishCatalogue(
      body: CataloguePublishRequest,
      signal?: AbortSignal,
    ): Promise<CatalogueAccepted>;
  };
  readonly signPrivate: KeyObject;
  readonly logger: Logger;
  /** Stops the publisher. */
  readonly signal: AbortSignal;
  readonly checkMs?: number;
}

export interface CataloguePublisher {
  /** Starts publishing (first call) or forces a fresh publication (the hub may have lost it). */
  onEnrolled(): void;
  /** Settles once the publisher has stopped after the signal aborted (at once if never started). */
  stopped(): Promise<void>;
}

/**
 * Publishes the node's catalogue after enrolment and again whenever what it is made of changes
 * (the fingerprint of minCount, approvals and dataset versions, checked every `checkMs`).
 * Failures back off and retry; they never touch the polling of tasks, which runs apart.
 */
export function createCataloguePublisher(d: CataloguePublisherDeps): CataloguePublisher {
  const cache: LevelCountCache = new Map();
  let published: string | null = null;
  let running: Promise<void> | null = null;
  let wake = new AbortController();

  async function publishIfChanged(): Promise<void> {
    const inputs = await readCatalogueInputs(d.paths);
    if (inputs.fingerprint === published) return;
    const catalogue = await buildCatalogue(d.paths, d.trust, inputs, cache);
    const sig = signJson(catalogueSigned(catalogue), d.signPrivate);
    const ack = await d.client.publishCatalogue({ type: 'catalogue', catalogue, sig }, d.signal);
    published = inputs.fingerprint;
    // The node's log is the hospital's receipt of what left: the catalogue's shape, never levels.
    await appendAudit(d.paths, {
      action: NODE_AUDIT_ACTIONS.cataloguePublished,
      actor: 'system',
      target: `trust:${d.trust}`,
      details: {
        datasets: catalogue.datasets.map((x) => x.name),
        variables: ack.variables,
        fingerprint: inputs.fingerprint,
      },
    });
    d.logger.info({ datasets: ack.datasets, variables: ack.variables }, 'catalogue published');
  }

  async function loop(): Promise<void> {
    let failures = 0;
    while (!d.signal.aborted) {
      let wait = d.checkMs ?? CATALOGUE_CHECK_MS;
      try {
        await publishIfChanged();
        failures = 0;
      } catch (e) {
        if (aborted(d.signal)) return;
        wait = Math.max(wait, backoffDelay(failures++));
        const code = isTesseraError(e) ? e.code : 'INTERNAL';
        d.logger.warn({ code, retryInMs: wait }, 'catalogue not published; retrying');
      }
      await pause(wait, AbortSignal.any([d.signal, wake.signal]));
      if (wake.signal.aborted) wake = new AbortController();
    }
  }

  return {
    onEnrolled() {
      published = null;
      if (running === null) running = loop();
      else wake.abort();
    },
    stopped: () => running ?? Promise.resolve(),
  };
}

// A function, so the checker does not assume the signal cannot have changed since the loop test.
function aborted(signal: AbortSignal): boolean {
  return signal.aborted;
}
