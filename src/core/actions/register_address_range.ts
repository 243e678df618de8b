/**
 * register_address_range (docs/oned-contract.md 3.2): validate an explicit range, or carve one from a pool,
 * record it, and reply the whole AR that replaces the user's.
 */
import { FAMILIES, type Family } from '../address/family.ts';
import { IPV4_MAX } from '../address/ipv4.ts';
import { IPV6_MAX } from '../address/ipv6.ts';
import { formatPrefix, ipv4Netmask, prefixInterval, type Prefix } from '../address/prefix.ts';
import type { ArType, Book, RangeRecord } from '../book/book.ts';
import type { Config, Pool } from '../config/config.ts';
import { IpamError, shown } from '../errors.ts';
import type { Interval } from '../intervals/interval.ts';
import { firstFreeBlock } from '../intervals/free-block.ts';
import { checkArReply } from '../oned/ar-checks.ts';
import type { Attributes } from '../oned/attributes.ts';
import { formatVector } from '../oned/template.ts';
import * as field from '../oned/ar-fields.ts';
import { carve, gatewayOf, subnetCapacity } from '../engine/carve.ts';
import { spanText } from '../book/range-text.ts';
import { checkInsidePool, choosePool, takenSpace } from '../engine/pool-space.ts';
import { checkClearOfRanges, subnetInPool } from '../engine/place-span.ts';
import type { Action } from './action.ts';

/** A /64: what SLAAC needs, and what an IP6 or IP4_6 range is delegated from an IPv6 pool. */
const SLAAC_SIZE = 1n << 64n;

/** What one family's side of a new range came to. */
interface Side {
  readonly first: bigint;
  readonly pool?: Pool;
  /** The subnet the range sits in, for NETWORK_ADDRESS, NETWORK_MASK, PREFIX_LENGTH, GATEWAY. */
  readonly subnet?: Prefix;
  readonly block?: Interval;
  /** Static IPv6 only: the PREFIX_LENGTH oned needs. */
  readonly prefixLength?: number;
}

export const registerAddressRange: Action = (book, { ar }, { config, requestId, now, driverName }) => {
  const type = field.arType(ar) ?? inferType(ar, config);
  let size = field.size(ar);
  const set = new Map<string, string>();

  let side4: Side | undefined;
  if (field.hasIPv4(type)) {
    const sized = ipv4Side(book, config, ar, size);
    size = sized.size;
    side4 = sized;
    set.set('IP', FAMILIES.ipv4.format(sized.first));
  }

  let side6: Side | undefined;
  if (field.isStatic6(type)) {
    const sized = static6Side(book, config, ar, size);
    size = sized.size;
    side6 = sized;
    set.set('IP6', FAMILIES.ipv6.format(sized.first));
    set.set('PREFIX_LENGTH', String(sized.prefixLength));
  } else if (field.isSlaac(type)) {
    side6 = slaacSide(book, config, ar);
    if (side6) set.set('GLOBAL_PREFIX', FAMILIES.ipv6.format(side6.first));
  }

  if (size === undefined) throw bad(`SIZE is missing, and a ${type} range has nothing to take it from`);
  set.set('SIZE', String(size));
  if (field.text(ar, 'TYPE') === undefined) set.set('TYPE', type);
  // Without IPAM_MAD in the reply oned turns the AR into an internal one and never calls us again.
  if (field.text(ar, 'IPAM_MAD') === undefined && driverName !== undefined) set.set('IPAM_MAD', driverName);

  const id = `r${book.nextRangeId}`;
  const reply = replyAttributes(ar, set, side4, side6, id);
  // Refused here, before anything is recorded: oned would refuse it after the reply, and leak it.
  checkArReply(new Map(reply), config.onedVersion);
  const mac = field.mac(ar, 'MAC');
  const ulaPrefix = field.isSlaac(type) ? field.slaacPrefix(ar, 'ULA_PREFIX') : undefined;
  const range: RangeRecord = {
    id,
    type,
    size,
    ...(side4 ? { ip: side4.first } : {}),
    ...(side6?.prefixLength !== undefined ? { ip6: side6.first, prefixLength: side6.prefixLength } : {}),
    ...(side6 && field.isSlaac(type) ? { globalPrefix: side6.first } : {}),
    ...(ulaPrefix === undefined ? {} : { ulaPrefix }),
    ...(mac === undefined ? {} : { mac }),
    ...(side4?.pool ? { pool: side4.pool.name } : {}),
    ...(side6?.pool ? { pool6: side6.pool.name } : {}),
    ...(side4?.block ? { block: side4.block } : {}),
    ...(side6?.block ? { block6: side6.block } : {}),
    // Which driver's range it is, when several share one book (reconcile --driver judges by it).
    ...(driverName === undefined ? {} : { driver: driverName }),
    createdAt: now,
    ...(requestId === undefined ? {} : { requestId }),
    leases: [],
  };
  const next: Book = { ...book, nextRangeId: book.nextRangeId + 1, ranges: [...book.ranges, range] };
  return {
    book: next,
    result: formatVector('AR', reply),
    audit: [{ range: id, addresses: spanText(range, { first: 0n, last: size - 1n }) }],
  };
};

