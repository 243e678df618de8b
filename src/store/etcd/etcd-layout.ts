/**
 * How a lease book lies in etcd, under one key prefix P (default `/nebula-ipam/<driver>`):
 *
 *   P/meta                    {"schema":2,"generation":G,"book":"<v>","previous":"<v>","writer":"<token>.<seq>"}
 *   P/meta@<v>                a generation's head: {"format":F,"generation":G,"nextRangeId":N,"ranges":[["r1","<v>"],...]}
 *   P/range/<id>@<v>          a range without its leases: {"window":W,"chunks":[[k,"<v>"],...],"range":{...}}
 *   P/range/<id>#<k>@<v>      the leases whose first index is in [k*W, (k+1)*W), packed (lease-packing.ts)
 *   P/audit/<token>.<seq>.0000   the audit records of one write (one record, or a list of them)
 *   P/holds@<v>               the book's holds (hold-entries.ts), when it has some: the head names
 *                             the version as `"holds":"<v>"`; a write that changes no hold names
 *                             the same one again, so a lease costs no holds bytes
 *
 * Values are never changed in place: a write puts new values under new version names
 * `<v>` = `<generation, base 36>.<writer tag>` (keys nobody reads yet), then `P/meta`, the one
 * commit point, which names the head of the new generation and keeps the one before as
 * `previous` (what `restore` brings back; it stays in etcd however far history is compacted).
 * `P/meta`'s mod_revision is the compare-and-swap fence of every write. A lease change puts the
 * one window of leases it changed (~6 bytes a lease, at most 4096 leases for ranges up to 2^20
 * addresses) and its range's header, not the whole range: a range of 100 000 leases is 32
 * values of ~24 KB, not one of 0.6 MB.
 *
 * A key is a value of this book when the current or the previous head names it; any other
 * versioned key is garbage of an interrupted write (or staging of a write in flight: those
 * carry a generation above the current one and are left alone); the next writer deletes the
 * rest. Range ids are URI-encoded in keys, so a key of ours never holds a further `/`, `@` or
 * `#`: a key under the prefix that is not of this grammar belongs to another book whose prefix
 * overlaps this one (`/nebula` and `/nebula/range`), and the book refuses to be used.
 *
 * Schema 1 (before chunked ranges): `P/meta` {"schema":1,...,"ranges":["r1",...]} and
 * `P/range/<id>` holding the range's whole line of the file book. It is read as it is and
 * rewritten in this layout by its next write, which keeps it as the previous generation.
 *
 * Reading the book is one range request [P/meta, P/range0): every head and range value at one
 * revision; a second one, [P/holds@, P/holds@~), at that revision only when a head names holds.
 * The holds key lies outside the first span on purpose: 0.2.0 reads only that span, so it never
 * sees the key (it would refuse or delete a key it does not know), and it keeps the head's
 * `holds` field as an unknown field on its writes.
 */
import { EMPTY_BOOK, type Book, type Lease, type RangeRecord } from '../../core/book/book.ts';
import { IpamError } from '../../core/errors.ts';
import { BOOK_FORMAT, KNOWN_BOOK_KEYS, readFormat, unknownFieldsOf } from '../encoding/book-format.ts';
import { decodedRange } from '../encoding/deferred-leases.ts';
import { Reader } from '../encoding/field-reader.ts';
import { decodeHolds, decodeVms, encodeVms } from '../encoding/hold-entries.ts';
import { unpackLeases } from '../encoding/lease-packing.ts';
import { idAtOrAboveCounter, rangeIdFloor } from '../encoding/range-id-floor.ts';
import { decodeRangeHeader, decodeRangeLine, type RangeHeader } from '../encoding/range-line.ts';
import type { KeyValue } from './etcd-client.ts';
import { prefixEnd } from './etcd-client.ts';

export function corrupt(location: string, why: string): IpamError {
  return new IpamError(
    'store-corrupt',
    `Cannot read the lease book ${location}: ${why}. It was left untouched; inspect it with etcdctl, or bring back the previous generation with \`nebula-ipam restore\``,
    { subject: location, reason: why },
  );
}

export interface Layout {
  readonly prefix: string;
  readonly meta: string;
  readonly rangePrefix: string;
  readonly auditPrefix: string;
  readonly holdsPrefix: string;
}

