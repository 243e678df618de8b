/**
 * A scripted DNS server over TCP on 127.0.0.1, for the DNS edge's tests in-process: each
 * length-framed request is decoded and handed to `onRequest` with the socket, which answers
 * (`framed`), stays silent or drops the connection, as the test needs.
 */
import * as net from 'node:net';
import { type DecodedMessage, decodeMessage } from '../../src/targets/dns/wire-message.ts';

export interface ScriptedDnsServer {
  readonly port: number;
  close(): Promise<void>;
}

/** A message with its two length bytes, as DNS over TCP sends it (RFC 1035 4.2.2). */
export const framed = (message: Buffer) =>
  Buffer.concat([Buffer.from([message.length >> 8, message.length & 255]), message]);

export async function scriptedDnsServer(
  onRequest: (request: DecodedMessage, socket: net.Socket) => void,
): Promise<ScriptedDnsServer> {
  const server = net.createServer((socket) => {
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        const request = decodeMessage(buffered.subarray(2, 2 + buffered.readUInt16BE(0)));
        buffered = buffered.subarray(2 + buffered.readUInt16BE(0));
        onRequest(request, socket);
      }
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return { port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
