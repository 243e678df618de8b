/** A small book and config with DNS and DHCP targets, for the pure sync core's tests. */
import { parseIPv4 } from '../../src/core/address/ipv4.ts';
import { parseIPv6 } from '../../src/core/address/ipv6.ts';
import { parseMac } from '../../src/core/address/mac.ts';
import type { Book, Lease, RangeRecord } from '../../src/core/book/book.ts';
import type { Config } from '../../src/core/config/config.ts';
import { configWith, NOW } from './sample-config.ts';

export const TARGETS = {
  bind: {
    type: 'rfc2136',
    host: '127.0.0.1',
    port: 5353,
    tsigKeyName: 'nebula-ipam',
    tsigSecretFile: '/etc/one/nebula-ipam/tsig.key',
  },
  kea: { type: 'kea', url: 'http://127.0.0.1:8000/' },
};

/** Pool "lan" 10.77.0.0/24 named vm-{ip}, with DHCP; pool "lan6" 2001:db8:77::/64 named {vm}, with DHCP. */
export const SYNC_POOLS = [
  {
    name: 'lan',
    network: '10.77.0.0/24',
    gateway: 'first',
    dns: ['10.77.0.2'],
    mtu: 1450,
    searchDomain: 'cloud.example.com',
    dnsNames: { forwardZone: 'cloud.example.com', name: 'vm-{ip}', ttl: 300, server: 'bind' },
    dhcp: { server: 'kea', lifetimeSeconds: 3600 },
  },
  {
    name: 'lan6',
    network: '2001:db8:77::/64',
    gateway: 'none',
    dnsNames: { forwardZone: 'cloud.example.com', name: '{vm}', server: 'bind' },
    dhcp: { server: 'kea', lifetimeSeconds: 3600 },
  },
];

export function syncConfig(pools: readonly object[] = SYNC_POOLS, extra: object = {}): Config {
  return configWith(pools, { targets: TARGETS, registryOwner: 'cloud-a', ...extra });
}

export const ip = (text: string) => parseIPv4(text)!;
export const ip6 = (text: string) => parseIPv6(text)!;
export const mac = (text: string) => parseMac(text)!;

export function lease(first: number, last: number, fields: Partial<Lease> = {}): Lease {
  return { first: BigInt(first), last: BigInt(last), holder: 'opennebula', at: NOW, ...fields };
}

export function range(id: string, fields: Partial<RangeRecord> & Pick<RangeRecord, 'type' | 'size'>): RangeRecord {
  return { id, createdAt: NOW, leases: [], ...fields };
}

export function book(ranges: RangeRecord[]): Book {
  return { schema: 1, generation: 1, nextRangeId: 10, ranges };
}

/**
 * r1: IP4 10.77.0.10+10 in lan, MAC 02:00:0a:4d:00:0a; oned leases index 0 (MAC from the range) and
 * 1 (its own MAC), an operator lease of 2-3 with a MAC, an operator lease of 5 without one.
 * r2: IP4_6_STATIC 10.77.0.100+4 / 2001:db8:77::100 in lan and lan6; oned leases index 0.
 */
export function syncBook(): Book {
  return book([
    range('r1', {
      type: 'IP4',
      size: 10n,
      ip: ip('10.77.0.10'),
      mac: mac('02:00:0a:4d:00:0a'),
      pool: 'lan',
      block: { first: ip('10.77.0.10'), last: ip('10.77.0.19') },
      leases: [
        lease(0, 0),
        lease(1, 1, { mac: mac('02:00:00:00:00:b1') }),
        lease(2, 3, { holder: 'operator', owner: 'Alice Web', mac: mac('52:54:00:00:00:02') }),
        lease(5, 5, { holder: 'operator', owner: 'printer' }),
      ],
    }),
    range('r2', {
      type: 'IP4_6_STATIC',
      size: 4n,
      ip: ip('10.77.0.100'),
      ip6: ip6('2001:db8:77::100'),
      prefixLength: 64,
      mac: mac('02:00:0a:4d:00:64'),
      pool: 'lan',
      pool6: 'lan6',
      leases: [lease(0, 0)],
    }),
  ]);
}
