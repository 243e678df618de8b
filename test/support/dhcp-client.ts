/**
 * A DHCPv4 client for the Kea tests, speaking as a relay agent (RFC 2131 giaddr): a DISCOVER,
 * then a REQUEST for what was offered, from a `node:dgram` socket bound to 127.0.0.2. A relayed
 * exchange needs no raw socket, no broadcast and no interface of its own, so it runs on loopback
 * beside everything else. Kea 2.2 answers a relay at giaddr on its client port (`kea-dhcp4 -P`;
 * measured: even with the RFC 8357 relay-port sub-option it answered there), so the socket binds
 * that port on 127.0.0.2.
 *
 * Every packet goes to 127.0.0.0/8 (checked before each send); the addresses in the payload are
 * data. Every wait is bounded: no answer within `timeoutMs` is `undefined`, never a hang.
 */
import * as dgram from 'node:dgram';
import { randomInt } from 'node:crypto';

export interface DhcpServerAddress {
  readonly address: string;
  readonly port: number;
  /** Where the server sends its answers to a relay (`kea-dhcp4 -P`). */
  readonly clientPort: number;
}

export interface DhcpReply {
  readonly type: 'offer' | 'ack' | 'nak' | number;
  readonly xid: number;
  readonly yiaddr: string;
  readonly serverId?: string;
  readonly leaseSeconds?: number;
  /** Option 3. */
  readonly routers: readonly string[];
  /** Option 6. */
  readonly dnsServers: readonly string[];
  /** Option 26 (interface-mtu). */
  readonly mtu?: number;
  /** Option 15. */
  readonly domainName?: string;
  /** Option 119 (RFC 3397). */
  readonly domainSearch: readonly string[];
  readonly hostname?: string;
}

export interface RelayedClient {
  /** DISCOVER from `mac`; the OFFER, or undefined if none came within the timeout. */
  discover(mac: string): Promise<DhcpReply | undefined>;
  /** REQUEST `address` from `serverId` (the SELECTING state); the ACK or NAK, or undefined. */
  request(mac: string, address: string, serverId: string): Promise<DhcpReply | undefined>;
  /** DISCOVER then REQUEST what was offered: the OFFER and the answer to the REQUEST. */
  obtain(mac: string): Promise<{ readonly offer?: DhcpReply; readonly answer?: DhcpReply }>;
  close(): Promise<void>;
}

const RELAY = '127.0.0.2';

