// DICOM receiving (issue 7): instances/s and MB/s that a real `tessera node start` receives over
// C-STORE from dcmtk's storescu — and de-identifies, writes and indexes before it answers each
// instance — over 1 and 8 parallel associations, with the receiving process's peak memory; then
// the same files sent the same way to Orthanc (Debian package `orthanc`) on a spare local port,
// started and stopped here, printed as a ratio. Both receivers get fresh storage for every run.
//
// storescu runs with TCP_NODELAY=1 against both: Debian's dcmtk leaves Nagle on otherwise, and
// every small instance then waits ~40 ms for a delayed ACK, which measures the kernel, not the
// receiver.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findFreePort, startNodeProcess } from '@tessera/cli';
import { dicomEcho, generateImagingStudies, writeImagingFolder } from '@tessera/node';
import { issueSecret } from '@tessera/protocol';
import { progress } from './lib/procs.mjs';

const CALLED_AE = 'TESSERA_BENCH';
const CALLING_AE = 'BENCH_SCU';
const ORTHANC_AE = 'ORTHANC';

/** True when the external tools this section needs are installed. */
export function dicomToolsPresent() {
  const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
  return { storescu: has('storescu'), orthanc: has('Orthanc') };
}

/** Files of `dir` (recursively), with their total size. */
function listFiles(dir) {
  const out = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(p);
    }
  };
  walk(dir);
  out.sort();
  const bytes = out.reduce((s, f) => s + statSync(f).size, 0);
  return { files: out, bytes };
}

/** Synthetic CT series written under `dir`: `patients` × one CT of `slices` slices of size². */
async function makeFiles(dir, patients, slices, size) {
  const list = Array.from({ length: patients }, (_, i) => ({
    id: `B-${String(i + 1).padStart(6, '0')}`,
    sex: i % 2 === 0 ? 'F' : 'M',
    birthDate: `19${String(40 + (i % 50)).padStart(2, '0')}-0${1 + (i % 9)}-1${i % 10}`,
  }));
  const { files } = generateImagingStudies({
    seed: 7,
    patients: list,
    kinds: ['CT'],
    size,
    slices,
  });
  await writeImagingFolder(dir, files);
  return listFiles(dir);
}

/** Splits `files` into `n` lists of near-equal length. */
function split(files, n) {
  const parts = Array.from({ length: n }, () => []);
  files.forEach((f, i) => parts[i % n].push(f));
  return parts.filter((p) => p.length > 0);
}

/** Runs storescu once per part, all at once; rejects when any fails. */
async function storeAll(port, calledAe, parts) {
  const runs = parts.map(
    (files) =>
      new Promise((resolve, reject) => {
        const child = spawn(
          'storescu',
          ['-aet', CALLING_AE, '-aec', calledAe, '127.0.0.1', String(port), ...files],
          { env: { ...process.env, TCP_NODELAY: '1' }, stdio: ['ignore', 'ignore', 'pipe'] },
        );
        let err = '';
        child.stderr.on('data', (d) => (err += d));
        child.on('error', reject);
        child.on('exit', (code) =>
          code === 0 ? resolve() : reject(new Error(`storescu exit ${code}: ${err.slice(-400)}`)),
        );
      }),
  );
  await Promise.all(runs);
}

/** Peak resident memory (VmHWM, MiB) of a live process. */
function peakMb(pid) {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m === null ? NaN : Number(m[1]) / 1024;
}

