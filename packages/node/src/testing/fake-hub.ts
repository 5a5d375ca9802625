import { createPublicKey, webcrypto } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import './reflect-shim.js';
import * as x509 from '@peculiar/x509';
import {
  TesseraError,
  enrolRequestSchema,
  generatePartyKeys,
  openJson,
  pollRequestSchema,
  resultPayloadSchema,
  resultSubmissionSchema,
  spkiPin,
  taskAd,
  verifyJson,
  type PartyKeys,
  type PublicKeys,
  type ResultPayload,
  type TaskEnvelope,
} from '@tessera/protocol';

/** A self-signed certificate for 127.0.0.1 and its pin. */
export async function makeCert(): Promise<{ key: string; cert: string; pin: string }> {
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=tessera-test-hub',
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 86_400_000),
    signingAlgorithm: alg,
    keys,
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'ip', value: '127.0.0.1' }])],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const key = `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END PRIVATE KEY-----\n`;
  const pem = cert.toString('pem');
  const pin = spkiPin(createPublicKey(pem).export({ type: 'spki', format: 'der' }));
  return { key, cert: pem, pin };
}

export interface FakeHub {
  readonly url: string;
  readonly port: number;
  readonly keys: PartyKeys;
  /** Every HTTP request that reached the hub. */
  readonly requests: string[];
  readonly results: ResultPayload[];
  nodeKeys: PublicKeys | null;
  /** The trust name the hub answers with (a test may make it lie). */
  trustName: string;
  push(task: TaskEnvelope): void;
  /** Resolves with the next result payload received. */
  nextResult(): Promise<ResultPayload>;
  close(): Promise<void>;
}

/** A tiny real HTTPS hub speaking the agreed node API, for the poll loop's integration tests. */
export async function startFakeHub(o: {
  apiKey: string;
  trustName: string;
  cert: { key: string; cert: string };
  port?: number;
}): Promise<FakeHub> {
  const queue: TaskEnvelope[] = [];
  const waiters: (() => void)[] = [];
  const resultWaiters: ((r: ResultPayload) => void)[] = [];
  const seen = new Set<string>();
  const hub: FakeHub = {
    url: '',
    port: 0,
    keys: generatePartyKeys(),
    requests: [],
    results: [],
    nodeKeys: null,
    trustName: o.trustName,
    push(task) {
      queue.push(task);
      for (const w of waiters.splice(0)) w();
    },
    nextResult: () => new Promise((r) => resultWaiters.push(r)),
    close: () => Promise.resolve(),
  };
  const send = (res: ServerResponse, code: number, body: unknown) => {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const server: Server = createServer({ key: o.cert.key, cert: o.cert.cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hub.requests.push(req.url ?? '');
      if (req.headers.authorization !== `Bearer ${o.apiKey}`) {
        send(res, 401, new TesseraError('UNAUTHENTICATED', 'bad key').toBody());
        return;
      }
      const body: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const trust = { id: '8f14e45f-ceea-467a-9e27-3d36d2d4d9a1', name: hub.trustName };
      if (req.url === '/api/v1/node/enrol') {
        hub.nodeKeys = enrolRequestSchema.parse(body).keys;
        send(res, 200, { type: 'enrolled', trust, hubKeys: hub.keys.public });
      } else if (req.url === '/api/v1/node/poll') {
        if (hub.nodeKeys === null) {
          send(res, 409, new TesseraError('CONFLICT', 'enrol first').toBody());
          return;
        }
        const { waitMs } = pollRequestSchema.parse(body);
        const answer = (): void => {
          send(res, 200, { type: 'tasks', trust, tasks: queue.splice(0) });
        };
        if (queue.length > 0) answer();
        else {
          const t = setTimeout(answer, Math.min(waitMs, 2_000));
          waiters.push(() => {
            clearTimeout(t);
            answer();
          });
        }
      } else if (req.url === '/api/v1/node/results') {
        const s = resultSubmissionSchema.parse(body);
        if (
          hub.nodeKeys === null ||
          !verifyJson({ header: s.header, sealed: s.sealed }, s.sig, hub.nodeKeys.sign)
        ) {
          send(res, 400, new TesseraError('BAD_SIGNATURE', 'bad').toBody());
          return;
        }
        const r = resultPayloadSchema.parse(
          openJson(s.sealed, hub.keys.sealPrivate, taskAd(s.header, 'result')),
        );
        const duplicate = seen.has(r.taskId);
        seen.add(r.taskId);
        if (!duplicate) {
          hub.results.push(r);
          for (const w of resultWaiters.splice(0)) w(r);
        }
        send(res, 200, { type: 'result-accepted', taskId: r.taskId, duplicate });
      } else send(res, 404, new TesseraError('NOT_FOUND', 'no').toBody());
    });
  });
  await new Promise<void>((r) => server.listen({ host: '127.0.0.1', port: o.port ?? 0 }, r));
  const port = (server.address() as AddressInfo).port;
  Object.assign(hub, {
    url: `https://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((r) => {
        waiters.splice(0);
        server.closeAllConnections();
        server.close(() => {
          r();
        });
      }),
  });
  return hub;
}
