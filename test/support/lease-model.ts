/**
 * A deliberately naive reference model of the engine, for `test/unit/core/engine/engine-model.test.ts`.
 * It shares no logic with `src/`: it reads the parsed pools as plain data and redoes, as simply
 * as it can, what each action must do. Leases are a map of leased index -> holder (never a list
 * of every address of a range: a range may hold 2^32 of them).
 *
 * Extension point for operator lease/release (issue 4): leases already carry a holder, and
 * `free` only takes back 'opennebula' ones; an operator op adds/removes 'operator' entries here
 * and gets a handler next to the others in the test's HANDLERS table.
 *
 * Issue 8: the config may change between steps (a DNS server or another gateway rule added to a
 * pool), and the addresses a range's subnet then reserves are never leased; get_address goes
 * round-robin from a per-range cursor; unregister keeps each operator lease as an unmanaged
 * range of its one address.
 */
import type { Family } from '../../src/core/address/family.ts';
import type { Holder } from '../../src/core/book/book.ts';
import type { Config, Pool } from '../../src/core/config/config.ts';
import type { ErrorKind } from '../../src/core/errors.ts';
import type { OnedAr } from './driver-harness.ts';

export interface Span {
  readonly first: bigint;
  readonly last: bigint;
}

export const MAX: Readonly<Record<Family, bigint>> = { ipv4: (1n << 32n) - 1n, ipv6: (1n << 128n) - 1n };
const BITS: Readonly<Record<Family, bigint>> = { ipv4: 32n, ipv6: 128n };

export interface ModelRange {
  readonly id: string;
  /** The AR oned sends back; replaced when `onevnet updatear` changes SIZE. */
  ar: OnedAr;
  readonly type: string;
  readonly size: bigint;
  /** First IPv4 address (IPv4-bearing types) and first static IPv6 address. */
  readonly ip?: bigint;
  readonly ip6?: bigint;
  /** Space no other range may take, per family: the carved subnet or the range itself. */
  readonly footprint: Partial<Record<Family, Span>>;
  /** SIZE as oned now sends it. */
  sentSize: bigint;
  readonly leases: Map<bigint, Holder>;
  /** The pool of each side, and the subnet when carved (else the pool subnet around the range, today). */
  readonly sides: Partial<Record<Family, Side>>;
  /** Where get_address looks first: one past the last block it picked. */
  next: bigint;
  /** An operator lease kept by unregister: oned never sends its AR. */
  readonly unmanaged?: boolean;
  /**
   * oned's count (USED_LEASES) and the book's at the last request that changed the book, and the
   * indices freed since the two last agreed, which get_address must not hand out (issue 15 item 6).
   */
  counts?: { used: bigint; held: bigint };
  heldBack: Set<bigint>;
  /** The block the last get_address offered, and oned's count then: not grown since means oned refused it. */
  offered?: { first: bigint; count: bigint; used: bigint };
}

/** What a request's USED_LEASES makes of a range, committed only when the request succeeds. */
export interface Settle {
  readonly counts: { used: bigint; held: bigint };
  readonly heldBack: Set<bigint>;
  /** The leases with a refused offer dropped. */
  readonly leases: Map<bigint, Holder>;
}

export interface Side {
  readonly pool: string;
  readonly subnet?: Span;
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; kind: ErrorKind };
const fail = (kind: ErrorKind): { ok: false; kind: ErrorKind } => ({ ok: false, kind });

const overlapsSpan = (a: Span, b: Span) => a.first <= b.last && b.first <= a.last;
const coversSpan = (outer: Span, inner: Span) => outer.first <= inner.first && inner.last <= outer.last;

export function prefixSpan(family: Family, base: bigint, length: number): Span {
  return { first: base, last: base + (1n << (BITS[family] - BigInt(length))) - 1n };
}

export function poolSpan(pool: Pool): Span {
  return prefixSpan(pool.family, pool.network.base, pool.network.length);
}

