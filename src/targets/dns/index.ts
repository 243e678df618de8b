/**
 * The DNS edge, for the sync code: everything it needs, nothing of the wire.
 *
 *   const server = { host, port, timeoutMs, tsig: { name, algorithm, secret: tsigSecret(text, file, name, algorithm) } };
 *   const records = await readZone(server, 'cloud.example.com');      // AXFR: A, AAAA, PTR, TXT
 *   const outcomes = await applyUpdates(server, updates);              // one outcome per update, in order
 *
 * A failed prerequisite is an outcome ({ applied: false, rcode: 'YXDOMAIN' | 'NXRRSET' | ... });
 * a key the server refuses throws IpamError 'config', a server that is down or answers garbage
 * 'store-io', both one line naming the zone, the server and (for TSIG) the key. Every wait is
 * bounded by `server.timeoutMs` (default 2 s).
 */
export { applyUpdates } from './apply-updates.ts';
export { DEFAULT_DNS_PORT, DEFAULT_DNS_TIMEOUT_MS, type DnsServer, serverLabel } from './dns-server.ts';
export { readZone, transferZone, type ZoneContents } from './read-zone.ts';
export type { TsigKey } from './tsig-algorithm.ts';
export { tsigSecret } from './tsig-key-file.ts';
