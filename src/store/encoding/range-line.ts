/**
 * One range as JSON: `{"id":...,<header fields>,"leases":<packed>}`, a line of the book file
 * (codec.ts, book-lines.ts), and, without `leases`, the header the etcd store keeps apart from
 * its windows of leases (etcd-layout.ts). Addresses are text a person can read, indices and
 * sizes numbers (an AR holds at most 2^32 addresses, well inside a double), leases packed into
 * one short string (lease-packing.ts). Decoding checks every field it hands out.
 *
 * The header decoder reads every range of the book on every action (the footprints of all
 * ranges are checked for overlaps), so it is written for speed: one JSON.parse of the header's
 * text, fields checked and assigned in one fixed order (one object shape per set of fields), paths
 * for error messages put together only on failure.
 */
import { FAMILIES } from '../../core/address/family.ts';
import { formatMac, parseMac } from '../../core/address/mac.ts';
import { AR_TYPES, type Lease, type OnedCount, type RangeRecord } from '../../core/book/book.ts';
import { unknownFieldsOf } from './book-format.ts';
import { leasesKeyAt, LEASES_KEY, textOf, type BookSource } from './book-lines.ts';
import { decodedRange, type Origin, type RangeHeader } from './deferred-leases.ts';
import type { Json, Reader } from './field-reader.ts';
import { packLeases, unpackLeases } from './lease-packing.ts';

export type { RangeHeader };
type Writable<T> = { -readonly [K in keyof T]: T[K] };

const { ipv4, ipv6 } = FAMILIES;

/** The range fields this release knows; any other is a newer release's, kept in `unknownFields`. */
const KNOWN_RANGE_KEYS: ReadonlySet<string> = new Set([
  ...'id type size ip ip6 prefixLength mac globalPrefix ulaPrefix pool pool6 block block6'.split(' '),
  ...'unmanaged owner driver next oned createdAt requestId leases'.split(' '),
]);

/** An AR holds at most 2^32 addresses (OpenNebula keeps SIZE in 32 bits plus one). */
const MAX_RANGE_SIZE = 2 ** 32;

export function encodeRangeLine(r: RangeRecord): string {
  // `id` first and `leases` last: book-lines.ts reads the id, and the header as everything
  // before `leases`; a newer release's fields go just before `leases`. JSON.stringify leaves
  // out the fields that are undefined.
  return JSON.stringify({ ...headerFields(r), leases: packLeases(r.leases, r.mac) });
}

/** A range without its leases, as JSON text: how the etcd store keeps a range's header apart from its leases. */
export function encodeRangeHeader(r: RangeRecord): string {
  return JSON.stringify(headerFields(r));
}

function headerFields(r: RangeRecord): Json {
  return {
    id: r.id,
    type: r.type,
    size: Number(r.size),
    ip: r.ip === undefined ? undefined : ipv4.format(r.ip),
    ip6: r.ip6 === undefined ? undefined : ipv6.format(r.ip6),
    prefixLength: r.prefixLength,
    mac: r.mac === undefined ? undefined : formatMac(r.mac),
    globalPrefix: r.globalPrefix === undefined ? undefined : ipv6.format(r.globalPrefix),
    ulaPrefix: r.ulaPrefix === undefined ? undefined : ipv6.format(r.ulaPrefix),
    pool: r.pool,
    pool6: r.pool6,
    block: r.block && [ipv4.format(r.block.first), ipv4.format(r.block.last)],
    block6: r.block6 && [ipv6.format(r.block6.first), ipv6.format(r.block6.last)],
    unmanaged: r.unmanaged,
    owner: r.owner,
    driver: r.driver,
    next: r.nextIndex ? Number(r.nextIndex) : undefined,
    oned: r.oned && encodeOnedCount(r.oned),
    createdAt: r.createdAt,
    requestId: r.requestId,
    // Fields a record made in code might carry under a name this release writes itself are not kept.
    ...(r.unknownFields && unknownFieldsOf(r.unknownFields, KNOWN_RANGE_KEYS)),
  };
}

