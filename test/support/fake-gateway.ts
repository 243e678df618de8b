/**
 * A tiny stand-in for what may sit between the driver and etcd (a proxy, a load balancer, a
 * broken gateway): an HTTP server on 127.0.0.1 that passes each request on to a real etcd member
 * and then answers the way `mode` says, or records what it was sent. Runs in the test process,
 * so the bundle must be driven by the asynchronous spawners (test/torture/spawn-action.ts): a
 * spawnSync would block the loop this server answers on.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';

export type GatewayMode =
  /** etcd's answer as it is. */
  | 'pass'
  /** `HTTP/1.1 100 Continue` before every answer (and a 102 Processing before that). */
  | 'interim'
  /** Transactions reach etcd, and the client gets a 200 `{}` instead of etcd's answer. */
  | 'empty-txn'
  /** Reads get a 200 `{}` and never reach etcd. */
  | 'empty-range';

export interface FakeGateway {
  readonly url: string;
  mode: GatewayMode;
  /** Every request as received: path and body. */
  readonly received: { path: string; body: string }[];
  close(): Promise<void>;
}

/** PEM text for an https gateway; with `ca`, it asks for a client certificate signed by it. */
export interface GatewayTls {
  readonly key: string;
  readonly cert: string;
  readonly ca?: string;
}

/** `target` undefined: nothing behind it, every request answered `{}` (for recording what is sent). */
export async function startFakeGateway(
  target: string | undefined,
  mode: GatewayMode = 'pass',
  tls?: GatewayTls,
): Promise<FakeGateway> {
  const received: { path: string; body: string }[] = [];
  const gateway: FakeGateway = {
    url: '',
    mode,
    received,
    // Connections a killed or failed child left open would keep close() waiting, and the test file with it.
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  const handler = (request: http.IncomingMessage, response: http.ServerResponse) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', async () => {
      const body = Buffer.concat(parts);
      const path = request.url ?? '/';
      received.push({ path, body: body.toString('utf8') });
      const current = gateway.mode;
      if (target === undefined || (current === 'empty-range' && path === '/v3/kv/range'))
        return respond(response, 200, '{}');
      let answer: { status: number; body: string };
      try {
        answer = await forward(target, path, body, request.headers.authorization);
      } catch (error) {
        return respond(response, 502, JSON.stringify({ error: String(error) }));
      }
      if (current === 'empty-txn' && path === '/v3/kv/txn') return respond(response, 200, '{}');
      if (current === 'interim') {
        response.writeProcessing();
        response.writeContinue();
      }
      respond(response, answer.status, answer.body);
    });
  };
  const server = tls
    ? https.createServer(
        {
          key: tls.key,
          cert: tls.cert,
          ...(tls.ca ? { ca: tls.ca, requestCert: true, rejectUnauthorized: true } : {}),
        },
        handler,
      )
    : http.createServer(handler);
  server.keepAliveTimeout = 100;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  (gateway as { url: string }).url = `${tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return gateway;
}

function respond(response: http.ServerResponse, status: number, body: string): void {
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

function forward(
  target: string,
  path: string,
  body: Buffer,
  authorization: string | undefined,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      new URL(path, target),
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': body.length,
          ...(authorization ? { authorization } : {}),
        },
        timeout: 5_000,
      },
      (response) => {
        const parts: Buffer[] = [];
        response.on('data', (part: Buffer) => parts.push(part));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8') }),
        );
      },
    );
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', reject);
    request.end(body);
  });
}
