/**
 * The book as JSON text. Addresses are written as text a person can read, indices and sizes as
 * numbers (an AR holds at most 2^32 addresses, well inside a double). Decoding checks every
 * field: a book of the wrong shape is refused, never half-used or reset.
 */
import { FAMILIES } from '../address/family.ts';
import { formatMac, parseMac } from '../address/mac.ts';
import { IpamError } from '../errors.ts';
import type { Interval } from '../intervals/interval.ts';
import { AR_TYPES, type ArType, type Book, type Lease, type RangeRecord } from './book.ts';

type Json = Record<string, unknown>;

export function encodeBook(book: Book): string {
  const ranges = book.ranges.map((r) => JSON.stringify(drop({
    id: r.id,
    type: r.type,
    size: Number(r.size),
    ip: r.ip === undefined ? undefined : FAMILIES.ipv4.format(r.ip),
    ip6: r.ip6 === undefined ? undefined : FAMILIES.ipv6.format(r.ip6),
    prefixLength: r.prefixLength,
    mac: r.mac === undefined ? undefined : formatMac(r.mac),
    globalPrefix: r.globalPrefix === undefined ? undefined : FAMILIES.ipv6.format(r.globalPrefix),
    pool: r.pool,
    pool6: r.pool6,
    block: r.block && [FAMILIES.ipv4.format(r.block.first), FAMILIES.ipv4.format(r.block.last)],
    block6: r.block6 && [FAMILIES.ipv6.format(r.block6.first), FAMILIES.ipv6.format(r.block6.last)],
    unmanaged: r.unmanaged,
    createdAt: r.createdAt,
    requestId: r.requestId,
    leases: r.leases.map((l) => drop({
      from: Number(l.first),
      to: Number(l.last),
      holder: l.holder,
      owner: l.owner,
      note: l.note,
      mac: l.mac === undefined ? undefined : formatMac(l.mac),
      requestId: l.requestId,
      at: l.at,
    })),
  })));
  // One range per line: a person can read and diff the file; the head stays small.
  return `{"schema":1,"generation":${book.generation},"nextRangeId":${book.nextRangeId},"ranges":[${ranges.length ? `\n${ranges.join(',\n')}\n` : ''}]}\n`;
}

export function decodeBook(text: string, location: string): Book {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw corrupt(location, `it is not valid JSON (${(error as Error).message})`);
  }
  const r = new Reader(location);
  const doc = r.object(raw, '(top)');
  if (doc.schema !== 1) throw corrupt(location, `schema is ${JSON.stringify(doc.schema)}; this nebula-ipam reads schema 1`);
  return {
    schema: 1,
    generation: r.count(doc.generation, 'generation'),
    nextRangeId: r.count(doc.nextRangeId, 'nextRangeId'),
    ranges: r.list(doc.ranges, 'ranges').map((entry, i) => decodeRange(r, entry, `ranges[${i}]`)),
  };
}

