import { mkdtemp, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'vitest';
import { captureLogger, makeInstance, runTool, startRecordingServer } from './test-support.js';

test('scratch', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'd3-'));
  await mkdir(join(dir, 'k'));
  const { logger, lines } = captureLogger();
  const { server } = await startRecordingServer({
    tmpDir: join(dir, 'tmp'),
    keptDir: join(dir, 'k'),
    logger,
  });
  const f3 = await makeInstance(dir, {
    name: 'c',
    transfer: 'jpegBaseline',
    sopInstanceUid: '1.2.3.3',
    pixelBytes: 3001,
  });
  const s = await runTool('storescu', [
    '-v',
    '-nh',
    '-R',
    '-xy',
    '-aet',
    'MODALITY',
    '-aec',
    'TESSERA',
    '127.0.0.1',
    String(server.port),
    f3,
  ]);
  console.log(s.stderr);
  console.log(lines);
  await server.close();
});
