/**
 * The book as JSON text. Addresses are written as text a person can read, indices and sizes as
 * numbers (an AR holds at most 2^32 addresses, well inside a double), each range's leases packed
 * into one short string (`lease-packing.ts`), one range per line (`book-lines.ts`). Decoding
 * checks every field it hands out: a book of the wrong shape is refused, never half-used or reset.
 *
 * The book is rewritten whole on every change, so what an action pays grows with the book. Two
 * things keep that near the cost of moving its bytes: a range's leases are unpacked (and checked)
 * only when something reads them, which for a driver action is the one range it acts on; and a
 * range nobody changed is written back as the very bytes it was read from.
 */
import { FAMILIES, type Family } from '../../core/address/family.ts';
import { formatMac, parseMac } from '../../core/address/mac.ts';
import { IpamError } from '../../core/errors.ts';
import type { Interval } from '../../core/intervals/interval.ts';
import {
  AR_TYPES,
  type ArType,
  type Book,
  type Lease,
  type OnedCount,
  type RangeRecord,
} from '../../core/book/book.ts';
import { BOOK_FORMAT, checkWritable, KNOWN_BOOK_KEYS, readFormat, unknownFieldsOf } from './book-format.ts';
import { footprint } from '../../core/book/footprint.ts';
import {
  LEASES_KEY,
  leasesKeyAt,
  lineOf,
  sliceOf,
  splitBookLines,
  textOf,
  type BookLines,
  type BookSource,
  type RangeLine,
} from './book-lines.ts';
import { lazyOrigin, lazyRange, type LazyBook, type RangeHeader } from './lazy-range.ts';
import { packLeases, unpackLeases } from './lease-packing.ts';

type Json = Record<string, unknown>;

/** The decoders of a book read from `source`; lazyOrigin leads from its ranges back here. */
interface SourceBook extends LazyBook {
  readonly source: BookSource;
  readonly lines: BookLines;
}

/** The source book and index of a range decoded from a text by this codec (not by another decoder, e.g. etcd's). */
function sourceOrigin(range: RangeRecord): { book: SourceBook; index: number } | undefined {
  const lazy = lazyOrigin<SourceBook>(range);
  return lazy && 'lines' in lazy.book ? lazy : undefined;
}

export function encodeBook(book: Book, location = 'the lease book'): string {
  return encodeBookChunks(book, location)
    .map((chunk) => (typeof chunk === 'string' ? chunk : chunk.toString('utf8')))
    .join('');
}

/**
 * The book's text in pieces, to be written one after the other: a range decoded from a source and
 * not replaced since is its original bytes (neighbours in the source as one slice, no copy).
 */
export function encodeBookChunks(book: Book, location = 'the lease book'): (string | Buffer)[] {
  // A newer release's book is never rewritten: what it holds beyond this release's fields may matter.
  checkWritable(book, location);
  const head = `{"schema":1,"format":${BOOK_FORMAT},"generation":${book.generation},"nextRangeId":${book.nextRangeId},${membersOf(book.unknownFields)}"ranges":[`;
  // One range per line: a person can read and diff the file; the head stays small.
  if (book.ranges.length === 0) return [`${head}]}\n`];
  const chunks: (string | Buffer)[] = [`${head}\n`];
  let run: { source: BookSource; start: number; end: number } | undefined;
  const flush = () => {
    if (run) chunks.push(sliceOf(run.source, run.start, run.end));
    run = undefined;
  };
  book.ranges.forEach((range, i) => {
    const lazy = sourceOrigin(range);
    const origin = lazy && {
      source: lazy.book.source,
      start: lazy.book.lines.starts[lazy.index]!,
      end: lazy.book.lines.ends[lazy.index]!,
    };
    // The next line of the same source: the ",\n" between them is in the slice already.
    if (origin && run && origin.source === run.source && origin.start === run.end + 2) {
      run.end = origin.end;
      return;
    }
    flush();
    if (i > 0) chunks.push(',\n');
    if (origin) run = { ...origin };
    else chunks.push(encodeRange(range));
  });
  flush();
  chunks.push('\n]}\n');
  return chunks;
}

/** `"a":1,"b":2,`: fields kept from a newer release, in the order they were read. */
function membersOf(fields: Readonly<Record<string, unknown>> | undefined): string {
  if (fields === undefined) return '';
  let text = '';
  for (const key of Object.keys(fields)) {
    const value = JSON.stringify(fields[key]);
    if (value !== undefined && !KNOWN_BOOK_KEYS.has(key)) text += `${JSON.stringify(key)}:${value},`;
  }
  return text;
}