export function layoutOf(prefix: string): Layout {
  return {
    prefix,
    meta: `${prefix}/meta`,
    rangePrefix: `${prefix}/range/`,
    auditPrefix: `${prefix}/audit/`,
    holdsPrefix: `${prefix}/holds@`,
  };
}

/** The one request that reads the book: the pointer, every head and every range value. */
export function bookSpan(layout: Layout): { key: string; rangeEnd: string } {
  return { key: layout.meta, rangeEnd: prefixEnd(layout.rangePrefix) };
}

export function versionOf(generation: number, tag: string): string {
  return `${generation.toString(36)}.${tag}`;
}

export const headKey = (layout: Layout, version: string): string => `${layout.meta}@${version}`;
export const rangeKey = (layout: Layout, id: string, version: string): string =>
  `${layout.rangePrefix}${encodeURIComponent(id)}@${version}`;
export const chunkKey = (layout: Layout, id: string, chunk: number, version: string): string =>
  `${layout.rangePrefix}${encodeURIComponent(id)}#${chunk}@${version}`;
export const holdsKey = (layout: Layout, version: string): string => `${layout.holdsPrefix}${version}`;
export const legacyKey = (layout: Layout, id: string): string => `${layout.rangePrefix}${encodeURIComponent(id)}`;

const VERSION = '([0-9a-z]{1,11})\\.([0-9a-z]{1,24})';
const HEAD_NAME = new RegExp(`^${VERSION}$`);
const RANGE_NAME = new RegExp(`^([^/@#]+)(?:#(0|[1-9][0-9]{0,9}))?@${VERSION}$`);
const LEGACY_NAME = /^[^/@#]+$/;

/** What a key of the book's span is; `generation` is the one its version was written for. */
export type KeyKind =
  | { readonly kind: 'versioned'; readonly generation: number }
  | { readonly kind: 'legacy' }
  | { readonly kind: 'foreign' };

export function kindOf(layout: Layout, key: string): KeyKind {
  const versioned = key.startsWith(`${layout.meta}@`)
    ? layout.meta.length + 1
    : key.startsWith(layout.holdsPrefix)
      ? layout.holdsPrefix.length
      : 0;
  if (versioned > 0) {
    const m = HEAD_NAME.exec(key.slice(versioned));
    return m ? { kind: 'versioned', generation: parseInt(m[1]!, 36) } : { kind: 'foreign' };
  }
  if (!key.startsWith(layout.rangePrefix)) return { kind: 'foreign' };
  const name = key.slice(layout.rangePrefix.length);
  const m = RANGE_NAME.exec(name);
  if (m && decodes(m[1]!)) return { kind: 'versioned', generation: parseInt(m[3]!, 36) };
  return LEGACY_NAME.test(name) && decodes(name) ? { kind: 'legacy' } : { kind: 'foreign' };
}

function decodes(encoded: string): boolean {
  try {
    return encodeURIComponent(decodeURIComponent(encoded)) === encoded;
  } catch {
    return false;
  }
}

/** `P/meta`: which head is the book and which the previous generation. Schema 1 is its own head. */
export type Pointer =
  | {
      readonly schema: 2;
      readonly generation: number;
      readonly book: string;
      readonly previous?: string;
      readonly writer: string;
      /** The time of the newest audit record the write that made it committed (etcd-store.ts); absent before. */
      readonly audited?: string;
    }
  | { readonly schema: 1; readonly head: Head; readonly writer: string };

/** One generation: its counter and its ranges, each a version (or, schema 1, the range's one key). */
export interface Head {
  /** The book format of the release that wrote it (book-format.ts). */
  readonly format: number;
  /** Top-level fields a newer release wrote, kept as read. */
  readonly unknownFields?: Readonly<Record<string, unknown>>;
  readonly generation: number;
  readonly nextRangeId: number;
  readonly ranges: readonly { readonly id: string; readonly version?: string }[];
  /** The version of the book's holds (`P/holds@<v>`); absent when it has none. */
  readonly holds?: string;
  /** The head's `vms` as parsed (decoded with the book); absent when none. */
  readonly vms?: unknown;
  /** The key the head is stored under; none for a schema 1 book's own meta. */
  readonly key?: string;
  /** The text it was decoded from, for the range-id floor. */
  readonly text: string;
}

/** A range's header value, decoded as far as the layout needs. */
interface RangeValue {
  readonly window: number;
  readonly chunks: readonly (readonly [number, string])[];
  readonly range: unknown;
}

/** The book's keys as read at one revision. */
export interface Snapshot {
  readonly revision: string;
  /** Undefined when no book was ever written under the prefix. */
  readonly pointer?: { readonly kv: KeyValue; readonly value?: Pointer; readonly error?: string };
  /** Every other key of the span: heads and range values (and whatever else lies there). */
  readonly keys: ReadonlyMap<string, KeyValue>;
}

export function snapshotOf(layout: Layout, revision: string, kvs: readonly KeyValue[]): Snapshot {
  let pointer: Snapshot['pointer'];
  const keys = new Map<string, KeyValue>();
  for (const kv of kvs) {
    if (kv.key !== layout.meta) keys.set(kv.key, kv);
    else {
      try {
        pointer = { kv, value: parsePointer(kv.value.toString('utf8')) };
      } catch (error) {
        pointer = { kv, error: (error as Error).message };
      }
    }
  }
  return { revision, ...(pointer ? { pointer } : {}), keys };
}

const count = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const version = (v: unknown): v is string => typeof v === 'string' && HEAD_NAME.test(v);

function parsePointer(text: string): Pointer {
  const raw = JSON.parse(text) as Record<string, unknown>;
  if (raw.schema === 1) return { schema: 1, head: parseHead(raw, text, undefined), writer: String(raw.writer ?? '') };
  if (raw.schema !== 2)
    throw new Error(`schema is ${JSON.stringify(raw.schema)}; this nebula-ipam reads schemas 1 and 2`);
  if (!count(raw.generation)) throw new Error(`generation is ${JSON.stringify(raw.generation)}`);
  if (!version(raw.book)) throw new Error(`book is ${JSON.stringify(raw.book)}`);
  if (raw.previous !== undefined && !version(raw.previous))
    throw new Error(`previous is ${JSON.stringify(raw.previous)}`);
  return {
    schema: 2,
    generation: raw.generation,
    book: raw.book,
    ...(raw.previous === undefined ? {} : { previous: raw.previous as string }),
    writer: String(raw.writer ?? ''),
    ...(typeof raw.audited === 'string' ? { audited: raw.audited } : {}),
  };
}

function parseHead(raw: Record<string, unknown>, text: string, key: string | undefined): Head {
  if (!count(raw.generation)) throw new Error(`generation is ${JSON.stringify(raw.generation)}`);
  if (!count(raw.nextRangeId)) throw new Error(`nextRangeId is ${JSON.stringify(raw.nextRangeId)}`);
  const list = raw.ranges;
  if (!Array.isArray(list)) throw new Error(`ranges is ${JSON.stringify(list)?.slice(0, 60)}`);
  const ranges = list.map((entry: unknown) => {
    // Schema 1 lists ids; schema 2 [id, version].
    if (typeof entry === 'string') return { id: entry };
    if (Array.isArray(entry) && entry.length === 2 && typeof entry[0] === 'string' && version(entry[1]))
      return { id: entry[0], version: entry[1] };
    throw new Error(`ranges holds ${JSON.stringify(entry)?.slice(0, 60)}`);
  });
  const format = readFormat(raw.format);
  if (format === undefined) throw new Error(`format is ${JSON.stringify(raw.format)}`);
  const unknownFields = unknownFieldsOf(raw, HEAD_KEYS);
  if (raw.holds !== undefined && !version(raw.holds)) throw new Error(`holds is ${JSON.stringify(raw.holds)}`);
  return {
    format,
    ...(raw.holds === undefined ? {} : { holds: raw.holds as string }),
    ...(raw.vms === undefined ? {} : { vms: raw.vms }),
    generation: raw.generation,
    nextRangeId: raw.nextRangeId,
    ranges,
    text,
    ...(key === undefined ? {} : { key }),
    ...(unknownFields ? { unknownFields } : {}),
  };
}

/** A head's own fields: the book's (schema 1's meta adds `writer`); any other is a newer release's. */
const HEAD_KEYS: ReadonlySet<string> = new Set([...KNOWN_BOOK_KEYS, 'writer']);

/** A head's value: the fields of the book's own head (book-format.ts), its holds' version, then its ranges. */
export function headValue(
  book: Book,
  ranges: readonly (readonly [string, string])[] | readonly string[],
  holds?: string,
): string {
  const unknown = unknownFieldsOf(book.unknownFields ?? {}, HEAD_KEYS);
  return JSON.stringify({
    format: BOOK_FORMAT,
    generation: book.generation,
    nextRangeId: book.nextRangeId,
    ...unknown,
    ...(holds === undefined ? {} : { holds }),
    // VM names are few (one per NIC address) and change with VMs, not leases: inline in the head.
    ...(book.vms?.length ? { vms: JSON.parse(encodeVms(book.vms)) as unknown } : {}),
    ranges,
  });
}

/** The holds the head names, checked; undefined when it names none. */
function holdsOfHead(layout: Layout, snapshot: Snapshot, head: Head, reader: Reader, location: string) {
  if (head.holds === undefined) return undefined;
  const key = holdsKey(layout, head.holds);
  const kv = snapshot.keys.get(key);
  if (!kv) throw corrupt(location, `${head.key ?? layout.meta} names ${key}, which does not exist`);
  let value: unknown;
  try {
    value = parsedValue(kv);
  } catch (error) {
    throw corrupt(location, `${key} does not decode (${(error as Error).message})`);
  }
  const holds = decodeHolds(reader, value, key);
  return holds.length > 0 ? holds : undefined;
}

/** The head the pointer names (`book`, or `previous`); undefined when there is none (an empty prefix, or no previous yet). */
export function headOf(
  layout: Layout,
  snapshot: Snapshot,
  which: 'book' | 'previous',
  location: string,
): Head | undefined {
  const { pointer } = snapshot;
  if (!pointer) return undefined;
  if (!pointer.value) throw corrupt(location, `${layout.meta} does not decode (${pointer.error})`);
  const p = pointer.value;
  if (p.schema === 1) return which === 'book' ? p.head : undefined;
  const wanted = which === 'book' ? p.book : p.previous;
  if (wanted === undefined) return undefined;
  const key = headKey(layout, wanted);
  const kv = snapshot.keys.get(key);
  if (!kv) throw corrupt(location, `${layout.meta} names ${key}, which does not exist`);
  const text = kv.value.toString('utf8');
  try {
    return parseHead(JSON.parse(text) as Record<string, unknown>, text, key);
  } catch (error) {
    throw corrupt(location, `${key} does not decode (${(error as Error).message})`);
  }
}

/** How a range of this book is stored: what a write compares a changed range with to put only what changed. */
export interface StoredRange {
  readonly id: string;
  readonly version: string;
  readonly window: number;
  readonly chunks: ReadonlyMap<number, string>;
  /** The header as JSON text (the value's `range`, as it would be encoded again). */
  readonly header: string;
}

/**
 * The ranges' stored forms, by record: a record the change handed back is written back as the
 * same keys; and the version each holds list was read from, so an unchanged one is named again.
 */
export interface StoredForms {
  readonly ranges: WeakMap<RangeRecord, StoredRange>;
  readonly holds: WeakMap<object, string>;
}

/**
 * The book of `head`, decoded from its values: every range's header now, its leases from their
 * windows when first read (deferred-leases.ts), or at once unless `lazily` (for a change).
 * `stored` learns how each range is stored.
 */
export function bookOf(
  layout: Layout,
  snapshot: Snapshot,
  head: Head | undefined,
  location: string,
  lazily: boolean,
  stored: StoredForms,
): Book {
  // No book yet: versioned keys are a first write's, interrupted or in flight (refuseForeignKeys took any other).
  if (!head) return EMPTY_BOOK;
  const legacy = head.ranges.length > 0 && head.ranges.every((r) => r.version === undefined);
  const reader = new Reader(location);
  const seen = new Set<string>();
  const ranges = head.ranges.map((entry): RangeRecord => {
    if (seen.has(entry.id))
      throw corrupt(location, `${head.key ?? layout.meta} lists range ${JSON.stringify(entry.id)} twice`);
    seen.add(entry.id);
    if (idAtOrAboveCounter(entry.id, head.nextRangeId))
      throw corrupt(location, `range ${entry.id} is at or above nextRangeId ${head.nextRangeId}`);
    if (legacy) return legacyRange(layout, snapshot, head, entry.id, reader);
    if (entry.version === undefined)
      throw corrupt(location, `${head.key ?? layout.meta} mixes ranges of both schemas (${entry.id})`);
    const key = rangeKey(layout, entry.id, entry.version);
    const value = rangeValue(snapshot, key, location);
    const chunks = value.chunks.map(([k, v]) => {
      const at = chunkKey(layout, entry.id, k, v);
      const kv = snapshot.keys.get(at);
      if (!kv) throw corrupt(location, `${key} names ${at}, which does not exist`);
      return { index: k, key: at, packed: kv.value.toString('utf8') };
    });
    const header = decodeRangeHeader(reader, value.range, key);
    if (header.id !== entry.id) throw corrupt(location, `${key} holds range ${JSON.stringify(header.id)}`);
    // A range without leases has no windows: nothing to defer.
    const origin = { leasesOf: () => windowLeases(reader, chunks, value.window, header, location) };
    const range = decodedRange(header, origin, chunks.length > 0);
    stored.ranges.set(range, {
      id: entry.id,
      version: entry.version,
      window: value.window,
      chunks: new Map(value.chunks),
      header: JSON.stringify(value.range),
    });
    return range;
  });
  if (!lazily) for (const range of ranges) void range.leases;
  const holds = holdsOfHead(layout, snapshot, head, reader, location);
  if (holds) stored.holds.set(holds, head.holds!);
  const vms = head.vms === undefined ? undefined : decodeVms(reader, head.vms, `${head.key ?? layout.meta} vms`);
  return {
    schema: 1,
    generation: head.generation,
    nextRangeId: head.nextRangeId,
    ranges,
    ...(head.format > BOOK_FORMAT ? { newerFormat: head.format } : {}),
    ...(holds ? { holds } : {}),
    ...(vms?.length ? { vms } : {}),
    ...(head.unknownFields ? { unknownFields: head.unknownFields } : {}),
  };
}

/** A schema 1 range: its key holds the range's line of the file book, decoded as the file's codec decodes a line. */
function legacyRange(layout: Layout, snapshot: Snapshot, head: Head, id: string, reader: Reader): RangeRecord {
  const key = legacyKey(layout, id);
  const kv = snapshot.keys.get(key);
  if (!kv)
    throw reader.corrupt(`${head.key ?? layout.meta} lists range ${JSON.stringify(id)} but ${key} does not exist`);
  const line = { source: kv.value, reader, starts: [0], ends: [kv.value.length], ids: [id], at: () => key };
  return decodeRangeLine(line, 0);
}

/** A range's leases from its windows, each holding leases that start in it, in order, after the window before. */
function windowLeases(
  reader: Reader,
  chunks: readonly { readonly index: number; readonly key: string; readonly packed: string }[],
  window: number,
  header: RangeHeader,
  location: string,
): readonly Lease[] {
  const leases: Lease[] = [];
  let after = -1n;
  for (const chunk of chunks) {
    const these = unpackLeases(chunk.packed, header.size, header.mac, (path, bad) => reader.fail(chunk.key, bad, path));
    const from = BigInt(chunk.index) * BigInt(window);
    const to = from + BigInt(window);
    const stray = these.find((lease) => lease.first < from || lease.first >= to || lease.first <= after);
    if (stray || these.length === 0)
      throw corrupt(
        location,
        `${chunk.key} holds ${stray ? `a lease at ${stray.first}, outside its window ${from}-${to - 1n}` : 'no lease'}`,
      );
    if (chunks.length === 1) return these;
    for (const lease of these) leases.push(lease);
    after = these[these.length - 1]!.last;
  }
  return leases;
}

function rangeValue(snapshot: Snapshot, key: string, location: string): RangeValue {
  const kv = snapshot.keys.get(key);
  if (!kv) throw corrupt(location, `the head lists ${key}, which does not exist`);
  let raw: Record<string, unknown>;
  try {
    raw = parsedValue(kv) as Record<string, unknown>;
  } catch (error) {
    throw corrupt(location, `${key} does not decode (${(error as Error).message})`);
  }
  const window = raw.window;
  const chunks = raw.chunks;
  if (!count(window) || window < 1) throw corrupt(location, `${key}: window is ${JSON.stringify(window)}`);
  const valid =
    Array.isArray(chunks) &&
    chunks.every(
      (c: unknown, i) =>
        Array.isArray(c) &&
        c.length === 2 &&
        count(c[0]) &&
        version(c[1]) &&
        (i === 0 || (c[0] as number) > (chunks[i - 1] as [number])[0]),
    );
  if (!valid) throw corrupt(location, `${key}: chunks is ${JSON.stringify(chunks)?.slice(0, 60)}`);
  return { window, chunks: chunks as [number, string][], range: raw.range };
}

/** A value's JSON, parsed once per read: a range's value is needed for the book and for the keys it holds. */
const parsed = new WeakMap<KeyValue, unknown>();
function parsedValue(kv: KeyValue): unknown {
  if (!parsed.has(kv)) parsed.set(kv, JSON.parse(kv.value.toString('utf8')));
  return parsed.get(kv);
}

/** The keys a head holds the book in: the head itself and every range value it names. */
export function keysOf(layout: Layout, snapshot: Snapshot, head: Head): Set<string> {
  const keys = new Set<string>();
  if (head.key) keys.add(head.key);
  if (head.holds !== undefined) keys.add(holdsKey(layout, head.holds));
  for (const entry of head.ranges) {
    if (entry.version === undefined) {
      keys.add(legacyKey(layout, entry.id));
      continue;
    }
    const key = rangeKey(layout, entry.id, entry.version);
    keys.add(key);
    try {
      const kv = snapshot.keys.get(key);
      const raw = (kv ? parsedValue(kv) : {}) as { chunks?: unknown };
      if (Array.isArray(raw.chunks))
        for (const c of raw.chunks as unknown[])
          if (Array.isArray(c) && count(c[0]) && version(c[1])) keys.add(chunkKey(layout, entry.id, c[0], c[1]));
    } catch {
      // A value that does not decode names no chunks; the book's read says what is wrong with it.
    }
  }
  return keys;
}

/**
 * Refuses a span holding a key of no book of this layout at this prefix: another book's prefix
 * overlaps this one, and using either would read (and clean up) the other's keys. `listed`:
 * the schema 1 keys the heads name (a bare `P/range/meta` is another book's pointer).
 */
export function refuseForeignKeys(
  layout: Layout,
  snapshot: Snapshot,
  listed: ReadonlySet<string>,
  location: string,
): void {
  for (const key of snapshot.keys.keys()) {
    const kind = kindOf(layout, key).kind;
    if (kind === 'versioned' || (kind === 'legacy' && listed.has(key))) continue;
    throw new IpamError(
      'config',
      `Cannot use the lease book ${location}: ${key} is under its prefix but is not one of its keys; another book's prefix overlaps this one (one inside the other, like /nebula and /nebula/range): give each book a backend.prefix that is not inside another's; nothing was written`,
      { subject: key },
    );
  }
}

/** The lowest counter above every range id the stored keys and heads mention, decodable or not. */
export function rangeIdFloorOf(layout: Layout, snapshot: Snapshot): number {
  // Heads list ids as plain strings, not under an `"id"` key.
  const ids = /"r([1-9][0-9]{0,14})"/g;
  let floor = rangeIdFloor(snapshot.pointer?.kv.value.toString('utf8') ?? '', ids);
  for (const [key, kv] of snapshot.keys) {
    if (key.startsWith(`${layout.meta}@`)) floor = Math.max(floor, rangeIdFloor(kv.value.toString('utf8'), ids));
    const id = /^r([1-9][0-9]{0,14})(?:[@#]|$)/.exec(key.slice(layout.rangePrefix.length));
    if (key.startsWith(layout.rangePrefix) && id) floor = Math.max(floor, Number(id[1]) + 1);
  }
  return floor;
}

/** Addresses per chunk of leases: 4096, doubled until a range has at most 256 chunks. */
export function windowFor(size: bigint): number {
  let window = 4096;
  while (BigInt(window) * 256n < size) window *= 2;
  return window;
}
