/*
 * Runs a hub from sources in a separate process, for tests that kill it (vite-node resolves the
 * @tessera/* aliases of vitest.config.ts). Prints one JSON line {url, pin} once listening.
 * Usage: vite-node -c vitest.config.ts packages/hub/test/helpers/run-hub.ts -- <dir>
 */
import { startHub } from '../../src/start.js';

const dir = process.argv.at(-1);
if (dir === undefined) throw new Error('usage: run-hub.ts <dir>');
const hub = await startHub({ dir });
process.stdout.write(`${JSON.stringify({ url: hub.url, pin: hub.pin })}\n`);
process.on('SIGTERM', () => {
  void hub.close().then(() => process.exit(0));
});
