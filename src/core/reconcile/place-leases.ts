/**
 * OpenNebula's LEASE elements as indices of a range, found by the field that identifies an
 * address for the range's TYPE (docs/oned-contract.md 4: IP, static IP6, or MAC), and runs of consecutive
 * indices with one holder, which is how a block lease or a reservation is shown.
 */
import { parseIPv4 } from '../address/ipv4.ts';
import { parseIPv6 } from '../address/ipv6.ts';
import { parseMac } from '../address/mac.ts';
import type { ArType } from '../book/book.ts';
import { hasIPv4, isStatic6 } from '../oned/ar-fields.ts';
import { IpamError, shown } from '../errors.ts';
import type { Interval } from '../intervals/interval.ts';
import type { ArView } from './onevnet-document.ts';
import { arText, ownerText } from './onevnet-document.ts';

export interface PlacedLease {
  readonly index: bigint;
  /** `VM 12`, `hold`, `reservation VNET 7`, ... */
  readonly holder: string;
  readonly mac?: bigint;
}

export interface Origin {
  readonly type: ArType;
  readonly ip?: bigint;
  readonly ip6?: bigint;
  readonly mac?: bigint;
}

/** The AR's leases by index, sorted, one per index. Indices may fall outside the range. */
export function placeLeases(ar: ArView, origin: Origin): PlacedLease[] {
  const placed = new Map<bigint, PlacedLease>();
  for (const [n, lease] of (ar.leases ?? []).entries()) {
    const fail = (why: string): never => {
      throw new IpamError(
        'bad-request',
        `Cannot reconcile ${arText(ar)}: its LEASE ${n + 1} ${why}; nothing was changed`,
      );
    };
    let index: bigint;
    if (hasIPv4(origin.type)) {
      const ip =
        lease.ip === undefined ? fail(`has no IP, which a ${origin.type} AR's leases have`) : parseIPv4(lease.ip);
      if (ip === undefined) return fail(`has IP ${shown(lease.ip!)}, not an IPv4 address`);
      index = ip - origin.ip!;
    } else if (isStatic6(origin.type)) {
      const ip6 =
        lease.ip6 === undefined ? fail(`has no IP6, which a ${origin.type} AR's leases have`) : parseIPv6(lease.ip6);
      if (ip6 === undefined) return fail(`has IP6 ${shown(lease.ip6!)}, not an IPv6 address`);
      index = ip6 - origin.ip6!;
    } else {
      if (origin.mac === undefined) return fail('cannot be placed: the AR has no MAC');
      const mac =
        lease.mac === undefined ? fail(`has no MAC, which a ${origin.type} AR's leases have`) : parseMac(lease.mac);
      if (mac === undefined) return fail(`has MAC ${shown(lease.mac!)}, not a MAC address`);
      index = mac - origin.mac;
    }
    const mac = lease.mac === undefined ? undefined : parseMac(lease.mac);
    placed.set(index, { index, holder: ownerText(lease.owner), ...(mac === undefined ? {} : { mac }) });
  }
  return [...placed.values()].sort((a, b) => (a.index < b.index ? -1 : a.index > b.index ? 1 : 0));
}

export interface Run<T> extends Interval {
  /** The members of the run, in index order. */
  readonly members: readonly T[];
}

/** Consecutive indices that share `key` become one run. `items` must be sorted by index. */
export function runsOf<T extends { readonly index: bigint }>(items: readonly T[], key: (item: T) => string): Run<T>[] {
  const runs: { first: bigint; last: bigint; key: string; members: T[] }[] = [];
  for (const item of items) {
    const run = runs[runs.length - 1];
    const k = key(item);
    if (run && run.last + 1n === item.index && run.key === k) {
      run.last = item.index;
      run.members.push(item);
    } else {
      runs.push({ first: item.index, last: item.index, key: k, members: [item] });
    }
  }
  return runs.map(({ first, last, members }) => ({ first, last, members }));
}
