/**
 * Carving a subnet out of a pool (pure). The subnet is aligned, lies in the pool's free space,
 * and holds a run of SIZE usable addresses: not the network address, not the IPv4 broadcast,
 * not the gateway, not one of the pool's DNS servers.
 */
import { FAMILIES } from '../address/family.ts';
import { prefixInterval, prefixSize, type Prefix } from '../address/prefix.ts';
import type { Pool } from '../config/config.ts';
import { firstFreeBlock } from '../intervals/free-block.ts';
import type { Interval } from '../intervals/interval.ts';
import { union } from '../intervals/sorted.ts';
import { MAX_SIZE } from '../oned/ar-fields.ts';

export interface Carved {
  readonly subnet: Prefix;
  readonly gateway?: bigint;
  /** The first address of the range and its size: `first .. first+size-1` are all usable. */
  readonly first: bigint;
  readonly size: bigint;
}

/** The gateway address of a subnet under the pool's rule. */
export function gatewayOf(pool: Pool, subnet: Prefix): bigint | undefined {
  const { first, last } = prefixInterval(subnet);
  if (typeof pool.gateway === 'bigint') return pool.gateway > first && pool.gateway <= last ? pool.gateway : undefined;
  if (pool.gateway === 'none') return undefined;
  if (pool.gateway === 'first') return first + 1n;
  return pool.family === 'ipv4' ? last - 1n : last;
}

export type ReservedRole = 'network address' | 'broadcast address' | 'gateway' | 'DNS server';

/** Addresses of a subnet that are never part of a range, sorted, each once with why (its first role). */
export function reservedIn(pool: Pool, subnet: Prefix): { address: bigint; role: ReservedRole }[] {
  const span = prefixInterval(subnet);
  const reserved: { address: bigint; role: ReservedRole }[] = [{ address: span.first, role: 'network address' }];
  if (pool.family === 'ipv4') reserved.push({ address: span.last, role: 'broadcast address' });
  const gateway = gatewayOf(pool, subnet);
  if (gateway !== undefined) reserved.push({ address: gateway, role: 'gateway' });
  for (const server of pool.dns) {
    const value = FAMILIES[pool.family].parse(server);
    if (value !== undefined && value >= span.first && value <= span.last)
      reserved.push({ address: value, role: 'DNS server' });
  }
  // A DNS server listed twice, or on the gateway: one address, one reason (the sort is stable).
  reserved.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  return reserved.filter((r, i) => i === 0 || reserved[i - 1]!.address !== r.address);
}

function holdsDnsServer(pool: Pool, subnet: Prefix): boolean {
  return reservedIn(pool, subnet).some(({ role }) => role === 'DNS server');
}

/**
 * The most addresses a range can have in a subnet of `length` bits from `pool` (one without a
 * DNS server in it): what tells "SIZE can never fit" apart from "the pool is full".
 */
export function subnetCapacity(pool: Pool, length: number): bigint {
  const subnet: Prefix = { family: pool.family, base: 0n, length };
  const span = prefixInterval(subnet);
  let longest = 0n;
  let from = span.first;
  for (const { address } of [...reservedIn({ ...pool, dns: [] }, subnet), { address: span.last + 1n }]) {
    if (address - from > longest) longest = address - from;
    if (address + 1n > from) from = address + 1n;
  }
  return longest;
}

/**
 * The first run of usable addresses in `subnet`: of exactly `size` when given, else the whole
 * first run (capped at what an AR can hold).
 */
export function usableRun(
  pool: Pool,
  subnet: Prefix,
  size: bigint | undefined,
): { first: bigint; size: bigint } | undefined {
  const span = prefixInterval(subnet);
  const taken = union(reservedIn(pool, subnet).map(({ address }) => ({ first: address, last: address })));
  if (size !== undefined) {
    const first = firstFreeBlock(taken, span, size);
    return first === undefined ? undefined : { first, size };
  }
  const first = firstFreeBlock(taken, span, 1n);
  if (first === undefined) return undefined;
  const stop = taken.find((t) => t.first > first)?.first ?? span.last + 1n;
  const run = stop - first;
  return run > MAX_SIZE ? undefined : { first, size: run };
}

/**
 * Carves from `pool` avoiding `taken` (sorted, disjoint). With `pool.subnetPrefix`, subnets of
 * that length; otherwise the smallest subnet whose usable run holds `size`.
 */
export function carve(pool: Pool, taken: readonly Interval[], size: bigint | undefined): Carved | undefined {
  const bits = FAMILIES[pool.family].bits;
  const lengths: number[] = [];
  if (pool.subnetPrefix !== undefined) lengths.push(pool.subnetPrefix);
  else if (size !== undefined)
    for (let l = pool.family === 'ipv4' ? 30 : 127; l >= pool.network.length; l--) lengths.push(l);
  const poolSpan = prefixInterval(pool.network);

  for (const length of lengths) {
    const blockSize = 1n << BigInt(bits - length);
    if (size !== undefined && blockSize < size) continue;
    let within: Interval = poolSpan;
    for (;;) {
      const base = firstFreeBlock(taken, within, blockSize, blockSize);
      if (base === undefined) break;
      const subnet: Prefix = { family: pool.family, base, length };
      const run = usableRun(pool, subnet, size);
      if (run) {
        const gateway = gatewayOf(pool, subnet);
        return { subnet, ...(gateway === undefined ? {} : { gateway }), ...run };
      }
      // Every subnet of this length has the same network, broadcast and gateway addresses; only a
      // DNS server inside one can make it hold less. When this one has none, no other subnet of
      // this length can do better, and walking them all would cost what the pool is big.
      if (!holdsDnsServer(pool, subnet)) break;
      within = { first: base + prefixSize(subnet), last: poolSpan.last };
    }
  }
  return undefined;
}