function encodeRange(r: RangeRecord): string {
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
    ip: r.ip === undefined ? undefined : FAMILIES.ipv4.format(r.ip),
    ip6: r.ip6 === undefined ? undefined : FAMILIES.ipv6.format(r.ip6),
    prefixLength: r.prefixLength,
    mac: r.mac === undefined ? undefined : formatMac(r.mac),
    globalPrefix: r.globalPrefix === undefined ? undefined : FAMILIES.ipv6.format(r.globalPrefix),
    ulaPrefix: r.ulaPrefix === undefined ? undefined : FAMILIES.ipv6.format(r.ulaPrefix),
    pool: r.pool,
    pool6: r.pool6,
    block: r.block && [FAMILIES.ipv4.format(r.block.first), FAMILIES.ipv4.format(r.block.last)],
    block6: r.block6 && [FAMILIES.ipv6.format(r.block6.first), FAMILIES.ipv6.format(r.block6.last)],
    unmanaged: r.unmanaged,
    owner: r.owner,
    driver: r.driver,
    next: r.nextIndex ? Number(r.nextIndex) : undefined,
    oned: r.oned && encodeOnedCount(r.oned),
    createdAt: r.createdAt,
    requestId: r.requestId,
    ...withoutKnown(r.unknownFields),
  };
}

/**
 * The book in `source` (the file's bytes, or its text), every field checked now: for whatever
 * reads the whole book, or takes one from outside (import, restore, the operator's views).
 */
export function decodeBook(source: BookSource, location: string, advice: string = RESTORE_ADVICE): Book {
  const book = decodeBookLazily(source, location, advice);
  for (const range of book.ranges) {
    void range.type;
    void range.leases;
  }
  return book;
}

/**
 * The book in `source` for a change to it (FileStore.update): the ids of all ranges checked now,
 * the rest of a range when something first reads it, and throwing then (so a change that reads a
 * broken range fails before anything is written); ranges nobody read go back byte for byte.
 */
export function decodeBookLazily(source: BookSource, location: string, advice: string = RESTORE_ADVICE): Book {
  const r = new Reader(location, advice);
  const lines = splitBookLines(source);
  const book = lines ? decodeLines(r, source, lines) : decodeWhole(r, textOf(source, 0, source.length));
  // Two ranges under one id, or an id the counter would hand out again, would let an action on
  // one range free another's leases.
  const seen = new Set<string>();
  for (let i = 0; i < book.ranges.length; i++) {
    // The ids the splitter read, without a trip through each range's Proxy.
    const id = lines?.ids[i] ?? book.ranges[i]!.id;
    if (seen.has(id)) throw r.fail(`ranges[${i}].id`, id);
    seen.add(id);
    if (COUNTED_ID.test(id) && Number(id.slice(1)) >= book.nextRangeId) throw r.fail('nextRangeId', book.nextRangeId);
  }
  return book;
}

/**
 * A range's footprint in one family (`footprint.ts`), read from the bytes of its line while the
 * range is still undecoded: checking every other range for an overlap (get_address does) would
 * otherwise decode every header, most of what a driver action on a big book costs. A range read
 * any other way, or a line with a missing, repeated or unreadable field, goes through the full
 * decoder (which refuses a broken line as it always does).
 */
export function quickFootprint(range: RangeRecord, family: Family): Interval | undefined {
  const lazy = sourceOrigin(range);
  const header = lazy && headerText(lazy.book, lazy.index);
  const quick = header === undefined ? undefined : scanFootprint(header, family);
  return quick === undefined ? footprint(range, family) : (quick ?? undefined);
}

/** The header of a range's line: everything before its leases. */
function headerText(book: SourceBook, index: number): string | undefined {
  const line = lineOf(book.lines, index);
  const key = leasesKeyAt(book.source, line);
  return key < 0 ? undefined : textOf(book.source, line.start, key);
}

const KEYS = {
  ipv4: { block: '"block":["', start: '"ip":"' },
  ipv6: { block: '"block6":["', start: '"ip6":"' },
} as const;

