/** Reading typed values out of an AR's attributes, each failure naming the attribute and value. */
import { parseIPv4 } from '../address/ipv4.ts';
import { parseIPv6 } from '../address/ipv6.ts';
import { parseMac } from '../address/mac.ts';
import { AR_TYPES, type ArType } from '../book/book.ts';
import { IpamError, shown } from '../errors.ts';
import type { Attributes } from './attributes.ts';

/** OpenNebula stores SIZE as a 32-bit count; a whole IPv4 space is 2^32. */
export const MAX_SIZE = 1n << 32n;

/** The custom AR attribute that carries the range id through oned to every later action. */
export const RANGE_ID_ATTRIBUTE = 'NEBULA_IPAM_RANGE';

export function text(attrs: Attributes, name: string): string | undefined {
  const value = attrs.get(name);
  return value === undefined || value === '' ? undefined : value;
}

function parsed<T>(
  attrs: Attributes,
  name: string,
  parse: (t: string) => T | undefined,
  what: string,
  where: string,
): T | undefined {
  const value = text(attrs, name);
  if (value === undefined) return undefined;
  const result = parse(value);
  if (result === undefined)
    throw new IpamError('bad-request', `Cannot read ${where} ${name}: ${shown(value)} is not ${what}`, {
      subject: name,
      reason: `${shown(value)} is not ${what}`,
    });
  return result;
}

export function arType(attrs: Attributes, where = 'AR'): ArType | undefined {
  return parsed(
    attrs,
    'TYPE',
    (t) => AR_TYPES.find((type) => type === t.toUpperCase()),
    `one of ${AR_TYPES.join(', ')}`,
    where,
  );
}

export function ipv4(attrs: Attributes, name: string, where = 'AR'): bigint | undefined {
  return parsed(attrs, name, parseIPv4, 'an IPv4 address in dotted-quad form', where);
}

export function ipv6(attrs: Attributes, name: string, where = 'AR'): bigint | undefined {
  return parsed(attrs, name, parseIPv6, 'an IPv6 address', where);
}

export function mac(attrs: Attributes, name: string, where = 'AR'): bigint | undefined {
  return parsed(attrs, name, parseMac, 'a MAC address (xx:xx:xx:xx:xx:xx)', where);
}

export function size(attrs: Attributes, where = 'AR', max = MAX_SIZE): bigint | undefined {
  return parsed(
    attrs,
    'SIZE',
    (t) => (/^[1-9][0-9]{0,11}$/.test(t) && BigInt(t) <= max ? BigInt(t) : undefined),
    `a whole number from 1 to ${max}`,
    where,
  );
}

export function prefixLength(attrs: Attributes, where = 'AR'): number | undefined {
  return parsed(
    attrs,
    'PREFIX_LENGTH',
    (t) => (/^([1-9]?[0-9]|1[01][0-9]|12[0-8])$/.test(t) ? Number(t) : undefined),
    'a prefix length from 0 to 128',
    where,
  );
}

/** GLOBAL_PREFIX / ULA_PREFIX: the /64 that SLAAC addresses live in, written as an address. */
export function slaacPrefix(attrs: Attributes, name: string): bigint | undefined {
  return parsed(
    attrs,
    name,
    (t) => {
      const value = parseIPv6(t);
      return value !== undefined && (value & ((1n << 64n) - 1n)) === 0n ? value : undefined;
    },
    'an IPv6 /64 prefix such as "2001:db8::"',
    'AR',
  );
}

export function hasIPv4(type: ArType): boolean {
  return type === 'IP4' || type === 'IP4_6' || type === 'IP4_6_STATIC';
}

export function isStatic6(type: ArType): boolean {
  return type === 'IP6_STATIC' || type === 'IP4_6_STATIC';
}

export function isSlaac(type: ArType): boolean {
  return type === 'IP6' || type === 'IP4_6';
}