export async function openRelayedClient(server: DhcpServerAddress, timeoutMs = 2_000): Promise<RelayedClient> {
  if (!isLoopback(server.address))
    throw new Error(`refusing to send DHCP to ${server.address}: tests send only to 127.0.0.0/8`);
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ address: RELAY, port: server.clientPort }, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  const waiting = new Map<number, (reply: DhcpReply) => void>();
  socket.on('message', (packet) => {
    const reply = parseReply(packet);
    if (reply) waiting.get(reply.xid)?.(reply);
  });
  const exchange = (packet: Buffer, xid: number) =>
    new Promise<DhcpReply | undefined>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiting.delete(xid);
        resolve(undefined);
      }, timeoutMs);
      waiting.set(xid, (reply) => {
        clearTimeout(timer);
        waiting.delete(xid);
        resolve(reply);
      });
      socket.send(packet, server.port, server.address, (error) => {
        if (!error) return;
        clearTimeout(timer);
        waiting.delete(xid);
        reject(error);
      });
    });

  const client: RelayedClient = {
    discover(mac) {
      const xid = randomInt(1, 2 ** 31);
      return exchange(encodeRequest({ xid, mac, type: DISCOVER }), xid);
    },
    request(mac, address, serverId) {
      const xid = randomInt(1, 2 ** 31);
      return exchange(encodeRequest({ xid, mac, type: REQUEST, requested: address, serverId }), xid);
    },
    async obtain(mac) {
      const offer = await client.discover(mac);
      if (!offer?.serverId) return offer ? { offer } : {};
      const answer = await client.request(mac, offer.yiaddr, offer.serverId);
      return answer ? { offer, answer } : { offer };
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
  return client;
}

const DISCOVER = 1;
const REQUEST = 3;
const MESSAGE_TYPES: Readonly<Record<number, DhcpReply['type']>> = { 2: 'offer', 5: 'ack', 6: 'nak' };
const COOKIE = 0x63825363;
const PARAMETERS = [1, 3, 6, 15, 26, 119];

interface Outgoing {
  readonly xid: number;
  readonly mac: string;
  readonly type: number;
  readonly requested?: string;
  readonly serverId?: string;
}

/** A BOOTREQUEST as a relay agent forwards it: hops 1, giaddr the relay. */
export function encodeRequest(message: Outgoing): Buffer {
  const fixed = Buffer.alloc(240);
  fixed[0] = 1; // BOOTREQUEST
  fixed[1] = 1; // Ethernet
  fixed[2] = 6;
  fixed[3] = 1; // one relay hop
  fixed.writeUInt32BE(message.xid, 4);
  fixed.set(ipv4Bytes(RELAY), 24); // giaddr
  fixed.set(macBytes(message.mac), 28); // chaddr
  fixed.writeUInt32BE(COOKIE, 236);
  const options: number[] = [53, 1, message.type, 55, PARAMETERS.length, ...PARAMETERS];
  if (message.requested) options.push(50, 4, ...ipv4Bytes(message.requested));
  if (message.serverId) options.push(54, 4, ...ipv4Bytes(message.serverId));
  options.push(255);
  return Buffer.concat([fixed, Buffer.from(options)]);
}

/** A BOOTREPLY, or undefined for anything else (a stray packet is not an answer). */
export function parseReply(packet: Buffer): DhcpReply | undefined {
  if (packet.length < 240 || packet[0] !== 2 || packet.readUInt32BE(236) !== COOKIE) return undefined;
  const options = new Map<number, Buffer>();
  for (let at = 240; at < packet.length; ) {
    const code = packet[at]!;
    if (code === 255) break;
    if (code === 0) {
      at++;
      continue;
    }
    const length = packet[at + 1] ?? 0;
    const value = packet.subarray(at + 2, at + 2 + length);
    // RFC 3396: an option given twice is one long option.
    options.set(code, Buffer.concat([options.get(code) ?? Buffer.alloc(0), value]));
    at += 2 + length;
  }
  const type = options.get(53)?.[0];
  if (type === undefined) return undefined;
  const serverId = options.get(54);
  const lease = options.get(51);
  const mtu = options.get(26);
  const domainName = options.get(15);
  const hostname = options.get(12);
  return {
    type: MESSAGE_TYPES[type] ?? type,
    xid: packet.readUInt32BE(4),
    yiaddr: ipv4Text(packet.subarray(16, 20)),
    ...(serverId?.length === 4 ? { serverId: ipv4Text(serverId) } : {}),
    ...(lease?.length === 4 ? { leaseSeconds: lease.readUInt32BE(0) } : {}),
    routers: addressList(options.get(3)),
    dnsServers: addressList(options.get(6)),
    ...(mtu?.length === 2 ? { mtu: mtu.readUInt16BE(0) } : {}),
    ...(domainName ? { domainName: domainName.toString('latin1').replace(/\0+$/, '') } : {}),
    domainSearch: options.has(119) ? searchList(options.get(119)!) : [],
    ...(hostname ? { hostname: hostname.toString('latin1').replace(/\0+$/, '') } : {}),
  };
}

function addressList(value: Buffer | undefined): string[] {
  const list: string[] = [];
  for (let at = 0; value && at + 4 <= value.length; at += 4) list.push(ipv4Text(value.subarray(at, at + 4)));
  return list;
}

/** RFC 3397: DNS names in wire form, compression pointers relative to the option's data. */
function searchList(data: Buffer): string[] {
  const names: string[] = [];
  const nameAt = (start: number): [string, number] => {
    const labels: string[] = [];
    let at = start;
    let end = -1;
    for (let hops = 0; at < data.length && hops < 64; hops++) {
      const length = data[at]!;
      if (length === 0) {
        if (end < 0) end = at + 1;
        break;
      }
      if ((length & 0xc0) === 0xc0) {
        if (end < 0) end = at + 2;
        at = ((length & 0x3f) << 8) | data[at + 1]!;
        continue;
      }
      labels.push(data.toString('latin1', at + 1, at + 1 + length));
      at += 1 + length;
    }
    return [labels.join('.'), end < 0 ? data.length : end];
  };
  for (let at = 0, count = 0; at < data.length && count < 64; count++) {
    const [name, next] = nameAt(at);
    names.push(name);
    at = next;
  }
  return names;
}

function ipv4Bytes(text: string): number[] {
  const parts = text.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255))
    throw new Error(`not an IPv4 address: ${text}`);
  return parts;
}

function ipv4Text(bytes: Buffer): string {
  return [...bytes].join('.');
}

function macBytes(mac: string): number[] {
  const parts = mac.split(':').map((p) => parseInt(p, 16));
  if (parts.length !== 6 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255))
    throw new Error(`not a MAC: ${mac}`);
  return parts;
}

function isLoopback(address: string): boolean {
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address);
}