function decodeRange(r: Reader, raw: unknown, at: string): RangeRecord {
  const o = r.object(raw, at);
  const type = AR_TYPES.find((t) => t === o.type);
  if (!type) throw r.fail(`${at}.type`, o.type);
  const size = BigInt(r.count(o.size, `${at}.size`));
  const leases = r.list(o.leases, `${at}.leases`).map((entry, i) => decodeLease(r, entry, `${at}.leases[${i}]`, size));
  for (let i = 1; i < leases.length; i++) if (leases[i]!.first <= leases[i - 1]!.last) throw r.fail(`${at}.leases[${i}].from`, Number(leases[i]!.first));
  return drop({
    id: r.text(o.id, `${at}.id`),
    type: type as ArType,
    size,
    ip: r.optional(o.ip, `${at}.ip`, FAMILIES.ipv4.parse),
    ip6: r.optional(o.ip6, `${at}.ip6`, FAMILIES.ipv6.parse),
    prefixLength: o.prefixLength === undefined ? undefined : r.count(o.prefixLength, `${at}.prefixLength`),
    mac: r.optional(o.mac, `${at}.mac`, parseMac),
    globalPrefix: r.optional(o.globalPrefix, `${at}.globalPrefix`, FAMILIES.ipv6.parse),
    pool: o.pool === undefined ? undefined : r.text(o.pool, `${at}.pool`),
    pool6: o.pool6 === undefined ? undefined : r.text(o.pool6, `${at}.pool6`),
    block: o.block === undefined ? undefined : r.interval(o.block, `${at}.block`, FAMILIES.ipv4.parse),
    block6: o.block6 === undefined ? undefined : r.interval(o.block6, `${at}.block6`, FAMILIES.ipv6.parse),
    unmanaged: o.unmanaged === undefined ? undefined : o.unmanaged === true,
    createdAt: r.text(o.createdAt, `${at}.createdAt`),
    requestId: o.requestId === undefined ? undefined : r.text(o.requestId, `${at}.requestId`),
    leases,
  }) as RangeRecord;
}

function decodeLease(r: Reader, raw: unknown, at: string, size: bigint): Lease {
  const o = r.object(raw, at);
  const first = BigInt(r.count(o.from, `${at}.from`));
  const last = BigInt(r.count(o.to, `${at}.to`));
  if (last < first || last >= size) throw r.fail(`${at}.to`, o.to);
  if (o.holder !== 'opennebula' && o.holder !== 'operator') throw r.fail(`${at}.holder`, o.holder);
  return drop({
    first,
    last,
    holder: o.holder,
    owner: o.owner === undefined ? undefined : r.text(o.owner, `${at}.owner`),
    note: o.note === undefined ? undefined : r.text(o.note, `${at}.note`),
    mac: r.optional(o.mac, `${at}.mac`, parseMac),
    requestId: o.requestId === undefined ? undefined : r.text(o.requestId, `${at}.requestId`),
    at: r.text(o.at, `${at}.at`),
  }) as Lease;
}

/** Field readers that fail with the path of the bad field and its value. */
class Reader {
  constructor(private readonly location: string) {}
  fail(path: string, value: unknown): IpamError {
    return corrupt(this.location, `${path} is ${JSON.stringify(value)?.slice(0, 60)}, which is not valid there`);
  }
  object(value: unknown, path: string): Json {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw this.fail(path, value);
    return value as Json;
  }
  list(value: unknown, path: string): unknown[] {
    if (!Array.isArray(value)) throw this.fail(path, value);
    return value;
  }
  count(value: unknown, path: string): number {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw this.fail(path, value);
    return value;
  }
  text(value: unknown, path: string): string {
    if (typeof value !== 'string') throw this.fail(path, value);
    return value;
  }
  optional(value: unknown, path: string, parse: (t: string) => bigint | undefined): bigint | undefined {
    if (value === undefined) return undefined;
    const parsed = typeof value === 'string' ? parse(value) : undefined;
    if (parsed === undefined) throw this.fail(path, value);
    return parsed;
  }
  interval(value: unknown, path: string, parse: (t: string) => bigint | undefined): Interval {
    const pair = this.list(value, path);
    const first = this.optional(pair[0], `${path}[0]`, parse);
    const last = this.optional(pair[1], `${path}[1]`, parse);
    if (pair.length !== 2 || first === undefined || last === undefined || last < first) throw this.fail(path, value);
    return { first, last };
  }
}

export function corrupt(location: string, why: string): IpamError {
  return new IpamError(
    'store-corrupt',
    `Cannot read the lease book ${location}: ${why}. It was left untouched; inspect it, or bring back the previous generation with \`nebula-ipam restore\` (or copy ${location}.prev over it)`,
  );
}

/** Leaves out undefined fields, so optional properties stay absent rather than undefined. */
function drop<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) if (value[key] === undefined) delete value[key];
  return value;
}
