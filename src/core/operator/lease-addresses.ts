/**
 * `lease`: addresses for a host OpenNebula does not manage, from the same pools and books as
 * oned's. With a count, the next free block (round-robin from each range's cursor, as
 * get_address) in the pool's unmanaged ranges (one with no owner, or owned by the same owner),
 * else a new unmanaged range carved for it; with an address, that address wherever it is free
 * in the pool (in free pool space, growing the operator range next to it).
 */
import { FAMILIES } from '../address/family.ts';
import { formatMac } from '../address/mac.ts';
import { formatPrefix, ipv4Netmask, prefixInterval, type Prefix } from '../address/prefix.ts';
import { replaceRange, type Book, type Lease, type RangeRecord } from '../book/book.ts';
import { requirePool, type Config, type Pool } from '../config/config.ts';
import { gatewayOf } from '../engine/carve.ts';
import { addressText, spanText } from '../book/range-text.ts';
import { refuseOverlapping } from '../engine/overlap.ts';
import { holderPhrase } from './holder-phrase.ts';
import { takenIndices } from '../engine/taken-indices.ts';
import { holdAt, holdsOf } from '../book/holds.ts';
import { IpamError, shown } from '../errors.ts';
import { nextFreeBlock } from '../intervals/free-block.ts';
import { covers, type Interval } from '../intervals/interval.ts';
import { insertDisjoint } from '../intervals/sorted.ts';
import { refuseLeasedMac } from './lease-mac.ts';
import { locateAddress, parseAddress } from './locate-address.ts';
import { carveUnmanaged, placeUnmanaged } from './new-range.ts';
import type { Change } from '../change.ts';
import { rangeSubnet } from '../engine/range-subnet.ts';
import { MAX_SIZE } from '../oned/ar-fields.ts';
import { subnetAround } from '../engine/subnet-around.ts';

export interface LeaseRequest {
  readonly pool: string;
  /** How many consecutive addresses (default 1); not with `ip`. */
  readonly count?: bigint;
  readonly ip?: string;
  readonly owner: string;
  readonly note?: string;
  /** The host's MAC (`--mac`, parsed by parseLeaseMac): one address only; sync gives it a DHCP entry. */
  readonly mac?: bigint;
}

/** What a host needs to configure its interface, with the lease's place in the books. */
export interface LeaseResult extends HostSettings {
  readonly range: string;
  readonly pool: string;
  /** `10.20.1.2`, or `10.20.1.2-10.20.1.5` for a block. */
  readonly addresses: string;
  readonly first: string;
  readonly count: bigint;
  /** True when a new unmanaged range was made for this lease. */
  readonly newRange: boolean;
  /** The host's MAC, when the lease has one. */
  readonly mac?: string;
}

/**
 * What a host needs to configure its interface besides its addresses: from the range's subnet
 * and its pool in the config (MTU and search domain are what register gives oned as GUEST_MTU
 * and SEARCH_DOMAIN).
 */
export interface HostSettings {
  readonly network?: string;
  readonly netmask?: string;
  readonly gateway?: string;
  readonly dns: readonly string[];
  readonly mtu?: number;
  readonly searchDomain?: string;
}

export function leaseAddresses(book: Book, config: Config, request: LeaseRequest, now: string): Change<LeaseResult> {
  const pool = requirePool(config, request.pool, `Cannot lease from pool ${shown(request.pool)}`);
  if (request.ip !== undefined && request.count !== undefined)
    throw new IpamError('usage', 'Cannot lease: give --count or --ip, not both');
  if (request.mac !== undefined && (request.count ?? 1n) !== 1n)
    throw new IpamError(
      'usage',
      `Cannot lease ${request.count} addresses with --mac ${formatMac(request.mac)}: a MAC is one host's one address (--ip, or --count 1)`,
    );
  const placed =
    request.ip !== undefined
      ? atAddress(book, config, pool, request.ip, request.owner, now)
      : inBlock(book, config, pool, request.count ?? 1n, request.owner, now);
  if (request.mac !== undefined)
    refuseLeasedMac(placed.range, request.mac, `lease ${spanText(placed.range, placed.indices)}`);
  const lease: Lease = {
    ...placed.indices,
    holder: 'operator',
    owner: request.owner,
    ...(request.note === undefined ? {} : { note: request.note }),
    ...(request.mac === undefined ? {} : { mac: request.mac }),
    at: now,
  };
  const range = { ...placed.range, leases: insertDisjoint(placed.range.leases, lease) };
  const addresses = spanText(range, placed.indices);
  return {
    book: replaceRange(placed.book, range),
    result: {
      range: range.id,
      pool: pool.name,
      addresses,
      first: addressText(range, placed.indices.first),
      count: placed.indices.last - placed.indices.first + 1n,
      newRange: placed.newRange,
      ...(request.mac === undefined ? {} : { mac: formatMac(request.mac) }),
      ...hostSettings(range, config, pool),
    },
    audit: [
      {
        range: range.id,
        addresses,
        owner: request.owner,
        ...(request.mac === undefined ? {} : { mac: formatMac(request.mac) }),
      },
    ],
  };
}

