import { X509Certificate, randomBytes, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import type * as X509 from '@peculiar/x509';
import { spkiPin } from '@tessera/protocol';

/*
 * The hub's TLS certificate (DESIGN "Transport"): self-signed ECDSA P-256 unless the operator gives
 * one. Clients pin its public key, so the chain is not what they trust.
 */

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';

/**
 * Loads @peculiar/x509. It pulls in tsyringe, which demands a Reflect metadata polyfill at import
 * time although certificate generation uses only three of its functions; a WeakMap-backed shim of
 * those (installed only when absent) avoids a dependency on reflect-metadata.
 */
async function loadX509(): Promise<typeof X509> {
  const store = new WeakMap<object, Map<unknown, unknown>>();
  const r = Reflect as unknown as Record<string, unknown>;
  const get = (key: unknown, target: object): unknown => store.get(target)?.get(key);
  r.getMetadata ??= get;
  r.getOwnMetadata ??= get;
  r.defineMetadata ??= (key: unknown, value: unknown, target: object): void => {
    const m = store.get(target) ?? new Map<unknown, unknown>();
    m.set(key, value);
    store.set(target, m);
  };
  return import('@peculiar/x509');
}

/** Makes a self-signed certificate for `host` (plus 127.0.0.1 and localhost), valid 5 years. */
export async function makeSelfSignedCert(
  host: string,
): Promise<{ certPem: string; keyPem: string }> {
  const x509 = await loadX509();
  x509.cryptoProvider.set(webcrypto);
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const names: X509.JsonGeneralName[] = [
    { type: 'ip', value: '127.0.0.1' },
    { type: 'dns', value: 'localhost' },
  ];
  const bare = host.replace(/^\[|\]$/g, '');
  const wildcard = bare === '0.0.0.0' || bare === '::';
  if (!wildcard && bare !== '127.0.0.1' && bare !== 'localhost') {
    names.push(isIP(bare) === 0 ? { type: 'dns', value: bare } : { type: 'ip', value: bare });
  }
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(notBefore.getTime() + 5 * 365 * 86_400_000);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomBytes(16)
      .toString('hex')
      .replace(/^[89a-f]/, '1'),
    name: 'CN=tessera-hub',
    notBefore,
    notAfter,
    signingAlgorithm: ALG,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([SERVER_AUTH]),
      new x509.SubjectAlternativeNameExtension(names),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  const b64 = Buffer.from(pkcs8)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n');
  return {
    certPem: cert.toString('pem'),
    keyPem: `-----BEGIN PRIVATE KEY-----\n${b64.trimEnd()}\n-----END PRIVATE KEY-----\n`,
  };
}

/**
 * The pin of a PEM certificate: `sha256/` + base64 of the SHA-256 of its SPKI DER.
 * @throws when the PEM is not a certificate.
 */
export function certPin(certPem: string): string {
  const cert = new X509Certificate(certPem);
  return spkiPin(cert.publicKey.export({ type: 'spki', format: 'der' }));
}