function waitEcho(port, calledAe, timeoutMs = 30_000) {
  const until = Date.now() + timeoutMs;
  return (async () => {
    for (;;) {
      try {
        await dicomEcho({ host: '127.0.0.1', port, calledAe, callingAe: CALLING_AE });
        return;
      } catch (e) {
        if (Date.now() > until) throw new Error(`no C-ECHO answer on ${port}: ${e.message}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  })();
}

/** A fresh node with its receiver, started; returns {port, pid, dir, stop}. */
async function startTesseraReceiver(procs, base, name) {
  const dir = join(base, name);
  const port = await findFreePort();
  const keyFile = join(base, `${name}.key`);
  // The node never reaches a hub here (none runs): it keeps retrying enrolment in the background,
  // which does not concern its imaging store. A well-formed key and pin are all init checks.
  writeFileSync(keyFile, `${issueSecret('node').secret}\n`, { mode: 0o600 });
  const hubPort = await findFreePort();
  const init = spawnSync(
    process.execPath,
    [
      join(import.meta.dirname, '..', 'packages', 'cli', 'bin', 'tessera.js'),
      'node',
      'init',
      '--dir',
      dir,
      '--hub',
      `https://127.0.0.1:${hubPort}`,
      '--pin',
      `sha256/${Buffer.alloc(32, 9).toString('base64')}`,
      '--name',
      name,
      '--api-key-file',
      keyFile,
      '--console-port',
      '0',
      '--dicom-port',
      String(port),
      '--dicom-ae',
      CALLED_AE,
      '--dicom-allow',
      CALLING_AE,
    ],
    { encoding: 'utf8' },
  );
  if (init.status !== 0) throw new Error(`node init failed: ${init.stderr}`);
  const node = await startNodeProcess({ dir, name, logFile: join(base, `${name}.log`) });
  procs.track(node.process);
  await waitEcho(port, CALLED_AE);
  return {
    port,
    pid: node.process.child.pid,
    stored: () => {
      const index = join(dir, 'dicom', 'index.jsonl');
      const lines = readFileSync(index, 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '');
      return new Set(lines.map((l) => JSON.parse(l).sop)).size;
    },
    stop: () => node.process.stop(8000),
  };
}

/** Orthanc on spare ports with a fresh storage folder; returns {port, pid, stop}. */
async function startOrthanc(base, name) {
  const dir = join(base, name);
  mkdirSync(join(dir, 'db'), { recursive: true });
  const port = await findFreePort();
  const httpPort = await findFreePort();
  const config = {
    Name: name,
    StorageDirectory: join(dir, 'db'),
    IndexDirectory: join(dir, 'db'),
    HttpPort: httpPort,
    DicomPort: port,
    DicomAet: ORTHANC_AE,
    RemoteAccessAllowed: false,
    AuthenticationEnabled: false,
    DicomAlwaysAllowStore: true,
    Plugins: [],
  };
  const cfg = join(dir, 'orthanc.json');
  writeFileSync(cfg, JSON.stringify(config));
  const child = spawn('Orthanc', [cfg], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (d) => (log = (log + d).slice(-4000)));
  try {
    await waitEcho(port, ORTHANC_AE);
  } catch (e) {
    child.kill('SIGKILL');
    throw new Error(`${e.message}\n${log}`);
  }
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 8000).unref();
    });
  return { port, pid: child.pid, stop };
}

/**
 * The section: returns rows {receiver, associations, instances, MB, seconds, inst/s, MB/s, peak MiB}
 * and the Tessera/Orthanc ratios per association count.
 */
export async function benchDicom(procs, base, o = {}) {
  const patients = o.patients ?? 24;
  const slices = o.slices ?? 16;
  const size = o.size ?? 256;
  const assocs = o.associations ?? [1, 8];
  const tools = dicomToolsPresent();
  if (!tools.storescu) throw new Error('storescu not found: apt-get install -y dcmtk');
  progress(`dicom: generating ${patients} CT series × ${slices} slices of ${size}²`);
  const { files, bytes } = await makeFiles(join(base, 'dicom-files'), patients, slices, size);
  const mb = bytes / 1e6;
  const rows = [];
  const runOne = async (receiver, n, start) => {
    const r = await start();
    try {
      const t0 = process.hrtime.bigint();
      await storeAll(r.port, receiver === 'tessera' ? CALLED_AE : ORTHANC_AE, split(files, n));
      const s = Number(process.hrtime.bigint() - t0) / 1e9;
      if (r.stored !== undefined) {
        const stored = r.stored();
        if (stored !== files.length)
          throw new Error(`tessera stored ${stored} of ${files.length} instances`);
      }
      rows.push({
        receiver,
        associations: n,
        instances: files.length,
        MB: Number(mb.toFixed(1)),
        seconds: Number(s.toFixed(2)),
        'inst/s': Math.round(files.length / s),
        'MB/s': Number((mb / s).toFixed(1)),
        'peak MiB': Math.round(peakMb(r.pid)),
      });
    } finally {
      await r.stop();
    }
  };
  for (const n of assocs) {
    progress(`dicom: tessera, ${n} association(s)`);
    await runOne('tessera', n, () => startTesseraReceiver(procs, base, `tessera-${n}`));
    if (tools.orthanc) {
      progress(`dicom: orthanc, ${n} association(s)`);
      await runOne('orthanc', n, () => startOrthanc(base, `orthanc-${n}`));
    }
  }
  const ratios = assocs.map((n) => {
    const t = rows.find((r) => r.receiver === 'tessera' && r.associations === n);
    const q = rows.find((r) => r.receiver === 'orthanc' && r.associations === n);
    return {
      associations: n,
      'tessera/orthanc inst/s':
        q === undefined ? null : Number((t['inst/s'] / q['inst/s']).toFixed(2)),
    };
  });
  return { rows, ratios, orthanc: tools.orthanc };
}