interface Spot {
  readonly book: Book;
  readonly range: RangeRecord;
  readonly indices: Interval;
  readonly newRange: boolean;
}

function inBlock(book: Book, config: Config, pool: Pool, count: bigint, owner: string, now: string): Spot {
  if (count < 1n) throw new IpamError('usage', `Cannot lease ${count} addresses: the count must be at least 1`);
  const mine = (range: RangeRecord) =>
    range.unmanaged === true && (pool.family === 'ipv4' ? range.pool : range.pool6) === pool.name;
  // The owner's own blocks first, then blocks nobody owns; another owner's block is theirs.
  const candidates = [
    ...book.ranges.filter((r) => mine(r) && r.owner === owner),
    ...book.ranges.filter((r) => mine(r) && r.owner === undefined),
  ];
  for (const range of candidates) {
    // Round-robin from the range's cursor, as get_address: a released address is the last reused.
    const first = nextFreeBlock(
      takenIndices(range, config, holdsOf(book)),
      { first: 0n, last: range.size - 1n },
      count,
      range.nextIndex ?? 0n,
    );
    if (first === undefined) continue;
    refuseOverlapping(book, range, 'lease');
    const indices = { first, last: first + count - 1n };
    return { book, range: { ...range, nextIndex: indices.last + 1n }, indices, newRange: false };
  }
  const made = carveUnmanaged(book, config, pool, count, now, { wholeRun: true });
  return {
    book: made.book,
    range: { ...made.range, nextIndex: count },
    indices: { first: 0n, last: count - 1n },
    newRange: true,
  };
}

function atAddress(book: Book, config: Config, pool: Pool, text: string, owner: string, now: string): Spot {
  const address = parseAddress(text);
  if (address.space !== pool.family) {
    throw new IpamError(
      'usage',
      `Cannot lease ${shown(text)} from pool ${shown(pool.name)}: it is not an ${pool.family} address`,
    );
  }
  const point = { first: address.value, last: address.value };
  if (!covers(prefixInterval(pool.network), point)) {
    throw new IpamError(
      'not-found',
      `Cannot lease ${address.text}: it is not inside pool ${shown(pool.name)} (${formatPrefix(pool.network)})`,
    );
  }
  const where = locateAddress(book, config, address);
  const cannot = `Cannot lease ${address.text}`;
  switch (where.kind) {
    case 'leased':
      throw new IpamError(
        'conflict',
        `${cannot}: it is leased to ${holderPhrase(where.lease)} since ${where.lease.at} (range ${where.range.id})`,
      );
    case 'free': {
      const hold = holdAt(book, pool.family, address.value);
      if (hold)
        throw new IpamError(
          'conflict',
          `${cannot}: it is held: ${hold.reason} (${hold.source}, seen since ${hold.firstSeen}); if it is free, \`nebula-ipam hold release ${address.text}\``,
        );
      if (where.excluded) throw new IpamError('conflict', `${cannot}: pool ${shown(pool.name)} excludes it`);
      refuseOverlapping(book, where.range, `lease ${address.text}`);
      return { book, range: where.range, indices: { first: where.index, last: where.index }, newRange: false };
    }
    case 'reserved':
      throw new IpamError(
        'conflict',
        `${cannot}: it is the ${where.role} of ${formatPrefix(where.subnet)} in pool ${shown(where.pool.name)}`,
      );
    case 'carved':
      throw new IpamError(
        'conflict',
        `${cannot}: it lies in the subnet carved for range ${where.range.id}, outside that range's addresses`,
      );
    case 'excluded':
      throw new IpamError(
        'conflict',
        `${cannot}: pool ${shown(where.pool.name)} excludes ${formatPrefix(where.prefix)}`,
      );
    case 'pool-free': {
      const grown = grownNeighbour(book, config, pool, address.value, owner);
      if (grown)
        return { book, range: grown.range, indices: { first: grown.index, last: grown.index }, newRange: false };
      const made = placeUnmanaged(book, pool, address.value, 1n, now);
      return { book: made.book, range: made.range, indices: { first: 0n, last: 0n }, newRange: true };
    }
    case 'nowhere':
      throw new IpamError('not-found', `${cannot}: it is in no range and no pool`);
  }
}

