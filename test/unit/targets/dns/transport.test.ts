/**
 * The transport against a scripted server on 127.0.0.1 (what real servers rarely do on demand):
 * a UDP answer with TC set is asked again over TCP; a stray datagram with another id is ignored;
 * pipelined TCP answers coming back out of order land on their own updates; a connection closed
 * with requests unanswered, and a port nobody listens on, are one clear error naming the server.
 */
import assert from 'node:assert/strict';
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import { test } from 'node:test';
import type { DnsUpdate, DnsUpdateOutcome } from '../../../../src/core/sync/target-records.ts';
import { IpamError } from '../../../../src/core/errors.ts';
import { applyUpdates } from '../../../../src/targets/dns/apply-updates.ts';
import { framed, scriptedDnsServer } from '../../../support/scripted-dns-server.ts';
import { type DecodedMessage, decodeMessage, encodeMessage } from '../../../../src/targets/dns/wire-message.ts';

const update = (name: string): DnsUpdate => ({
  zone: 'cloud.example.com',
  prerequisites: [{ kind: 'name-not-in-use', name: `${name}.cloud.example.com` }],
  remove: [],
  add: [{ name: `${name}.cloud.example.com`, type: 'A', ttl: 300, data: '192.0.2.1' }],
});

/** An answer to `request` with `rcode` (and TC when asked). */
function answer(request: DecodedMessage, rcode: number, tc = false, id = request.header.id): Buffer {
  return encodeMessage({
    header: { ...request.header, id, qr: true, tc, rcode },
    questions: request.questions,
    answers: [],
    authority: [],
    additional: [],
  });
}

/** A TCP server on 127.0.0.1 that hands each connection's requests to `onRequests` once `count` have arrived. */
async function tcpServer(
  count: number,
  onRequests: (requests: DecodedMessage[], socket: net.Socket) => void,
): Promise<{ port: number; close: () => Promise<void>; connections: () => number }> {
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    let buffered = Buffer.alloc(0);
    const requests: DecodedMessage[] = [];
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        requests.push(decodeMessage(buffered.subarray(2, 2 + buffered.readUInt16BE(0))));
        buffered = buffered.subarray(2 + buffered.readUInt16BE(0));
        if (requests.length === count) onRequests(requests, socket);
      }
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return { port, connections: () => connections, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Pipelining is seen with one update per message (batching would merge them into one). */
const ONE_PER_MESSAGE = { batchUpdates: 1 };

async function rejection(promise: Promise<unknown>): Promise<IpamError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof IpamError, String(error));
  return error;
}

test('a truncated UDP answer is asked again over TCP; a stray datagram with another id is ignored', async (t) => {
  const tcp = await tcpServer(1, ([request], socket) => socket.write(framed(answer(request!, 6))));
  t.after(() => tcp.close());
  const udp = dgram.createSocket('udp4');
  t.after(() => udp.close());
  await new Promise<void>((resolve) => udp.bind(tcp.port, '127.0.0.1', resolve));
  udp.on('message', (bytes, from) => {
    const request = decodeMessage(bytes);
    udp.send(answer(request, 0, false, request.header.id ^ 1), from.port, from.address);
    udp.send(answer(request, 0, true), from.port, from.address);
  });
  const outcomes = await applyUpdates({ host: '127.0.0.1', port: tcp.port, timeoutMs: 2_000 }, [update('vm-1')]);
  assert.deepEqual(outcomes, [{ applied: false, rcode: 'YXDOMAIN' }], "TCP's answer, not the stray's NOERROR");
  assert.equal(tcp.connections(), 1);
});

test('pipelined answers out of order land on their own updates, one connection for the batch', async (t) => {
  const rcodes = [0, 6, 8, 0, 7];
  const tcp = await tcpServer(rcodes.length, (requests, socket) => {
    for (const [i, request] of [...requests.entries()].reverse()) socket.write(framed(answer(request, rcodes[i]!)));
  });
  t.after(() => tcp.close());
  const outcomes = await applyUpdates(
    { host: '127.0.0.1', port: tcp.port, timeoutMs: 2_000 },
    rcodes.map((_, i) => update(`vm-${i}`)),
    ONE_PER_MESSAGE,
  );
  assert.deepEqual(outcomes, [
    { applied: true },
    { applied: false, rcode: 'YXDOMAIN' },
    { applied: false, rcode: 'NXRRSET' },
    { applied: true },
    { applied: false, rcode: 'YXRRSET' },
  ]);
  assert.equal(tcp.connections(), 1);
});

