import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateImagingStudies, writeImagingFolder } from '@tessera/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dcmtk, echoOk, initDicomNode, storeFolder, type DicomNode } from './dicom-node.js';
import { createHarness, waitFor } from './harness.js';

/*
 * Issue 7: "echoscu and storescu (plain and TLS) send to the node". The node is set up with
 * `node init --dicom-tls-key/--dicom-tls-cert/--dicom-tls-ca --dicom-tls-require-client`
 * (mutual TLS); certificates come from the openssl command line, dcmtk is the sender.
 */

const h = createHarness('dicom-tls');
let node: DicomNode;
let pki: Record<'ca' | 'server' | 'client' | 'rogue', { key: string; cert: string }>;

function openssl(args: readonly string[]): void {
  execFileSync('openssl', args, { stdio: 'pipe' });
}

/** A CA, a receiver certificate for 127.0.0.1, a client certificate, and a self-signed rogue. */
function makePki(dir: string): typeof pki {
  const file = (n: string): string => join(dir, n);
  const selfSigned = (name: string, ca: boolean): { key: string; cert: string } => {
    const out = { key: file(`${name}.key`), cert: file(`${name}.pem`) };
    openssl([
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-keyout',
      out.key,
      '-out',
      out.cert,
      '-subj',
      `/CN=${name}`,
      '-addext',
      ca ? 'basicConstraints=critical,CA:TRUE' : 'basicConstraints=CA:FALSE',
      '-addext',
      ca ? 'keyUsage=critical,keyCertSign,cRLSign' : 'extendedKeyUsage=clientAuth',
    ]);
    return out;
  };
  const ca = selfSigned('ca', true);
  const leaf = (name: string, ext: string): { key: string; cert: string } => {
    const out = { key: file(`${name}.key`), cert: file(`${name}.pem`) };
    writeFileSync(file(`${name}.ext`), `basicConstraints=CA:FALSE\n${ext}\n`);
    openssl([
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      out.key,
      '-out',
      file(`${name}.csr`),
      '-subj',
      `/CN=${name}`,
    ]);
    openssl([
      'x509',
      '-req',
      '-in',
      file(`${name}.csr`),
      '-CA',
      ca.cert,
      '-CAkey',
      ca.key,
      '-CAcreateserial',
      '-days',
      '2',
      '-out',
      out.cert,
      '-extfile',
      file(`${name}.ext`),
    ]);
    return out;
  };
  return {
    ca,
    server: leaf('server', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth'),
    client: leaf('client', 'extendedKeyUsage=clientAuth'),
    rogue: selfSigned('rogue', false),
  };
}

beforeAll(async () => {
  pki = makePki(h.path('pki'));
  node = await initDicomNode(h, 'tls-trust', [
    '--dicom-tls-key',
    pki.server.key,
    '--dicom-tls-cert',
    pki.server.cert,
    '--dicom-tls-ca',
    pki.ca.cert,
    '--dicom-tls-require-client',
  ]);
  // node.start() waits for a plain echoscu, which a TLS receiver never answers: wait for TLS.
  const p = h.spawn('node tls-trust', ['node', 'start', '--dir', node.dir]);
  node.proc = p;
  await waitFor('the DICOM TLS receiver', () => echoOk(node.port, undefined, withCert()), {
    timeoutMs: 60_000,
    intervalMs: 300,
    context: () => p.tail(40),
  });
}, 120_000);

afterAll(async () => {
  await h.cleanup();
}, 60_000);

/** dcmtk: +tls authenticates us with a key and certificate, +cf trusts the test CA. */
const withCert = (p: { key: string; cert: string } = pki.client): string[] => [
  '+tls',
  p.key,
  p.cert,
  '+cf',
  pki.ca.cert,
];

describe('a node receiving DICOM over mutual TLS', () => {
  it('answers echoscu with a client certificate the CA signed, and nothing else', async () => {
    expect(await echoOk(node.port, undefined, withCert())).toBe(true);
    expect(await echoOk(node.port)).toBe(false);
    // +tla: TLS without a client certificate.
    expect(await echoOk(node.port, undefined, ['+tla', '+cf', pki.ca.cert])).toBe(false);
    expect(await echoOk(node.port, undefined, withCert(pki.rogue))).toBe(false);
  });

  it('stores what storescu sends over TLS, de-identified', async () => {
    const studies = generateImagingStudies({
      seed: 4242,
      patients: [{ id: 'TLS-MRN-1', sex: 'M', birthDate: '1966-06-16' }],
      size: 16,
      slices: 3,
      kinds: ['MR'],
    });
    const folder = h.path('export');
    await writeImagingFolder(folder, studies.files);
    const sent = await storeFolder(node.port, folder, withCert());
    expect(sent.code, sent.stderr).toBe(0);
    await waitFor(
      'the instances in the store',
      () => node.storedFiles().length === studies.files.length,
    );
    const dump = await dcmtk('dcmdump', ['-q', '+L', ...node.storedFiles()]);
    expect(dump.code, dump.stderr).toBe(0);
    const lower = dump.stdout.toLowerCase();
    for (const v of studies.planted) expect(lower.includes(v.toLowerCase()), v).toBe(false);
    const status = await node.status();
    expect(status.dicom).toMatchObject({ instances: studies.files.length });
    expect(status.dicom['receiver']).toMatchObject({ tls: true, requireClientCert: true });
  });
});
