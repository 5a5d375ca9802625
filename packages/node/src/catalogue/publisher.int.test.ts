import { readFileSync } from 'node:fs';
import {
  TesseraError,
  catalogueSigned,
  generatePartyKeys,
  verifyJson,
  type CataloguePublishRequest,
} from '@tessera/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importDataset } from '../data/import-dataset.js';
import { approveProject, setPolicy } from '../operator.js';
import { nodePaths } from '../store/layout.js';
import { makeCsv, makeNode, makeTempDir, silentLogger, writeCsvFile } from '../testing/helpers.js';
import { createCataloguePublisher, type CataloguePublisher } from './publisher.js';

let base: string;
let dir: string;
let cleanup: () => Promise<void>;
let stop: AbortController;
let publisher: CataloguePublisher | undefined;
const keys = generatePartyKeys();

/** A hub stand-in that records what it is sent and fails the first `failFirst` calls. */
function makeClient(failFirst = 0) {
  const sent: CataloguePublishRequest[] = [];
  let calls = 0;
  return {
    sent,
    calls: () => calls,
    publishCatalogue(body: CataloguePublishRequest) {
      calls++;
      if (calls <= failFirst) {
        return Promise.reject(new TesseraError('UNAVAILABLE', 'hub down'));
      }
      sent.push(body);
      return Promise.resolve({ type: 'catalogue-accepted' as const, datasets: 0, variables: 0 });
    },
  };
}

function start(client: ReturnType<typeof makeClient>) {
  publisher = createCataloguePublisher({
    paths: nodePaths(dir),
    trust: 'st-marys',
    client,
    signPrivate: keys.signPrivate,
    logger: silentLogger,
    signal: stop.signal,
    checkMs: 20,
  });
  return publisher;
}

async function waitFor(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}
const settle = () => new Promise((r) => setTimeout(r, 200));

beforeEach(async () => {
  ({ dir: base, cleanup } = await makeTempDir());
  dir = (await makeNode(base)).dir;
  await importDataset({
    dir,
    name: 'patients',
    file: await writeCsvFile(base, 'p.csv', makeCsv(40)),
  });
  await approveProject({ dir, project: 'study', datasets: ['patients'] });
  stop = new AbortController();
});
afterEach(async () => {
  stop.abort();
  await publisher?.stopped();
  publisher = undefined;
  await cleanup();
});

describe('the catalogue publisher', () => {
  it('publishes nothing before enrolment, then a signed catalogue once enrolled', async () => {
    const client = makeClient();
    const p = start(client);
    await settle();
    expect(client.calls()).toBe(0);
    p.onEnrolled();
    await waitFor(() => client.sent.length === 1);
    const body = client.sent[0]!;
    expect(verifyJson(catalogueSigned(body.catalogue), body.sig, keys.public.sign)).toBe(true);
    expect(body.catalogue.datasets.map((d) => d.name)).toEqual(['patients']);
    // The node's own receipt of what left: the datasets, never a level name.
    await waitFor(() => readFileSync(nodePaths(dir).audit, 'utf8').includes('catalogue.published'));
    const entries = readFileSync(nodePaths(dir).audit, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { action: string; details: Record<string, unknown> });
    const published = entries.filter((e) => e.action === 'catalogue.published');
    expect(published).toHaveLength(1);
    expect(published[0]?.details['datasets']).toEqual(['patients']);
    expect(JSON.stringify(published)).not.toContain('levels');
  });

  it('publishes again only when minCount or the approvals change', async () => {
    const client = makeClient();
    start(client).onEnrolled();
    await waitFor(() => client.sent.length === 1);
    await settle();
    expect(client.sent).toHaveLength(1);
    await setPolicy({ dir, minCount: 20 });
    await waitFor(() => client.sent.length === 2);
    await approveProject({ dir, project: 'other', datasets: ['patients'] });
    await waitFor(() => client.sent.length === 3);
    expect(client.sent[2]!.catalogue.datasets[0]!.projects.map((x) => x.name)).toEqual([
      'other',
      'study',
    ]);
  });

  it('retries a failed publication with back-off until the hub takes it', async () => {
    const client = makeClient(2);
    start(client).onEnrolled();
    await waitFor(() => client.sent.length === 1);
    expect(client.calls()).toBe(3);
  });

  it('republishes after a new enrolment even when nothing changed (the hub may have lost it)', async () => {
    const client = makeClient();
    const p = start(client);
    p.onEnrolled();
    await waitFor(() => client.sent.length === 1);
    p.onEnrolled();
    await waitFor(() => client.sent.length === 2);
  });
});
