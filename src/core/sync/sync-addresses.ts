/**
 * Every leased address of the book, one by one, with what names and DHCP need of it: family,
 * text, MAC, pool. An IP4_6 range's index gives an IPv4 and an IPv6 address.
 */
import { FAMILIES, type Family } from '../address/family.ts';
import type { Book, Lease, RangeRecord } from '../book/book.ts';
import { poolNamed, type Config, type Pool } from '../config/config.ts';
import { ipv6At } from '../operator/locate-address.ts';

export interface SyncAddress {
  readonly range: RangeRecord;
  readonly lease: Lease;
  readonly index: bigint;
  readonly family: Family;
  readonly address: bigint;
  /** Dotted quad, or RFC 5952 text. */
  readonly text: string;
  /** The pool of this family the range is in; undefined for a range in no configured pool. */
  readonly pool?: Pool;
  readonly mac?: bigint;
}

/**
 * Far more than a front-end's clouds hold (issue 18 measures 10 000), far less than a 2^32-address
 * operator block would make: past it the rest is left out and said so (`desiredState`).
 */
export const MAX_SYNCED_ADDRESSES = 1_000_000;

/** The leased addresses, in book order, at most `limit` of them, and whether any were left out. */
export function syncAddresses(
  book: Book,
  config: Config,
  limit = MAX_SYNCED_ADDRESSES,
): { addresses: SyncAddress[]; leftOut: boolean } {
  const addresses: SyncAddress[] = [];
  for (const range of book.ranges) {
    const pool4 = poolOf(config, range.pool, 'ipv4');
    const pool6 = poolOf(config, range.pool6, 'ipv6');
    for (const lease of range.leases) {
      for (let index = lease.first; index <= lease.last; index++) {
        if (addresses.length >= limit) return { addresses, leftOut: true };
        const mac = macAt(range, lease, index);
        const common = { range, lease, index, ...(mac === undefined ? {} : { mac }) };
        if (range.ip !== undefined) {
          const address = range.ip + index;
          addresses.push({
            ...common,
            family: 'ipv4',
            address,
            text: FAMILIES.ipv4.format(address),
            ...(pool4 ? { pool: pool4 } : {}),
          });
        }
        const address6 = ipv6At(range, index);
        if (address6 !== undefined)
          addresses.push({
            ...common,
            family: 'ipv6',
            address: address6,
            text: FAMILIES.ipv6.format(address6),
            ...(pool6 ? { pool: pool6 } : {}),
          });
      }
    }
  }
  return { addresses, leftOut: false };
}

/**
 * The MAC of one index of a lease: the lease's own (oned's, or `lease --mac`), counted on from its
 * first address as `cut-leases.ts` does; else, for oned's leases, the range's MAC plus the index
 * (oned's own rule). An operator lease without a MAC has none: no DHCP entry.
 */
function macAt(range: RangeRecord, lease: Lease, index: bigint): bigint | undefined {
  if (lease.mac !== undefined) return lease.mac + (index - lease.first);
  return lease.holder === 'opennebula' && range.mac !== undefined ? range.mac + index : undefined;
}

function poolOf(config: Config, name: string | undefined, family: Family): Pool | undefined {
  const pool = name === undefined ? undefined : poolNamed(config, name);
  return pool?.family === family ? pool : undefined;
}