/** oned requires TYPE; an AR written as `AR=[SIZE=21]` gets it from what it does have. */
function inferType(ar: Attributes, config: Config): ArType {
  const has = (name: string) => field.text(ar, name) !== undefined;
  if (has('IP')) return has('IP6') ? 'IP4_6_STATIC' : 'IP4';
  if (has('IP6')) return 'IP6_STATIC';
  if (has('GLOBAL_PREFIX') || has('ULA_PREFIX')) return 'IP6';
  if (has('IPAM_POOL') || config.pools.some((p) => p.family === 'ipv4' && p.isDefault))
    return has('IPAM_POOL6') ? 'IP4_6' : 'IP4';
  if (has('IPAM_POOL6') || config.pools.some((p) => p.family === 'ipv6' && p.isDefault)) return 'IP6';
  throw bad(
    `the AR has no TYPE, no IP and no pool to carve from (name one with IPAM_POOL, or mark a pool "default" in ${config.source})`,
  );
}

function ipv4Side(book: Book, config: Config, ar: Attributes, size: bigint | undefined): Side & { size: bigint } {
  const ip = field.ipv4(ar, 'IP');
  const named = field.text(ar, 'IPAM_POOL');
  if (ip !== undefined) {
    if (size === undefined) throw bad(`SIZE is missing for IP ${FAMILIES.ipv4.format(ip)}`);
    const span = { first: ip, last: ip + size - 1n };
    if (span.last > IPV4_MAX) throw bad(`IP ${FAMILIES.ipv4.format(ip)} + SIZE ${size} runs past 255.255.255.255`);
    return { ...explicitSide(book, config, 'ipv4', span, named, 'IPAM_POOL'), size };
  }
  const pool = choosePool(config, 'ipv4', named, undefined, 'IPAM_POOL');
  if (!pool)
    throw bad(
      `the AR has no IP and no IPv4 pool to carve from (name one with IPAM_POOL, or mark one "default" in ${config.source})`,
    );
  return carvedSide(book, config, pool, size);
}

function static6Side(book: Book, config: Config, ar: Attributes, size: bigint | undefined): Side & { size: bigint } {
  const ip6 = field.ipv6(ar, 'IP6');
  const named = field.text(ar, 'IPAM_POOL6');
  if (ip6 !== undefined) {
    size ??= onedStaticSize(ip6, field.prefixLength(ar));
    const span = { first: ip6, last: ip6 + size - 1n };
    if (span.last > IPV6_MAX)
      throw bad(`IP6 ${FAMILIES.ipv6.format(ip6)} + SIZE ${size} runs past the end of the IPv6 space`);
    const side = explicitSide(book, config, 'ipv6', span, named, 'IPAM_POOL6');
    const prefixLength = field.prefixLength(ar) ?? side.subnet?.length;
    if (prefixLength === undefined) throw bad(`PREFIX_LENGTH is missing for IP6 ${FAMILIES.ipv6.format(ip6)}`);
    return { ...side, prefixLength, size };
  }
  const pool = choosePool(config, 'ipv6', named, undefined, 'IPAM_POOL6');
  if (!pool)
    throw bad(
      `the AR has no IP6 and no IPv6 pool to carve from (name one with IPAM_POOL6, or mark one "default" in ${config.source})`,
    );
  if (size === undefined && pool.subnetPrefix !== undefined && pool.subnetPrefix < 97) {
    throw bad(
      `SIZE is missing, and a /${pool.subnetPrefix} from pool ${shown(pool.name)} holds more addresses than an AR can`,
    );
  }
  const carved = carvedSide(book, config, pool, size);
  return { ...carved, prefixLength: carved.subnet!.length };
}