/** The footprint, `null` when the range has none in the family, undefined when the text is not plain. */
function scanFootprint(header: string, family: Family): Interval | null | undefined {
  const { parse } = FAMILIES[family];
  const keys = KEYS[family];
  const block = valueAt(header, keys.block, '"]');
  if (block === REPEATED) return undefined;
  if (block !== undefined) {
    const [from, to, ...rest] = block.value.split('","');
    const first = from === undefined ? undefined : parse(from);
    const last = to === undefined ? undefined : parse(to);
    return first === undefined || last === undefined || last < first || rest.length > 0 ? undefined : { first, last };
  }
  const start = valueAt(header, keys.start, '"');
  if (start === REPEATED) return undefined;
  if (start === undefined) return header.indexOf(keys.block.slice(0, -2)) >= 0 ? undefined : null;
  const size = valueAt(header, '"size":', ',');
  const first = parse(start.value);
  if (first === undefined || size === undefined || size === REPEATED || !/^[1-9][0-9]{0,9}$/.test(size.value))
    return undefined;
  return { first, last: first + BigInt(size.value) - 1n };
}

const REPEATED = Symbol('repeated');

/** The text after `key` up to `stop`, once in the header; REPEATED when the key is there twice. */
function valueAt(header: string, key: string, stop: string): { value: string } | typeof REPEATED | undefined {
  const at = header.indexOf(key);
  if (at < 0) return undefined;
  if (header.indexOf(key, at + 1) >= 0) return REPEATED;
  const from = at + key.length;
  const to = header.indexOf(stop, from);
  // An address (or a pair of them) is short; anything longer is not what the encoder writes.
  if (to < 0 || to - from > 100) return undefined;
  return { value: header.slice(from, to) };
}

/** The ids register hands out: r1, r2, ... */
const COUNTED_ID = /^r[1-9][0-9]*$/;

/** Any JSON of the book's shape, e.g. one reformatted by hand: everything decoded at once. */
function decodeWhole(r: Reader, text: string): Book {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw r.corrupt(`it is not valid JSON (${(error as Error).message})`);
  }
  const doc = r.object(raw, '(top)');
  if (doc.schema !== 1) throw r.corrupt(`schema is ${JSON.stringify(doc.schema)}; this nebula-ipam reads schema 1`);
  const format = readFormat(doc.format);
  if (format === undefined) throw r.fail('format', doc.format);
  const nextRangeId = r.count(doc.nextRangeId, 'nextRangeId');
  const ranges = r.list(doc.ranges, 'ranges').map((entry, i) => {
    const at = `ranges[${i}]`;
    const header = decodeRangeHeader(r, entry, at);
    return { ...header, leases: decodeLeases(r, (entry as Json).leases, at, header.size, header.mac) };
  });
  return bookOf(
    format,
    unknownFieldsOf(doc, KNOWN_BOOK_KEYS),
    r.count(doc.generation, 'generation'),
    nextRangeId,
    ranges,
  );
}

function bookOf(
  format: number,
  unknownFields: Json | undefined,
  generation: number,
  nextRangeId: number,
  ranges: readonly RangeRecord[],
): Book {
  return {
    schema: 1,
    generation,
    nextRangeId,
    ranges,
    ...(format > BOOK_FORMAT ? { newerFormat: format } : {}),
    ...(unknownFields ? { unknownFields } : {}),
  };
}

/** `fields` without the keys this release writes itself (a record made in code might carry them). */
function withoutKnown(fields: Readonly<Json> | undefined): Json | undefined {
  return fields && unknownFieldsOf(fields, KNOWN_RANGE_KEYS);
}

/**
 * The layout encodeBook writes: ids read now (every one is checked by decodeBook), each range's
 * header decoded and checked when the range is first used, its leases when they are first read.
 */
function decodeLines(r: Reader, source: BookSource, lines: BookLines): Book {
  const book: SourceBook = {
    source,
    lines,
    decodeHeader: (index) => decodeLineHeader(r, source, lineOf(lines, index), `ranges[${index}]`),
    decodeLeases: (index, header) => decodeLineLeases(r, source, lineOf(lines, index), `ranges[${index}]`, header),
  };
  const ranges = lines.ids.map((id, index) => lazyRange(book, index, id));
  return bookOf(lines.format ?? 1, lines.unknownFields, lines.generation, lines.nextRangeId, ranges);
}

