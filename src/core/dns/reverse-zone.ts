/**
 * Reverse zones for any prefix, and the PTR name of an address in one.
 *
 * IPv4 from /0 to /24: octet zones (`2.0.192.in-addr.arpa`); a prefix between octet boundaries
 * (a /20) is served by the set of zones of the next longer boundary it spans (sixteen /24s).
 * IPv4 longer than /24: one RFC 2317 classless zone, named as section 4 of RFC 2317 and BIND's
 * examples do, `<first last octet>/<length>.<c>.<b>.<a>.in-addr.arpa` (e.g.
 * `0/26.2.0.192.in-addr.arpa`); the PTR name of an address in it is `<last octet>.<zone>`, which
 * the parent /24's operator makes reachable with CNAMEs (RFC 2317 section 4). IPv6: nibble
 * zones (`ip6.arpa`), rounded to the next nibble boundary the same way (a /50 is four /52s).
 */
import { FAMILIES, type Family } from '../address/family.ts';
import { prefixInterval, type Prefix } from '../address/prefix.ts';

export interface ReverseZone {
  /** The zone's name, lower case, without the final dot. */
  readonly name: string;
  /** The addresses whose PTR names lie in the zone. */
  readonly prefix: Prefix;
}

const V4_SUFFIX = 'in-addr.arpa';
const V6_SUFFIX = 'ip6.arpa';
const OCTET = /^(0|[1-9][0-9]{0,2})$/;
const NIBBLE = /^[0-9a-f]$/;

/** The zones that hold the PTR names of every address of `prefix`, in address order. */
export function reverseZoneFor(prefix: Prefix): ReverseZone[] {
  if (prefix.family === 'ipv4' && prefix.length > 24) {
    return [
      {
        name: `${Number(prefix.base & 255n)}/${prefix.length}.${octetLabels(prefix.base >> 8n, 3)}.${V4_SUFFIX}`,
        prefix,
      },
    ];
  }
  const step = prefix.family === 'ipv4' ? 8 : 4;
  const length = Math.ceil(prefix.length / step) * step;
  const bits = FAMILIES[prefix.family].bits;
  const size = 1n << BigInt(bits - length);
  const zones: ReverseZone[] = [];
  for (let base = prefix.base, n = 0; n < 1 << (length - prefix.length); n++, base += size) {
    const zonePrefix: Prefix = { family: prefix.family, base, length };
    zones.push({ name: zoneNameOf(zonePrefix), prefix: zonePrefix });
  }
  return zones;
}

/** The PTR name of `address` in `zone`, or undefined when the address is not the zone's. */
export function ptrName(address: bigint, zone: ReverseZone): string | undefined {
  const { first, last } = prefixInterval(zone.prefix);
  if (address < first || address > last) return undefined;
  if (zone.prefix.family === 'ipv4' && zone.prefix.length > 24) return `${Number(address & 255n)}.${zone.name}`;
  return fullReverseName(zone.prefix.family, address);
}

/** `5.2.0.192.in-addr.arpa`, or the 32 nibbles of an IPv6 address under ip6.arpa. */
export function fullReverseName(family: Family, address: bigint): string {
  return family === 'ipv4' ? `${octetLabels(address, 4)}.${V4_SUFFIX}` : `${nibbleLabels(address, 32)}.${V6_SUFFIX}`;
}

/**
 * The zone a name stands for, when it is a reverse zone written the way `reverseZoneFor` writes
 * them (for a zone the config names): up to four octet or 32 nibble labels, or one classless
 * first label `BASE/LENGTH` (25 to 32, BASE aligned) over three octets.
 */
