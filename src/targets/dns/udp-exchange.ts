/**
 * One request, one answer over UDP (RFC 1035 4.2.1), bounded by the server's timeout. The socket
 * is connected, so only the server's datagrams arrive and an ICMP "port unreachable" surfaces as
 * ECONNREFUSED; a datagram with another id is a stray (a late answer) and is ignored.
 */
import * as dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import { type DnsAction, networkFailure, noAnswer } from './dns-failure.ts';
import type { DnsServer } from './dns-server.ts';

export function udpExchange(server: DnsServer, action: DnsAction, request: Buffer): Promise<Buffer> {
  const id = request.readUInt16BE(0);
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket(isIPv6(server.host) ? 'udp6' : 'udp4');
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.close();
      outcome();
    };
    const timer = setTimeout(() => finish(() => reject(noAnswer(action, server, 'UDP'))), server.timeoutMs);
    socket.on('error', (error) => finish(() => reject(networkFailure(action, server, error))));
    socket.on('message', (answer) => {
      if (answer.length >= 2 && answer.readUInt16BE(0) === id) finish(() => resolve(answer));
    });
    socket.connect(server.port, server.host, () => {
      socket.send(request, (error) => {
        if (error) finish(() => reject(networkFailure(action, server, error)));
      });
    });
  });
}