/**
 * The SIZE oned gives an IP6_STATIC or IP4_6_STATIC AR that has none: the rest of the
 * PREFIX_LENGTH subnet from IP6 on, counted in the low 64 bits (`AddressRange::init_ipv6_static`;
 * a /64 or shorter counts to 2^64 - 1). oned derives it after the reply, from the reply, so the
 * reply carries the same number and the book records the range oned will hold.
 */
function onedStaticSize(ip6: bigint, prefixLength: number | undefined): bigint {
  const shownIp6 = FAMILIES.ipv6.format(ip6);
  if (prefixLength === undefined)
    throw bad(`SIZE is missing for IP6 ${shownIp6}, and so is PREFIX_LENGTH, from which oned would derive it`);
  const low = ip6 & ((1n << 64n) - 1n);
  const whole = prefixLength <= 64 ? (1n << 64n) - 1n : 1n << BigInt(128 - prefixLength);
  const mask = prefixLength <= 64 ? whole : whole - 1n;
  const size = whole - (low & mask);
  if (size > field.MAX_SIZE) {
    throw bad(
      `SIZE is missing for IP6 ${shownIp6}: oned would make it ${size} (the rest of the /${prefixLength}), more than the ${field.MAX_SIZE} addresses an AR can index; give SIZE`,
    );
  }
  return size;
}

/**
 * IP6 and IP4_6 ranges without GLOBAL_PREFIX are delegated a /64 from an IPv6 pool, if there is
 * one. A side without a pool (a prefix outside every pool) has no block: it takes no space.
 */
function slaacSide(book: Book, config: Config, ar: Attributes): Side | undefined {
  const given = field.slaacPrefix(ar, 'GLOBAL_PREFIX');
  const ula = field.slaacPrefix(ar, 'ULA_PREFIX');
  const named = field.text(ar, 'IPAM_POOL6');
  if (given !== undefined) {
    // A /64 is a prefix, not a run of addresses: only its place is checked. Only a prefix inside
    // a pool is recorded; outside the pools, ARs may share a prefix with different MACs.
    const span = { first: given, last: given + SLAAC_SIZE - 1n };
    const pool = choosePool(config, 'ipv6', named, span, 'IPAM_POOL6');
    // Outside the pools the prefix takes no space, but it still pins the range (core/engine/locate.ts).
    if (!pool) return outsidePools(config, 'ipv6', given, 'GLOBAL_PREFIX');
    checkClearOfRanges(book, 'ipv6', span, 'register');
    checkInsidePool(pool, span);
    return { first: given, pool, block: span };
  }
  const pool = choosePool(config, 'ipv6', named, undefined, 'IPAM_POOL6');
  if (!pool) {
    // oned takes a SLAAC AR with no prefix (its VMs get link-local addresses only). With no IPv6
    // pool configured that is what the operator chose; beside IPv6 pools it is a forgotten
    // IPAM_POOL6, and a range registered that way would hand out no routable address, silently.
    const pools6 = config.pools.filter((p) => p.family === 'ipv6').map((p) => p.name);
    if (ula === undefined && pools6.length) {
      throw bad(
        `TYPE ${field.text(ar, 'TYPE') ?? 'IP6'} has no GLOBAL_PREFIX and no IPv6 pool to delegate a /64 from (name one with IPAM_POOL6: ${pools6.join(', ')}; or mark one "default" in ${config.source})`,
      );
    }
    return undefined;
  }
  if (pool.subnetPrefix !== undefined && pool.subnetPrefix !== 64) {
    throw bad(`pool ${shown(pool.name)} carves /${pool.subnetPrefix} subnets, but SLAAC (TYPE IP6, IP4_6) needs a /64`);
  }
  const base = firstFreeBlock(takenSpace(book, config, 'ipv6'), prefixInterval(pool.network), SLAAC_SIZE, SLAAC_SIZE);
  if (base === undefined) throw exhausted(pool, 'a /64');
  return {
    first: base,
    pool,
    subnet: { family: 'ipv6', base, length: 64 },
    block: { first: base, last: base + SLAAC_SIZE - 1n },
  };
}