/** Lines of range JSON in one source (the book file's bytes, an etcd value): line i is [starts[i], ends[i]). */
export interface RangeLines {
  readonly source: BookSource;
  readonly reader: Reader;
  readonly starts: readonly number[];
  readonly ends: readonly number[];
  /** The id line i must have (an etcd value's, from its key); without, the one the line starts with. */
  readonly ids?: readonly string[];
  /** How errors name line i: `ranges[3]`, an etcd key. */
  at(index: number): string;
}

/**
 * Range `index` of `lines` (a line encodeRangeLine wrote): its header decoded and checked now,
 * its leases when first read (deferred-leases.ts). The header is everything before `,"leases":`:
 * looked for in the first `window` bytes of the line read as text (one string search; no search
 * of the bytes, which costs more per line), and in the bytes of the whole line when it is not
 * there. Tests pass a window of 0 for the search of the bytes alone: both find the same header.
 */
export function decodeRangeLine(lines: RangeLines, index: number, window = HEADER_WINDOW): RangeRecord {
  const { source, reader: r } = lines;
  const start = lines.starts[index]!;
  const end = lines.ends[index]!;
  const stop = Math.min(end, start + window);
  const opening = textOf(source, start, stop);
  // With characters beyond ASCII in the header, `key` counts characters, fewer than the bytes:
  // the leases then look longer than they are, and wait for their first read (harmless).
  let key = opening.indexOf(LEASES_KEY);
  let header = key < 0 ? undefined : opening.slice(0, key);
  if (header === undefined) {
    const at = leasesKeyAt(source, { start, end });
    if (at >= 0) {
      header = textOf(source, start, at);
      key = at - start;
    }
  }
  let raw: unknown;
  try {
    if (header === undefined) throw new Error('no leases');
    raw = JSON.parse(`${header}}`);
  } catch {
    throw r.fail(lines.at(index), textOf(source, start, end));
  }
  const decoded = decodeRangeHeader(r, raw, lines.at(index));
  // JSON lets a key repeat (the last one counts): the id the line starts with must be the one decoded.
  const id = lines.ids?.[index] ?? plainIdOf(header as string);
  if (id !== undefined && decoded.id !== id) throw r.fail(lines.at(index), decoded.id, 'id');
  // No leases (`""`, a range nobody leased from yet) costs nothing to unpack now.
  return decodedRange(decoded, new LineOrigin(lines, index), end - 1 - (start + key + LEASES_KEY.length) > 2);
}

/** Bytes of a line read as text to find its header in: a header as the encoder writes it is ~150-300. */
const HEADER_WINDOW = 320;
const ID_KEY = '{"id":"';
/** Longer ids are read by decoding the header, like ids with escapes. */
const PLAIN_ID_MAX = 64;

/** `r12` from a header starting `{"id":"r12",`; undefined when it is written any other way (escapes, a long id). */
function plainIdOf(header: string): string | undefined {
  if (!header.startsWith(ID_KEY)) return undefined;
  const quote = header.indexOf('"', ID_KEY.length);
  if (quote < 0 || quote - ID_KEY.length > PLAIN_ID_MAX || header.charCodeAt(quote + 1) !== 44) return undefined;
  const id = header.slice(ID_KEY.length, quote);
  return id.includes('\\') ? undefined : id;
}

/**
 * A range's line: where its leases are unpacked from, and the bytes it is written back as. Two
 * fields: a book of thousands of ranges keeps one per range as long as the book lives.
 */
export class LineOrigin implements Origin {
  constructor(
    readonly lines: RangeLines,
    readonly index: number,
  ) {}

  leasesOf(header: RangeHeader): readonly Lease[] {
    const { source, reader } = this.lines;
    const at = this.lines.at(this.index);
    const line = { start: this.lines.starts[this.index]!, end: this.lines.ends[this.index]! };
    const text = textOf(source, leasesKeyAt(source, line) + LEASES_KEY.length, line.end - 1);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw reader.fail(at, text, 'leases');
    }
    return decodeLeases(reader, value, at, header);
  }
}