function decodeLineHeader(r: Reader, source: BookSource, line: RangeLine, at: string): RangeHeader {
  const key = leasesKeyAt(source, line);
  let raw: unknown;
  try {
    if (key < 0) throw new Error('no leases');
    raw = JSON.parse(`${textOf(source, line.start, key)}}`);
  } catch {
    throw r.fail(at, textOf(source, line.start, line.end));
  }
  const header = decodeRangeHeader(r, raw, at);
  // JSON lets a key repeat (the last one counts): the id read from the line must be the one decoded.
  if (line.id !== undefined && header.id !== line.id) throw r.fail(`${at}.id`, header.id);
  return header;
}

function decodeLineLeases(
  r: Reader,
  source: BookSource,
  line: RangeLine,
  at: string,
  header: RangeHeader,
): readonly Lease[] {
  const text = textOf(source, leasesKeyAt(source, line) + LEASES_KEY.length, line.end - 1);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw r.fail(`${at}.leases`, text);
  }
  return decodeLeases(r, value, at, header.size, header.mac);
}

/** The range fields this release knows; any other is a newer release's, kept in `unknownFields`. */
const KNOWN_RANGE_KEYS: ReadonlySet<string> = new Set([
  'id',
  'type',
  'size',
  'ip',
  'ip6',
  'prefixLength',
  'mac',
  'globalPrefix',
  'ulaPrefix',
  'pool',
  'pool6',
  'block',
  'block6',
  'unmanaged',
  'owner',
  'driver',
  'next',
  'oned',
  'createdAt',
  'requestId',
  'leases',
]);

/** A range's header decoded from JSON (encodeRangeHeader's, parsed), every field checked; `at` names it in errors. */
export function decodeHeaderValue(raw: unknown, at: string, location: string): RangeHeader {
  return decodeRangeHeader(new Reader(location), raw, at);
}

/** Leases packed by `packLeases` for a range of `header`'s size and MAC, every field checked. */
export function decodePackedLeases(
  packed: string,
  at: string,
  location: string,
  header: RangeHeader,
): readonly Lease[] {
  return decodeLeases(new Reader(location), packed, at, header.size, header.mac);
}

/** An AR holds at most 2^32 addresses (OpenNebula keeps SIZE in 32 bits plus one). */
const MAX_RANGE_SIZE = 1n << 32n;

function decodeRangeHeader(r: Reader, raw: unknown, at: string): RangeHeader {
  const o = r.object(raw, at);
  const type = AR_TYPES.find((t) => t === o.type);
  if (!type) throw r.fail(`${at}.type`, o.type);
  const size = BigInt(r.count(o.size, `${at}.size`));
  if (size < 1n || size > MAX_RANGE_SIZE) throw r.fail(`${at}.size`, o.size);
  const ip = r.optional(o.ip, `${at}.ip`, FAMILIES.ipv4.parse);
  if (ip !== undefined && ip + size - 1n > FAMILIES.ipv4.max) throw r.fail(`${at}.size`, o.size);
  const ip6 = r.optional(o.ip6, `${at}.ip6`, FAMILIES.ipv6.parse);
  if (ip6 !== undefined && ip6 + size - 1n > FAMILIES.ipv6.max) throw r.fail(`${at}.size`, o.size);
  const prefixLength = o.prefixLength === undefined ? undefined : r.count(o.prefixLength, `${at}.prefixLength`);
  if (prefixLength !== undefined && prefixLength > 128) throw r.fail(`${at}.prefixLength`, prefixLength);
  if (o.unmanaged !== undefined && typeof o.unmanaged !== 'boolean') throw r.fail(`${at}.unmanaged`, o.unmanaged);
  // The round-robin cursor; books written before it existed have none and start at 0.
  const next = o.next === undefined ? undefined : BigInt(r.count(o.next, `${at}.next`));
  if (next !== undefined && next > size) throw r.fail(`${at}.next`, o.next);
  return drop({
    id: r.text(o.id, `${at}.id`),
    type: type as ArType,
    size,
    ip,
    ip6,
    prefixLength,
    mac: r.optional(o.mac, `${at}.mac`, parseMac),
    globalPrefix: r.optional(o.globalPrefix, `${at}.globalPrefix`, FAMILIES.ipv6.parse),
    ulaPrefix: r.optional(o.ulaPrefix, `${at}.ulaPrefix`, FAMILIES.ipv6.parse),
    pool: o.pool === undefined ? undefined : r.text(o.pool, `${at}.pool`),
    pool6: o.pool6 === undefined ? undefined : r.text(o.pool6, `${at}.pool6`),
    block: o.block === undefined ? undefined : r.interval(o.block, `${at}.block`, FAMILIES.ipv4.parse),
    block6: o.block6 === undefined ? undefined : r.interval(o.block6, `${at}.block6`, FAMILIES.ipv6.parse),
    unmanaged: o.unmanaged as boolean | undefined,
    owner: o.owner === undefined ? undefined : r.text(o.owner, `${at}.owner`),
    // Books written before the driver was recorded have none: unknown, not an error.
    driver: o.driver === undefined ? undefined : r.text(o.driver, `${at}.driver`),
    nextIndex: next === 0n ? undefined : next,
    // Books written before the driver read USED_LEASES have none: nothing seen yet.
    oned: o.oned === undefined ? undefined : decodeOnedCount(r, o.oned, `${at}.oned`, size),
    createdAt: r.text(o.createdAt, `${at}.createdAt`),
    requestId: o.requestId === undefined ? undefined : r.text(o.requestId, `${at}.requestId`),
    unknownFields: unknownFieldsOf(o, KNOWN_RANGE_KEYS),
  }) as RangeHeader;
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
      : r.list(o.heldBack, `${at}.heldBack`).map((pair, i) => {
          const path = `${at}.heldBack[${i}]`;
          const [first, last, ...rest] = r.list(pair, path);
          const span = { first: index(first, `${path}[0]`), last: index(last, `${path}[1]`) };
          if (span.last < span.first || rest.length > 0) throw r.fail(path, pair);
          return span;
        });
  for (let i = 1; i < heldBack.length; i++)
    if (heldBack[i]!.first <= heldBack[i - 1]!.last + 1n)
      throw r.fail(`${at}.heldBack[${i}]`, Number(heldBack[i]!.first));
  let offered: OnedCount['offered'];
  if (o.offered !== undefined) {
    const [first, last, used, ...rest] = r.list(o.offered, `${at}.offered`);
    offered = {
      first: index(first, `${at}.offered[0]`),
      last: index(last, `${at}.offered[1]`),
      used: BigInt(r.count(used, `${at}.offered[2]`)),
    };
    if (offered.last < offered.first || rest.length > 0) throw r.fail(`${at}.offered`, o.offered);
  }
  return {
    used: BigInt(r.count(o.used, `${at}.used`)),
    held: BigInt(r.count(o.held, `${at}.held`)),
    since: r.text(o.since, `${at}.since`),
    heldBack,
    ...(offered ? { offered } : {}),
  };
}