/** Network, broadcast (IPv4), gateway and DNS addresses of a subnet. */
export function reservedOf(pool: Pool, subnet: Span, withDns = true): bigint[] {
  const found = [subnet.first];
  if (pool.family === 'ipv4') found.push(subnet.last);
  if (typeof pool.gateway === 'bigint' && pool.gateway > subnet.first && pool.gateway <= subnet.last)
    found.push(pool.gateway);
  if (pool.gateway === 'first') found.push(subnet.first + 1n);
  if (pool.gateway === 'last') found.push(pool.family === 'ipv4' ? subnet.last - 1n : subnet.last);
  if (withDns) {
    for (const text of pool.dns) {
      const value = pool.family === 'ipv4' ? dottedToBig(text) : undefined;
      if (value !== undefined && value >= subnet.first && value <= subnet.last) found.push(value);
    }
  }
  return [...new Set(found)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function dottedToBig(text: string): bigint | undefined {
  const parts = text.split('.');
  return parts.length === 4 ? parts.reduce((n, p) => n * 256n + BigInt(p), 0n) : undefined;
}

/** The gaps between reserved addresses of a subnet, in order. */
function gaps(subnet: Span, reserved: readonly bigint[]): Span[] {
  const found: Span[] = [];
  let from = subnet.first;
  for (const r of [...reserved, subnet.last + 1n]) {
    if (r > from) found.push({ first: from, last: r - 1n });
    if (r + 1n > from) from = r + 1n;
  }
  return found;
}

/** The subnet of `subnetPrefix` bits holding the whole span, else the pool's network. */
function around(pool: Pool, span: Span): Span {
  if (pool.subnetPrefix !== undefined) {
    const blockSize = 1n << (BITS[pool.family] - BigInt(pool.subnetPrefix));
    const base = (span.first / blockSize) * blockSize;
    if (span.last <= base + blockSize - 1n) return { first: base, last: base + blockSize - 1n };
  }
  return poolSpan(pool);
}

export class LeaseModel {
  readonly ranges: ModelRange[] = [];
  /** Ids of ranges that were unregistered: oned may still send them. */
  readonly gone: ModelRange[] = [];
  private nextId = 1;
  /** A deliberately wrong model (the first free block, as before issue 8), to show the check can fail. */
  mutantFirstFree = false;
  /** Another wrong model: freed addresses handed out again whatever oned's count says (before issue 15 item 6). */
  mutantHeldBack = false;

  /** Replaced when a step edits the pools. */
  constructor(public config: Config) {}

  /**
   * Indices of a range its pools now reserve: the network, broadcast, gateway and DNS
   * addresses of its subnet under today's config. (Excludes never change in the sequences, and
   * every range was placed clear of them.)
   */
  blocked(range: ModelRange): Set<bigint> {
    const found = new Set<bigint>();
    for (const family of ['ipv4', 'ipv6'] as const) {
      const side = range.sides[family];
      const start = family === 'ipv4' ? range.ip : range.ip6;
      const pool = side && this.config.pools.find((p) => p.name === side.pool);
      if (!side || !pool || start === undefined) continue;
      const subnet = side.subnet ?? around(pool, { first: start, last: start + range.size - 1n });
      for (const address of reservedOf(pool, subnet))
        if (address >= start && address < start + range.size) found.add(address - start);
    }
    return found;
  }

  /** Leased or reserved: not to be handed out. */
  unavailable(range: ModelRange, index: bigint): boolean {
    return range.leases.has(index) || this.blocked(range).has(index);
  }

  /**
   * The request says oned holds `used` addresses of the range: when the book holds as many for
   * oned, nothing freed earlier can still be oned's, and nothing is held back any more.
   */
  static settle(range: ModelRange, used: bigint): Settle {
    const leases = new Map(range.leases);
    const heldBack = new Set(range.heldBack);
    const offer = range.offered;
    let before = 0n;
    for (const holder of leases.values()) if (holder === 'opennebula') before++;
    if (offer && used === offer.used && used + offer.count === before) {
      // oned's count did not grow: it refused the offer. Dropped, and held back (it may hold it).
      let dropped = false;
      for (let i = offer.first; i < offer.first + offer.count; i++) {
        if (leases.get(i) !== 'opennebula') continue;
        leases.delete(i);
        dropped = true;
      }
      if (dropped) for (let i = offer.first; i < offer.first + offer.count; i++) heldBack.add(i);
    }
    let held = 0n;
    for (const holder of leases.values()) if (holder === 'opennebula') held++;
    if (used <= held) heldBack.clear();
    return { counts: { used, held }, heldBack, leases };
  }

  static commit(range: ModelRange, settle: Settle): void {
    range.counts = settle.counts;
    range.heldBack = settle.heldBack;
    range.leases.clear();
    for (const [index, holder] of settle.leases) range.leases.set(index, holder);
    delete range.offered;
  }

  /** After the request's own change of `delta` leases for oned: oned's count follows the book's. */
  static follow(range: ModelRange, delta: bigint): void {
    // oned's count is never below 0.
    if (range.counts)
      range.counts = {
        used: range.counts.used + delta < 0n ? 0n : range.counts.used + delta,
        held: range.counts.held + delta,
      };
  }

  /** The range as the request sees it once its count settled. */
  static settled(range: ModelRange, settle: Settle): ModelRange {
    return { ...range, leases: settle.leases, heldBack: settle.heldBack };
  }

  private takenBy(family: Family, span: Span): boolean {
    return this.ranges.some((r) => r.footprint[family] !== undefined && overlapsSpan(r.footprint[family]!, span));
  }

  private excluded(pool: Pool, span: Span): boolean {
    return pool.exclude.some((ex) => overlapsSpan(prefixSpan(pool.family, ex.base, ex.length), span));
  }

  /**
   * An explicit side: inside the family, clear of other ranges, and if in a pool, inside one of
   * its subnets (when it has subnetPrefix) and clear of that subnet's special addresses.
   */
  explicitSide(family: Family, span: Span): ErrorKind | undefined {
    if (span.last > MAX[family]) return 'bad-request';
    if (this.takenBy(family, span)) return 'conflict';
    const pool = this.poolAt(family, span);
    if (!pool) return undefined;
    if (!coversSpan(poolSpan(pool), span) || this.excluded(pool, span)) return 'conflict';
    let subnet = poolSpan(pool);
    if (pool.subnetPrefix !== undefined) {
      const blockSize = 1n << (BITS[family] - BigInt(pool.subnetPrefix));
      const candidate = {
        first: (span.first / blockSize) * blockSize,
        last: (span.first / blockSize) * blockSize + blockSize - 1n,
      };
      if (!coversSpan(candidate, span)) return 'conflict';
      subnet = candidate;
    }
    return reservedOf(pool, subnet).some((a) => a >= span.first && a <= span.last) ? 'conflict' : undefined;
  }

  /** The pool an explicit span falls into. */
  poolAt(family: Family, span: Span): Pool | undefined {
    return this.config.pools.find((p) => p.family === family && overlapsSpan(poolSpan(p), span));
  }

  /**
   * The next subnet a pool would carve for SIZE: the first aligned one clear of every range and
   * exclude with a gap of SIZE (or, without SIZE, its first gap whole). Walks subnets one by one.
   */
  carve(pool: Pool, size: bigint | undefined): Outcome<{ first: bigint; size: bigint; subnet: Span }> {
    const length = pool.subnetPrefix;
    if (length === undefined) throw new Error('the model carves only from pools with subnetPrefix');
    const blockSize = 1n << (BITS[pool.family] - BigInt(length));
    const cleanCapacity = gaps(
      { first: 0n, last: blockSize - 1n },
      reservedOf(pool, { first: 0n, last: blockSize - 1n }, false),
    ).reduce((m, g) => (g.last - g.first + 1n > m ? g.last - g.first + 1n : m), 0n);
    if (size !== undefined && size > cleanCapacity) return fail('bad-request');
    const whole = poolSpan(pool);
    for (let base = whole.first; base + blockSize - 1n <= whole.last; base += blockSize) {
      const subnet = { first: base, last: base + blockSize - 1n };
      if (this.takenBy(pool.family, subnet) || this.excluded(pool, subnet)) continue;
      for (const gap of gaps(subnet, reservedOf(pool, subnet))) {
        const length = gap.last - gap.first + 1n;
        if (size === undefined) return { ok: true, value: { first: gap.first, size: length, subnet } };
        if (length >= size) return { ok: true, value: { first: gap.first, size, subnet } };
      }
    }
    return fail('exhausted');
  }

  add(range: Omit<ModelRange, 'id' | 'leases' | 'sentSize' | 'next' | 'heldBack'>): ModelRange {
    const added: ModelRange = {
      ...range,
      id: `r${this.nextId++}`,
      sentSize: range.size,
      leases: new Map(),
      next: 0n,
      heldBack: new Set(),
    };
    this.ranges.push(added);
    return added;
  }

  /**
   * Unregistered: oned may still send its AR, which must then find nothing. Each operator
   * lease (one address each in these sequences) stays, as an unmanaged range of that address.
   */
  remove(range: ModelRange): void {
    this.ranges.splice(this.ranges.indexOf(range), 1);
    this.gone.push(range);
    const kept = [...range.leases]
      .filter(([, holder]) => holder === 'operator')
      .map(([index]) => index)
      .sort((a, b) => (a < b ? -1 : 1));
    for (const index of kept) {
      const ip = range.ip === undefined ? undefined : range.ip + index;
      const ip6 = range.ip6 === undefined ? undefined : range.ip6 + index;
      const sides: Partial<Record<Family, Side>> = {};
      if (range.sides.ipv4 && ip !== undefined) sides.ipv4 = { pool: range.sides.ipv4.pool };
      if (range.sides.ipv6 && ip6 !== undefined) sides.ipv6 = { pool: range.sides.ipv6.pool };
      const added = this.add({
        ar: range.ar,
        type: ip !== undefined ? (ip6 !== undefined ? 'IP4_6_STATIC' : 'IP4') : 'IP6_STATIC',
        size: 1n,
        ...(ip === undefined ? {} : { ip }),
        ...(ip6 === undefined ? {} : { ip6 }),
        footprint: {
          ...(ip === undefined ? {} : { ipv4: { first: ip, last: ip } }),
          ...(ip6 === undefined ? {} : { ipv6: { first: ip6, last: ip6 } }),
        },
        sides,
        unmanaged: true,
      });
      added.leases.set(0n, 'operator');
    }
  }

  /** The ranges and leases as they are now, to come back by `restore`. */
  snapshot(): ModelRange[] {
    return this.ranges.map((r) => ({
      ...r,
      leases: new Map(r.leases),
      heldBack: new Set(r.heldBack),
      ...(r.offered ? { offered: { ...r.offered } } : {}),
    }));
  }

  /**
   * `restore --yes`: the ranges and leases of an earlier snapshot come back; the id counter does
   * not (it never goes back), and neither does what oned holds: its ranges registered since (ids
   * above the snapshot's counter, clear of the ranges that come back) stay, and
   * its leases taken since stay where the snapshot has the address free. Ranges that come back
   * keep what oned's AR is now (updatear is not undone by the book), and the cursor as it is now.
   */
  restore(previous: readonly ModelRange[], previousNextRangeId: number): void {
    const back = previous.map((old) => {
      const now = this.ranges.find((r) => r.id === old.id);
      const leases = new Map(old.leases);
      if (now)
        for (const [index, holder] of now.leases)
          if (holder === 'opennebula' && !leases.has(index)) leases.set(index, holder);
      const gone = now ?? this.gone.find((r) => r.id === old.id);
      // What oned told about its count is not undone either.
      const counted = now
        ? {
            next: now.next,
            heldBack: new Set(now.heldBack),
            ...(now.counts ? { counts: now.counts } : {}),
            ...(now.offered ? { offered: now.offered } : {}),
          }
        : {};
      const { counts: _oldCounts, offered: _oldOffer, ...kept } = old;
      return { ...(now ? kept : old), leases, ...(gone ? { ar: gone.ar, sentSize: gone.sentSize } : {}), ...counted };
    });
    const ids = new Set(back.map((r) => r.id));
    // Registered since: an id the previous counter had not handed out, clear of every range that comes back.
    const since = (r: ModelRange) => !r.unmanaged && Number(r.id.slice(1)) >= previousNextRangeId;
    const clear = (r: ModelRange) =>
      back.every((b) =>
        (['ipv4', 'ipv6'] as const).every(
          (f) => !r.footprint[f] || !b.footprint[f] || !overlapsSpan(r.footprint[f], b.footprint[f]),
        ),
      );
    const kept = this.ranges.filter((r) => !ids.has(r.id) && since(r) && clear(r));
    const lost = this.ranges.filter((r) => !ids.has(r.id) && !kept.includes(r));
    const stillGone = this.gone.filter((r) => !ids.has(r.id));
    this.ranges.splice(0, this.ranges.length, ...back, ...kept);
    this.gone.splice(0, this.gone.length, ...stillGone, ...lost);
  }

  /** Indices oned's AR still allows: SIZE as sent, never past the registered range. */
  static allowed(range: ModelRange): bigint {
    return range.sentSize < range.size ? range.sentSize : range.size;
  }

  /**
   * Round-robin: the start of `count` free indices that comes first going round from the cursor
   * (wrapping to 0 at the end of what oned's AR allows). A block starts at the cursor, at 0, or
   * just after an unavailable index; each candidate is tried by looking at every taken index.
   */
  nextFree(range: ModelRange, count: bigint): bigint | undefined {
    const limit = LeaseModel.allowed(range);
    const cursor = this.mutantFirstFree || range.next >= limit ? 0n : range.next;
    const taken = [...range.leases.keys(), ...this.blocked(range), ...(this.mutantHeldBack ? [] : range.heldBack)];
    const distance = (s: bigint) => (s >= cursor ? s - cursor : s + limit);
    const starts = [cursor, 0n, ...taken.map((i) => i + 1n)].sort((a, b) =>
      distance(a) < distance(b) ? -1 : distance(a) > distance(b) ? 1 : 0,
    );
    for (const s of starts) {
      if (s + count > limit) continue;
      if (!taken.some((t) => t >= s && t < s + count)) return s;
    }
    return undefined;
  }
}