/** A range's header from its parsed JSON, every field checked. */
export function decodeRangeHeader(r: Reader, raw: unknown, at: string): RangeHeader {
  const o = r.object(raw, at);
  const id = r.text(o.id, at, 'id');
  const type = o.type as RangeRecord['type'];
  if (!AR_TYPES.includes(type)) throw r.fail(at, o.type, 'type');
  const count = r.count(o.size, at, 'size');
  if (count < 1 || count > MAX_RANGE_SIZE) throw r.fail(at, o.size, 'size');
  const size = BigInt(count);
  const h = { id, type, size } as Writable<RangeHeader>;
  // How many of the object's keys were read (id, type, size, createdAt so far): an object with
  // more holds fields of a newer release, looked for only then (the look costs more than the rest).
  let read = 4;
  if (o.ip !== undefined) {
    read++;
    h.ip = r.address(o.ip, ipv4.parse, at, 'ip');
    if (h.ip + size - 1n > ipv4.max) throw r.fail(at, o.size, 'size');
  }
  if (o.ip6 !== undefined) {
    read++;
    h.ip6 = r.address(o.ip6, ipv6.parse, at, 'ip6');
    if (h.ip6 + size - 1n > ipv6.max) throw r.fail(at, o.size, 'size');
  }
  if (o.prefixLength !== undefined) {
    read++;
    h.prefixLength = r.count(o.prefixLength, at, 'prefixLength');
    if (h.prefixLength > 128) throw r.fail(at, o.prefixLength, 'prefixLength');
  }
  if (o.mac !== undefined) {
    read++;
    h.mac = r.address(o.mac, parseMac, at, 'mac');
  }
  if (o.globalPrefix !== undefined) {
    read++;
    h.globalPrefix = r.address(o.globalPrefix, ipv6.parse, at, 'globalPrefix');
  }
  if (o.ulaPrefix !== undefined) {
    read++;
    h.ulaPrefix = r.address(o.ulaPrefix, ipv6.parse, at, 'ulaPrefix');
  }
  if (o.pool !== undefined) {
    read++;
    h.pool = r.text(o.pool, at, 'pool');
  }
  if (o.pool6 !== undefined) {
    read++;
    h.pool6 = r.text(o.pool6, at, 'pool6');
  }
  if (o.block !== undefined) {
    read++;
    h.block = r.interval(o.block, ipv4.parse, at, 'block');
  }
  if (o.block6 !== undefined) {
    read++;
    h.block6 = r.interval(o.block6, ipv6.parse, at, 'block6');
  }
  if (o.unmanaged !== undefined) {
    read++;
    if (typeof o.unmanaged !== 'boolean') throw r.fail(at, o.unmanaged, 'unmanaged');
    h.unmanaged = o.unmanaged;
  }
  if (o.owner !== undefined) {
    read++;
    h.owner = r.text(o.owner, at, 'owner');
  }
  // Books written before the driver was recorded have none: unknown, not an error.
  if (o.driver !== undefined) {
    read++;
    h.driver = r.text(o.driver, at, 'driver');
  }
  // The round-robin cursor; books written before it existed have none and start at 0.
  if (o.next !== undefined) {
    read++;
    const next = r.count(o.next, at, 'next');
    if (next > count) throw r.fail(at, o.next, 'next');
    if (next > 0) h.nextIndex = BigInt(next);
  }
  // Books written before the driver read USED_LEASES have none: nothing seen yet.
  if (o.oned !== undefined) {
    read++;
    h.oned = decodeOnedCount(r, o.oned, `${at}.oned`, size);
  }
  h.createdAt = r.text(o.createdAt, at, 'createdAt');
  if (o.requestId !== undefined) {
    read++;
    h.requestId = r.text(o.requestId, at, 'requestId');
  }
  // A whole book's range objects hold their leases too (codec.ts decodeWhole).
  if (o.leases !== undefined) read++;
  if (Object.keys(o).length > read) {
    const unknownFields = unknownFieldsOf(o, KNOWN_RANGE_KEYS);
    if (unknownFields) h.unknownFields = unknownFields;
  }
  return h;
}

