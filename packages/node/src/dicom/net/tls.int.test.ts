import { webcrypto } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import '../../testing/reflect-shim.js';
import * as x509 from '@peculiar/x509';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../testing/helpers.js';
import { echo, sendInstances } from './scu.js';
import type { DicomServer, DicomServerTls } from './server.js';
import {
  captureLogger,
  datasetOf,
  loggedAtLeast,
  makeInstance,
  runTool,
  startRecordingServer,
  type LogLines,
  type Stored,
} from './test-support.js';

/** PEM text and the file holding it. */
interface Pem {
  readonly pem: string;
  readonly file: string;
}
interface Party {
  readonly key: Pem;
  readonly cert: Pem;
}

// RSA: every profile of dcmtk's TLS layer takes it (the BCP 195 suites include ECDHE_RSA).
const RSA = {
  name: 'RSASSA-PKCS1-v1_5',
  hash: 'SHA-256',
  publicExponent: new Uint8Array([1, 0, 1]),
  modulusLength: 2048,
};

async function pemFile(dir: string, name: string, pem: string): Promise<Pem> {
  const file = join(dir, name);
  await writeFile(file, pem, { mode: 0o600 });
  return { pem, file };
}

async function keyPem(key: webcrypto.CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN PRIVATE KEY-----\n${b64}\n-----END PRIVATE KEY-----\n`;
}

/** A test CA and two leaf certificates it signs: the receiver's (127.0.0.1) and a client's. */
async function makePki(
  dir: string,
): Promise<{ ca: Pem; server: Party; client: Party; rogue: Party }> {
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  const validity = {
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 86_400_000),
  };
  const caKeys = await webcrypto.subtle.generateKey(RSA, true, ['sign', 'verify']);
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=Tessera Test DICOM CA',
    keys: caKeys,
    signingAlgorithm: RSA,
    ...validity,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
    ],
  });
  const leaf = async (
    name: string,
    serial: string,
    usage: string,
    issuer: { keys: webcrypto.CryptoKeyPair; cert: x509.X509Certificate } | null,
  ): Promise<Party> => {
    const keys = await webcrypto.subtle.generateKey(RSA, true, ['sign', 'verify']);
    const extensions = [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
        true,
      ),
      new x509.ExtendedKeyUsageExtension([usage]),
      new x509.SubjectAlternativeNameExtension([{ type: 'ip', value: '127.0.0.1' }]),
    ];
    const cert =
      issuer === null
        ? await x509.X509CertificateGenerator.createSelfSigned({
            serialNumber: serial,
            name: `CN=${name}`,
            keys,
            signingAlgorithm: RSA,
            ...validity,
            extensions,
          })
        : await x509.X509CertificateGenerator.create({
            serialNumber: serial,
            subject: `CN=${name}`,
            issuer: issuer.cert.subject,
            publicKey: keys.publicKey,
            signingKey: issuer.keys.privateKey,
            signingAlgorithm: RSA,
            ...validity,
            extensions,
          });
    return {
      key: await pemFile(dir, `${name}.key`, await keyPem(keys.privateKey)),
      cert: await pemFile(dir, `${name}.crt`, cert.toString('pem')),
    };
  };
  const ca = { keys: caKeys, cert: caCert };
  return {
    ca: await pemFile(dir, 'ca.crt', caCert.toString('pem')),
    server: await leaf('receiver', '02', x509.ExtendedKeyUsage.serverAuth, ca),
    client: await leaf('modality', '03', x509.ExtendedKeyUsage.clientAuth, ca),
    // signed by nobody the receiver trusts
    rogue: await leaf('rogue', '04', x509.ExtendedKeyUsage.clientAuth, null),
  };
}

let base: string;
let cleanupBase: () => Promise<void>;
let pki: Awaited<ReturnType<typeof makePki>>;
let file: string;
let running: DicomServer | undefined;
let n = 0;

beforeAll(async () => {
  ({ dir: base, cleanup: cleanupBase } = await makeTempDir());
  pki = await makePki(base);
  file = await makeInstance(base, {
    name: 'tls',
    transfer: 'explicit',
    sopInstanceUid: '1.2.826.0.1.3680043.2.1125.7.1',
    pixelBytes: 300_000,
  });
});
afterAll(() => cleanupBase());
afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function setup(
  requireClientCert: boolean,
): Promise<{ port: string; stored: Stored[]; lines: LogLines }> {
  const dir = join(base, `run-${String(++n)}`);
  await mkdir(join(dir, 'kept'), { recursive: true });
  const { logger, lines } = captureLogger();
  const tls: DicomServerTls = {
    key: pki.server.key.pem,
    cert: pki.server.cert.pem,
    ca: pki.ca.pem,
    requireClientCert,
  };
  const { server, stored } = await startRecordingServer({
    tmpDir: join(dir, 'tmp'),
    keptDir: join(dir, 'kept'),
    logger,
    overrides: { tls },
  });
  running = server;
  return { port: String(server.port), stored, lines };
}

const AE = ['-aet', 'MODALITY', '-aec', 'TESSERA'];
/** dcmtk TLS options: +tls <key> <cert> authenticates us, +cf trusts the test CA. */
const withCert = (p: Party = pki.client) => ['+tls', p.key.file, p.cert.file, '+cf', pki.ca.file];
/** +tla: TLS without a client certificate, still verifying the receiver against the CA. */
const anonymous = () => ['+tla', '+cf', pki.ca.file];

describe('DICOM TLS', () => {
  it('takes storescu over mutual TLS, byte for byte', async () => {
    const s = await setup(true);
    const r = await runTool('storescu', ['-v', ...withCert(), ...AE, '127.0.0.1', s.port, file]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Received Store Response (Success)');
    expect(s.stored).toHaveLength(1);
    expect(s.stored[0]!.bytes.equals(await datasetOf(file))).toBe(true);
  });

  it('refuses a client without a certificate, or with one the CA did not sign, when required', async () => {
    const s = await setup(true);
    const none = await runTool('echoscu', [...anonymous(), ...AE, '127.0.0.1', s.port]);
    expect(none.code).not.toBe(0);
    const rogue = await runTool('storescu', [
      ...withCert(pki.rogue),
      ...AE,
      '127.0.0.1',
      s.port,
      file,
    ]);
    expect(rogue.code).not.toBe(0);
    await loggedAtLeast(s.lines, 'TLS handshake refused', 2);
    expect(s.stored).toEqual([]);
    const ok = await runTool('echoscu', [...withCert(), ...AE, '127.0.0.1', s.port]);
    expect(ok.code).toBe(0);
  });

  it('takes a client without a certificate when none is required', async () => {
    const s = await setup(false);
    const r = await runTool('storescu', [...anonymous(), ...AE, '127.0.0.1', s.port, file]);
    expect(r.code).toBe(0);
    expect(s.stored).toHaveLength(1);
  });

  it('is not reachable without TLS', async () => {
    const s = await setup(false);
    const r = await runTool('echoscu', [...AE, '-to', '5', '-ta', '5', '127.0.0.1', s.port]);
    expect(r.code).not.toBe(0);
  });

  it('lets our sender store over mutual TLS, and refuses it without its certificate', async () => {
    const s = await setup(true);
    const tls = { ca: pki.ca.pem, key: pki.client.key.pem, cert: pki.client.cert.pem };
    const to = {
      host: '127.0.0.1',
      port: Number(s.port),
      calledAe: 'TESSERA',
      callingAe: 'MODALITY',
    };
    expect(await sendInstances({ ...to, tls, files: [file] })).toEqual([{ file, status: 0 }]);
    expect(s.stored[0]!.bytes.equals(await datasetOf(file))).toBe(true);
    await expect(echo({ ...to, tls: { ca: pki.ca.pem } })).rejects.toMatchObject({
      code: 'UNAVAILABLE',
    });
    // and our sender refuses a receiver its CA did not sign
    await expect(echo({ ...to, tls: { ...tls, ca: pki.rogue.cert.pem } })).rejects.toMatchObject({
      code: 'UNAVAILABLE',
    });
  });
});