/** A range's leases: the packed string this codec writes, or a list of lease objects (earlier books, hand-written ones). */
function decodeLeases(r: Reader, value: unknown, at: string, size: bigint, mac: bigint | undefined): readonly Lease[] {
  if (typeof value === 'string') return unpackLeases(value, size, mac, (path, bad) => r.fail(`${at}.${path}`, bad));
  const leases = r.list(value, `${at}.leases`).map((entry, i) => decodeLease(r, entry, `${at}.leases[${i}]`, size));
  for (let i = 1; i < leases.length; i++)
    if (leases[i]!.first <= leases[i - 1]!.last) throw r.fail(`${at}.leases[${i}].from`, Number(leases[i]!.first));
  return leases;
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
  constructor(
    private readonly location: string,
    private readonly advice: string = RESTORE_ADVICE,
  ) {}
  corrupt(why: string): IpamError {
    return corrupt(this.location, why, this.advice);
  }
  fail(path: string, value: unknown): IpamError {
    return this.corrupt(`${path} is ${JSON.stringify(value)?.slice(0, 60)}, which is not valid there`);
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

/**
 * What to do about a damaged book is the backend's to say (where its previous generation is);
 * this is what holds for every backend. Never "copy the .prev file over it": that brings back
 * an older range-id counter, and ids would be handed out twice; `restore` keeps the counter.
 */
export const RESTORE_ADVICE = 'inspect it, or bring back the previous generation with `nebula-ipam restore`';

export function corrupt(location: string, why: string, advice: string = RESTORE_ADVICE): IpamError {
  return new IpamError(
    'store-corrupt',
    `Cannot read the lease book ${location}: ${why}. It was left untouched; ${advice}`,
    { subject: location, reason: why },
  );
}

/**
 * A copy without the fields that are undefined, so optional properties stay absent rather than
 * undefined (a copy, not `delete`, which would make V8 keep the object in slow dictionary mode).
 */
function drop<T extends object>(value: T): T {
  const kept = {} as T;
  for (const key in value) if (value[key] !== undefined) kept[key] = value[key];
  return kept;
}