function carvedSide(book: Book, config: Config, pool: Pool, size: bigint | undefined): Side & { size: bigint } {
  if (size === undefined && pool.subnetPrefix === undefined) {
    throw bad(`SIZE is missing, and pool ${shown(pool.name)} has no subnetPrefix to size the range by`);
  }
  const length = pool.subnetPrefix ?? pool.network.length;
  const capacity = subnetCapacity(pool, length);
  if (size !== undefined && size > capacity) {
    // Not "exhausted": no amount of freeing would make room, so say what is wrong with the request.
    throw bad(
      `SIZE ${size} does not fit a /${length} of pool ${shown(pool.name)}, which holds at most ${capacity} usable address${capacity === 1n ? '' : 'es'}`,
    );
  }
  const carved = carve(pool, takenSpace(book, config, pool.family), size);
  if (!carved)
    throw exhausted(
      pool,
      size === undefined ? `a /${pool.subnetPrefix}` : `room for ${size} address${size === 1n ? '' : 'es'}`,
    );
  return { first: carved.first, size: carved.size, pool, subnet: carved.subnet, block: prefixInterval(carved.subnet) };
}

/** An explicit range: clear of every other range and, when it falls in a pool, placed by the pool's rules. */
function explicitSide(
  book: Book,
  config: Config,
  family: Family,
  span: Interval,
  named: string | undefined,
  attribute: string,
): Side {
  checkClearOfRanges(book, family, span, 'register');
  const pool = choosePool(config, family, named, span, attribute);
  if (!pool) return outsidePools(config, family, span.first, family === 'ipv4' ? 'IP' : 'IP6');
  return { first: span.first, pool, subnet: subnetInPool(pool, span, 'register'), block: span };
}

/** A side in no pool: recorded as given, unless the config wants every address in a pool. */
function outsidePools(config: Config, family: Family, first: bigint, attribute: string): Side {
  if (config.refuseOutsidePools) {
    const pools =
      config.pools
        .filter((p) => p.family === family)
        .map((p) => `${p.name} ${formatPrefix(p.network)}`)
        .join(', ') || 'none';
    throw bad(
      `${attribute} ${FAMILIES[family].format(first)} lies in no ${family} pool of ${config.source}, which sets refuseOutsidePools (pools: ${pools})`,
    );
  }
  return { first };
}

/** The user's AR with the driver's changes, then what the pools add where the user gave nothing. */
function replyAttributes(
  ar: Attributes,
  set: Map<string, string>,
  side4: Side | undefined,
  side6: Side | undefined,
  id: string,
): [string, string][] {
  const reply = new Map<string, string>(ar);
  for (const [key, value] of set) reply.set(key, value);
  const add = (key: string, value: string | undefined) => {
    if (value !== undefined && (reply.get(key) ?? '') === '') reply.set(key, value);
  };
  const pools = [side4?.pool, side6?.pool].filter((p): p is Pool => p !== undefined);
  if (side4?.pool && side4.subnet) {
    add('NETWORK_ADDRESS', FAMILIES.ipv4.format(side4.subnet.base));
    add('NETWORK_MASK', ipv4Netmask(side4.subnet.length));
    const gateway = gatewayOf(side4.pool, side4.subnet);
    add('GATEWAY', gateway === undefined ? undefined : FAMILIES.ipv4.format(gateway));
  }
  if (side6?.pool && side6.subnet) {
    const gateway = gatewayOf(side6.pool, side6.subnet);
    add('GATEWAY6', gateway === undefined ? undefined : FAMILIES.ipv6.format(gateway));
  }
  const dns = [...new Set(pools.flatMap((p) => p.dns))];
  add('DNS', dns.length ? dns.join(' ') : undefined);
  add('GUEST_MTU', pools.find((p) => p.mtu !== undefined)?.mtu?.toString());
  add('SEARCH_DOMAIN', pools.find((p) => p.searchDomain !== undefined)?.searchDomain);
  add('IPAM_POOL', side4?.pool?.name);
  add('IPAM_POOL6', side6?.pool?.name);
  reply.set(field.RANGE_ID_ATTRIBUTE, id);
  return [...reply];
}

function bad(why: string): IpamError {
  return new IpamError('bad-request', `Cannot register the range: ${why}`);
}

function exhausted(pool: Pool, what: string): IpamError {
  const { format } = FAMILIES[pool.family];
  return new IpamError(
    'exhausted',
    `Cannot carve ${what} from pool ${shown(pool.name)} (${format(pool.network.base)}/${pool.network.length}): no free space left`,
  );
}
