/**
 * A book range made from an AR as `onevnet -x` prints it: how a lost book is rebuilt. It keeps
 * the AR's range id (oned sends it on every later action), and records the pool and the space
 * the range takes from it as register would have: a carved range's subnet is what its
 * NETWORK_ADDRESS/NETWORK_MASK (or IP6/PREFIX_LENGTH) say, when that subnet lies inside the pool,
 * clear of its excludes and smaller than the whole pool; otherwise just the range's addresses.
 */
import { FAMILIES, type Family } from '../address/family.ts';
import { prefixInterval, type Prefix } from '../address/prefix.ts';
import type { Lease, RangeRecord } from '../book/book.ts';
import { poolNamed, type Config, type Pool } from '../config/config.ts';
import { hasIPv4, isSlaac, isStatic6 } from '../oned/ar-fields.ts';
import { covers, overlaps, type Interval } from '../intervals/interval.ts';
import type { ArFields } from './ar-view-fields.ts';

/** A /64, the space an IP6 or IP4_6 range is delegated from an IPv6 pool. */
const SLAAC_SIZE = 1n << 64n;

export type Rebuilt = { readonly ok: true; readonly range: RangeRecord } | { readonly ok: false; readonly why: string };

export function rebuildRange(
  fields: ArFields,
  id: string,
  config: Config,
  leases: readonly Lease[],
  now: string,
): Rebuilt {
  const { type, size } = fields;
  if (type === undefined) return { ok: false, why: 'the AR has no TYPE' };
  if (size === undefined) return { ok: false, why: 'the AR has no SIZE' };
  if (hasIPv4(type) && fields.ip === undefined) return { ok: false, why: `the ${type} AR has no IP` };
  if (isStatic6(type) && (fields.ip6 === undefined || fields.prefixLength === undefined))
    return { ok: false, why: `the ${type} AR has no IP6 or PREFIX_LENGTH` };

  const range: { -readonly [K in keyof RangeRecord]: RangeRecord[K] } = { id, type, size, createdAt: now, leases };
  if (fields.mac !== undefined) range.mac = fields.mac;

  if (hasIPv4(type)) {
    const span = { first: fields.ip!, last: fields.ip! + size - 1n };
    if (span.last > FAMILIES.ipv4.max) return { ok: false, why: 'IP + SIZE runs past 255.255.255.255' };
    range.ip = fields.ip!;
    const pool = poolFor(config, 'ipv4', fields.pool, span);
    if (pool) {
      range.pool = pool.name;
      range.block = subnetBlock(pool, fields.network, span) ?? span;
    }
  }
  if (isStatic6(type)) {
    const span = { first: fields.ip6!, last: fields.ip6! + size - 1n };
    if (span.last > FAMILIES.ipv6.max) return { ok: false, why: 'IP6 + SIZE runs past the end of the IPv6 space' };
    range.ip6 = fields.ip6!;
    range.prefixLength = fields.prefixLength!;
    const pool = poolFor(config, 'ipv6', fields.pool6, span);
    if (pool) {
      const hostBits = (1n << BigInt(128 - fields.prefixLength!)) - 1n;
      range.pool6 = pool.name;
      range.block6 =
        subnetBlock(pool, { family: 'ipv6', base: fields.ip6! & ~hostBits, length: fields.prefixLength! }, span) ??
        span;
    }
  } else if (isSlaac(type) && fields.globalPrefix !== undefined) {
    // As register does: the /64 is recorded only when it was delegated from (or lies in) a pool.
    const span = { first: fields.globalPrefix, last: fields.globalPrefix + SLAAC_SIZE - 1n };
    const pool = poolFor(config, 'ipv6', fields.pool6, span);
    if (pool) {
      range.globalPrefix = fields.globalPrefix;
      range.pool6 = pool.name;
      range.block6 = span;
    }
  }
  return { ok: true, range };
}

/** The same range, taking only its own addresses: for when its subnet would touch another range. */
export function narrowed(range: RangeRecord): RangeRecord {
  const { block: _block, block6: _block6, ...rest } = range;
  const narrow: { -readonly [K in keyof RangeRecord]: RangeRecord[K] } = rest;
  if (range.block && range.ip !== undefined) narrow.block = { first: range.ip, last: range.ip + range.size - 1n };
  if (range.block6)
    narrow.block6 = range.ip6 !== undefined ? { first: range.ip6, last: range.ip6 + range.size - 1n } : range.block6;
  return narrow;
}

/** The pool the AR names when it holds the range, else the one whose network holds it. */
function poolFor(config: Config, family: Family, named: string | undefined, span: Interval): Pool | undefined {
  const holds = (pool: Pool | undefined) =>
    pool !== undefined && pool.family === family && covers(prefixInterval(pool.network), span);
  const byName = named === undefined ? undefined : poolNamed(config, named);
  if (holds(byName)) return byName;
  return config.pools.find((pool) => holds(pool));
}

function subnetBlock(pool: Pool, subnet: Prefix | undefined, span: Interval): Interval | undefined {
  if (!subnet || subnet.family !== pool.family) return undefined;
  const space = prefixInterval(subnet);
  const whole = subnet.length === pool.network.length && pool.subnetPrefix !== pool.network.length;
  if (whole || !covers(space, span) || !covers(prefixInterval(pool.network), space)) return undefined;
  if (pool.exclude.some((ex) => overlaps(prefixInterval(ex), space))) return undefined;
  return space;
}
