/** CIDR prefixes: parse strictly (no host bits), and the arithmetic carving needs. */
import type { Interval } from '../intervals/interval.ts';
import { FAMILIES, type Family } from './family.ts';

export interface Prefix {
  readonly family: Family;
  readonly base: bigint;
  readonly length: number;
}

export type PrefixParse = { ok: true; prefix: Prefix } | { ok: false; why: string };

export function parsePrefix(text: string): PrefixParse {
  const slash = text.indexOf('/');
  if (slash < 0) return { ok: false, why: 'is not a prefix (address/length)' };
  const addressText = text.slice(0, slash);
  const lengthText = text.slice(slash + 1);
  for (const family of ['ipv4', 'ipv6'] as const) {
    const ops = FAMILIES[family];
    const base = ops.parse(addressText);
    if (base === undefined) continue;
    if (!/^(0|[1-9][0-9]{0,2})$/.test(lengthText) || Number(lengthText) > ops.bits) {
      return { ok: false, why: `has a prefix length outside 0..${ops.bits}` };
    }
    const prefix: Prefix = { family, base, length: Number(lengthText) };
    const aligned = base & ~(prefixSize(prefix) - 1n);
    if (aligned !== base) {
      return { ok: false, why: `has host bits set (did you mean ${formatPrefix({ ...prefix, base: aligned })}?)` };
    }
    return { ok: true, prefix };
  }
  return { ok: false, why: 'does not start with an IPv4 or IPv6 address' };
}

export function prefixSize(prefix: Prefix): bigint {
  return 1n << BigInt(FAMILIES[prefix.family].bits - prefix.length);
}

export function prefixInterval(prefix: Prefix): Interval {
  return { first: prefix.base, last: prefix.base + prefixSize(prefix) - 1n };
}

export function formatPrefix(prefix: Prefix): string {
  return `${FAMILIES[prefix.family].format(prefix.base)}/${prefix.length}`;
}

/** The dotted netmask of an IPv4 prefix length, e.g. 24 -> 255.255.255.0. */
export function ipv4Netmask(length: number): string {
  const mask = ((1n << 32n) - 1n) ^ ((1n << BigInt(32 - length)) - 1n);
  return FAMILIES.ipv4.format(mask);
}

/** The smallest prefix of `family` that holds the whole interval. */
export function enclosingPrefix(family: Family, span: Interval): Prefix {
  const bits = FAMILIES[family].bits;
  let length = bits;
  while (length > 0 && span.first >> BigInt(bits - length) !== span.last >> BigInt(bits - length)) length--;
  const size = 1n << BigInt(bits - length);
  return { family, base: span.first & ~(size - 1n), length };
}