/** `{"used":3,"held":2,"since":"...","heldBack":[[1,1]],"offered":[4,4,3]}`; heldBack and offered only when there are some. */
function encodeOnedCount(count: OnedCount): Json {
  return {
    used: Number(count.used),
    held: Number(count.held),
    since: count.since,
    heldBack: count.heldBack.length ? count.heldBack.map((span) => [Number(span.first), Number(span.last)]) : undefined,
    offered: count.offered && [Number(count.offered.first), Number(count.offered.last), Number(count.offered.used)],
  };
}

function decodeOnedCount(r: Reader, raw: unknown, at: string, size: bigint): OnedCount {
  const o = r.object(raw, at);
  const index = (value: unknown, path: string) => {
    const n = BigInt(r.count(value, path));
    if (n >= size) throw r.fail(path, value);
    return n;
  };
  const heldBack =
    o.heldBack === undefined
      ? []
      : r.list(o.heldBack, at, 'heldBack').map((pair, i) => {
          const path = `${at}.heldBack[${i}]`;
          const [first, last, ...rest] = r.list(pair, path);
          const span = { first: index(first, `${path}[0]`), last: index(last, `${path}[1]`) };
          if (span.last < span.first || rest.length > 0) throw r.fail(path, pair);
          return span;
        });
  for (let i = 1; i < heldBack.length; i++)
    if (heldBack[i]!.first <= heldBack[i - 1]!.last + 1n)
      throw r.fail(`${at}.heldBack[${i}]`, Number(heldBack[i]!.first));
  const count: Writable<OnedCount> = {
    used: BigInt(r.count(o.used, at, 'used')),
    held: BigInt(r.count(o.held, at, 'held')),
    since: r.text(o.since, at, 'since'),
    heldBack,
  };
  if (o.offered !== undefined) {
    const [first, last, used, ...rest] = r.list(o.offered, at, 'offered');
    const offered = {
      first: index(first, `${at}.offered[0]`),
      last: index(last, `${at}.offered[1]`),
      used: BigInt(r.count(used, `${at}.offered[2]`)),
    };
    if (offered.last < offered.first || rest.length > 0) throw r.fail(at, o.offered, 'offered');
    count.offered = offered;
  }
  return count;
}

/** A range's leases: the packed string this codec writes, or a list of lease objects (earlier books, hand-written ones). */
export function decodeLeases(r: Reader, value: unknown, at: string, header: RangeHeader): readonly Lease[] {
  if (typeof value === 'string')
    return unpackLeases(value, header.size, header.mac, (path, bad) => r.fail(at, bad, path));
  const leases = r
    .list(value, at, 'leases')
    .map((entry, i) => decodeLease(r, entry, `${at}.leases[${i}]`, header.size));
  for (let i = 1; i < leases.length; i++)
    if (leases[i]!.first <= leases[i - 1]!.last) throw r.fail(`${at}.leases[${i}]`, Number(leases[i]!.first), 'from');
  return leases;
}

function decodeLease(r: Reader, raw: unknown, at: string, size: bigint): Lease {
  const o = r.object(raw, at);
  const first = BigInt(r.count(o.from, at, 'from'));
  const last = BigInt(r.count(o.to, at, 'to'));
  if (last < first || last >= size) throw r.fail(at, o.to, 'to');
  if (o.holder !== 'opennebula' && o.holder !== 'operator') throw r.fail(at, o.holder, 'holder');
  const lease = { first, last, holder: o.holder } as Writable<Lease>;
  if (o.owner !== undefined) lease.owner = r.text(o.owner, at, 'owner');
  if (o.note !== undefined) lease.note = r.text(o.note, at, 'note');
  if (o.mac !== undefined) lease.mac = r.address(o.mac, parseMac, at, 'mac');
  if (o.requestId !== undefined) lease.requestId = r.text(o.requestId, at, 'requestId');
  lease.at = r.text(o.at, at, 'at');
  return lease;
}