export function parseReverseZone(name: string): ReverseZone | undefined {
  if (name === V4_SUFFIX || name.endsWith(`.${V4_SUFFIX}`)) {
    const labels = name === V4_SUFFIX ? [] : name.slice(0, -V4_SUFFIX.length - 1).split('.');
    const classless = /^(0|[1-9][0-9]{0,2})\/([0-9]{2})$/.exec(labels[0] ?? '');
    if (classless && labels.length === 4) {
      const octets = octetsOf(labels.slice(1));
      const low = Number(classless[1]);
      const length = Number(classless[2]);
      if (octets === undefined || low > 255 || length < 25 || length > 32 || low % (1 << (32 - length)) !== 0)
        return undefined;
      return { name, prefix: { family: 'ipv4', base: (octets << 8n) | BigInt(low), length } };
    }
    const octets = labels.length <= 4 ? octetsOf(labels) : undefined;
    if (octets === undefined) return undefined;
    return {
      name,
      prefix: { family: 'ipv4', base: octets << BigInt(32 - 8 * labels.length), length: 8 * labels.length },
    };
  }
  if (name === V6_SUFFIX || name.endsWith(`.${V6_SUFFIX}`)) {
    const labels = name === V6_SUFFIX ? [] : name.slice(0, -V6_SUFFIX.length - 1).split('.');
    if (labels.length > 32 || !labels.every((l) => NIBBLE.test(l))) return undefined;
    let value = 0n;
    for (const label of [...labels].reverse()) value = (value << 4n) | BigInt(`0x${label}`);
    return {
      name,
      prefix: { family: 'ipv6', base: value << BigInt(128 - 4 * labels.length), length: 4 * labels.length },
    };
  }
  return undefined;
}

/**
 * The address a PTR owner name stands for: a full reverse name (four octets, 32 nibbles) or a
 * name in a classless zone (`<last octet>.<BASE>/<LENGTH>.<c>.<b>.<a>.in-addr.arpa`).
 */
export function addressOfPtrName(name: string): { family: Family; address: bigint } | undefined {
  const dot = name.indexOf('.');
  if (dot > 0) {
    const zone = parseReverseZone(name.slice(dot + 1));
    const last = name.slice(0, dot);
    if (zone?.prefix.family === 'ipv4' && zone.prefix.length > 24 && OCTET.test(last) && Number(last) <= 255) {
      const address = (zone.prefix.base & ~255n) | BigInt(last);
      return ptrName(address, zone) === name ? { family: 'ipv4', address } : undefined;
    }
  }
  const whole = parseReverseZone(name);
  if (!whole) return undefined;
  return whole.prefix.length === FAMILIES[whole.prefix.family].bits
    ? { family: whole.prefix.family, address: whole.prefix.base }
    : undefined;
}

function zoneNameOf(prefix: Prefix): string {
  const suffix = prefix.family === 'ipv4' ? V4_SUFFIX : V6_SUFFIX;
  const count = prefix.length / (prefix.family === 'ipv4' ? 8 : 4);
  if (count === 0) return suffix;
  const labels =
    prefix.family === 'ipv4'
      ? octetLabels(prefix.base >> BigInt(32 - prefix.length), count)
      : nibbleLabels(prefix.base >> BigInt(128 - prefix.length), count);
  return `${labels}.${suffix}`;
}

/** The low `count` octets of `value`, lowest first, dot separated. */
function octetLabels(value: bigint, count: number): string {
  const labels: string[] = [];
  for (let i = 0; i < count; i++) labels.push(String(Number((value >> BigInt(8 * i)) & 255n)));
  return labels.join('.');
}

function nibbleLabels(value: bigint, count: number): string {
  const labels: string[] = [];
  for (let i = 0; i < count; i++) labels.push(((value >> BigInt(4 * i)) & 15n).toString(16));
  return labels.join('.');
}

/** Octet labels (lowest first) as a number, most significant octet the last label. */
function octetsOf(labels: readonly string[]): bigint | undefined {
  let value = 0n;
  for (const label of [...labels].reverse()) {
    if (!OCTET.test(label) || Number(label) > 255) return undefined;
    value = (value << 8n) | BigInt(label);
  }
  return value;
}
