import { X509Certificate, createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { certPin, makeSelfSignedCert } from './tls.js';

describe('self-signed hub certificate', () => {
  it('is ECDSA P-256 for 127.0.0.1, localhost and the configured host, with a matching key', async () => {
    const { certPem, keyPem } = await makeSelfSignedCert('hub.example.org');
    const cert = new X509Certificate(certPem);
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(cert.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(cert.subjectAltName).toContain('DNS:localhost');
    expect(cert.subjectAltName).toContain('DNS:hub.example.org');
    expect(cert.checkPrivateKey(createPrivateKey(keyPem))).toBe(true);
    expect(cert.verify(cert.publicKey)).toBe(true);
    const spki = createPublicKey(keyPem).export({ type: 'spki', format: 'der' });
    expect(certPin(certPem)).toBe(`sha256/${createHash('sha256').update(spki).digest('base64')}`);
  });

  it('names an IP host as an IP address and leaves out wildcard listen addresses', async () => {
    const ip = new X509Certificate((await makeSelfSignedCert('10.1.2.3')).certPem);
    expect(ip.subjectAltName).toContain('IP Address:10.1.2.3');
    const any = new X509Certificate((await makeSelfSignedCert('0.0.0.0')).certPem);
    expect(any.subjectAltName).not.toContain('0.0.0.0');
  });
});