/**
 * An operator range of the pool that ends just below `address` or starts just above it, in the
 * same subnet, nobody's or the same owner's: grown by that one address, so a row of hosts
 * leased one by one is one range, not one range each. Only ranges that take exactly their own
 * addresses (placed, not carved) grow; the address is known to be free pool space.
 */
function grownNeighbour(
  book: Book,
  config: Config,
  pool: Pool,
  address: bigint,
  owner: string,
): { range: RangeRecord; index: bigint } | undefined {
  const subnet = subnetAround(pool, { first: address, last: address });
  for (const range of book.ranges) {
    if (!range.unmanaged || (range.owner !== undefined && range.owner !== owner) || range.size >= MAX_SIZE) continue;
    const start = pool.family === 'ipv4' ? range.ip : range.ip6;
    const block = pool.family === 'ipv4' ? range.block : range.block6;
    if ((pool.family === 'ipv4' ? range.pool : range.pool6) !== pool.name || start === undefined || !block) continue;
    const last = start + range.size - 1n;
    if (block.first !== start || block.last !== last) continue;
    const placed = rangeSubnet(range, config, pool.family);
    if (!placed || placed.subnet.base !== subnet.base || placed.subnet.length !== subnet.length) continue;
    if (address === last + 1n) {
      const grown = { ...range, size: range.size + 1n, ...blockOf(pool, { first: start, last: address }) };
      return { range: grown, index: range.size };
    }
    if (address === start - 1n) {
      // Index i is start + i: every lease and the cursor move up by one with the new start.
      const grown: RangeRecord = {
        ...range,
        size: range.size + 1n,
        ...(pool.family === 'ipv4' ? { ip: address } : { ip6: address }),
        ...blockOf(pool, { first: address, last }),
        ...(range.nextIndex === undefined ? {} : { nextIndex: range.nextIndex + 1n }),
        leases: range.leases.map((lease) => ({ ...lease, first: lease.first + 1n, last: lease.last + 1n })),
      };
      return { range: grown, index: 0n };
    }
  }
  return undefined;
}

function blockOf(pool: Pool, span: Interval): Pick<RangeRecord, 'block' | 'block6'> {
  return pool.family === 'ipv4' ? { block: span } : { block6: span };
}

/** The settings the range's subnet and pool give, where they are known. */
export function hostSettings(range: RangeRecord, config: Config, pool: Pool): HostSettings {
  const placed = rangeSubnet(range, config, pool.family);
  const subnet: Prefix | undefined = placed?.subnet;
  const gateway = subnet && gatewayOf(pool, subnet);
  return {
    ...(subnet ? { network: formatPrefix(subnet) } : {}),
    ...(subnet && pool.family === 'ipv4' ? { netmask: ipv4Netmask(subnet.length) } : {}),
    ...(gateway === undefined ? {} : { gateway: FAMILIES[pool.family].format(gateway) }),
    dns: pool.dns,
    ...(pool.mtu === undefined ? {} : { mtu: pool.mtu }),
    ...(pool.searchDomain === undefined ? {} : { searchDomain: pool.searchDomain }),
  };
}