test('a connection closed with updates unanswered, and a port nobody listens on, are errors naming the server', async (t) => {
  const tcp = await tcpServer(3, (requests, socket) => {
    socket.write(framed(answer(requests[0]!, 0)));
    socket.end();
  });
  t.after(() => tcp.close());
  const server = { host: '127.0.0.1', port: tcp.port, timeoutMs: 2_000 };
  const closed = await rejection(applyUpdates(server, [update('a'), update('b'), update('c')], ONE_PER_MESSAGE));
  assert.equal(closed.kind, 'store-io');
  assert.equal(
    closed.message,
    `Cannot update zone cloud.example.com on 127.0.0.1:${tcp.port}: the server closed the connection with 2 request(s) unanswered`,
  );
  await tcp.close();
  const refused = await rejection(applyUpdates(server, [update('a'), update('b')], ONE_PER_MESSAGE));
  assert.equal(refused.kind, 'store-io');
  assert.match(
    refused.message,
    new RegExp(
      `^Cannot update zone cloud\\.example\\.com on 127\\.0\\.0\\.1:${tcp.port}: the connection was refused.*\\(ECONNREFUSED\\)$`,
    ),
  );
});

test('a batch refused for one of its names is split until that name is alone: the rest apply, it keeps its answer', async (t) => {
  // The scripted server refuses (YXDOMAIN) any message whose prerequisites name vm-5, as a real one would.
  const seen: number[] = [];
  const server = await scriptedDnsServer((request, socket) => {
    seen.push(request.answers.length);
    const held = request.answers.some((record) => record.name.startsWith('vm-5.'));
    socket.write(framed(answer(request, held ? 6 : 0)));
  });
  t.after(() => server.close());
  const { port } = server;
  const names = Array.from({ length: 12 }, (_, i) => update(`vm-${i}`));
  const outcomes = await applyUpdates({ host: '127.0.0.1', port, timeoutMs: 2_000 }, names);
  assert.deepEqual(
    outcomes,
    names.map((_, i) => (i === 5 ? { applied: false, rcode: 'YXDOMAIN' } : { applied: true })),
  );
  assert.equal(seen[0], 12, 'the first message carries all twelve prerequisites');
  assert.ok(seen.length < 12, `fewer messages than names: ${seen.join(',')}`);
  assert.equal(seen.at(-1), 1, 'the refused name ends alone');
});

/** applyUpdates against `port`, collecting each outcome it reports before it fails. */
async function partly(port: number, updates: readonly DnsUpdate[], batchUpdates?: number) {
  const said = new Map<number, DnsUpdateOutcome>();
  const error = await rejection(
    applyUpdates({ host: '127.0.0.1', port, timeoutMs: 2_000 }, updates, {
      ...(batchUpdates === undefined ? {} : { batchUpdates }),
      onOutcome: (index, outcome) => said.set(index, outcome),
    }),
  );
  return { error, said: [...said.entries()].sort(([a], [b]) => a - b) };
}

test('a connection dropped midway: what the server answered is reported, applied or refused; the rest is not', async (t) => {
  // Pipelined, one update per message: answers to the third (NOERROR) and the first (YXDOMAIN), then a drop.
  const tcp = await tcpServer(4, (requests, socket) => {
    socket.write(framed(answer(requests[2]!, 0)));
    socket.write(framed(answer(requests[0]!, 6)));
    setImmediate(() => socket.destroy());
  });
  t.after(() => tcp.close());
  const names = ['a', 'b', 'c', 'd'].map(update);
  const pipelined = await partly(tcp.port, names, 1);
  assert.equal(pipelined.error.kind, 'store-io');
  assert.deepEqual(pipelined.said, [
    [0, { applied: false, rcode: 'YXDOMAIN' }],
    [2, { applied: true }],
  ]);
});

test('a batch split after a refusal, the connection dropped before the second half is answered: the first half stays applied', async (t) => {
  // Message 1 (all four) refused for one name: split; message 2 (a, b) applied; message 3 (c, d) never answered.
  let messages = 0;
  const server = await scriptedDnsServer((request, socket) => {
    messages++;
    if (messages === 1) socket.write(framed(answer(request, 6)));
    else if (messages === 2) socket.write(framed(answer(request, 0)));
    else socket.destroy();
  });
  t.after(() => server.close());
  const batched = await partly(server.port, ['a', 'b', 'c', 'd'].map(update));
  assert.equal(batched.error.kind, 'store-io');
  assert.deepEqual(batched.said, [
    [0, { applied: true }],
    [1, { applied: true }],
  ]);
  assert.ok(messages >= 3, `the second half was sent: ${messages} messages`);
});
