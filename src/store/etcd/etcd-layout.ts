/**
 * How a lease book lies in etcd, under one key prefix P (default `/nebula-ipam/<driver>`):
 *
 *   P/meta             {"schema":1,"generation":G,"nextRangeId":N,"ranges":["r1","r2",...],"writer":"<token>.<seq>"}
 *   P/range/<id>       one range: exactly the line the file book holds for it (codec.ts), leases
 *                      packed (lease-packing.ts); the id is URI-encoded in the key
 *   P/audit/<token>.<seq>.<i>   one audit record as JSON, written in the transaction of its change
 *
 * `meta` is the book's head and its order of ranges (etcd sorts keys, `r10` before `r2`; the
 * book keeps the order ranges were made in). Every write rewrites meta with generation + 1 and
 * compares meta's mod_revision with the one it read: meta is the book's compare-and-swap fence,
 * which gives the same guarantee as the file store's lock (one writer at a time, each deciding
 * on the newest book) and the same generation counter, without locks or TTLs. A write puts only
 * the ranges the change replaced, so its size is that of the ranges it touched, not the book's.
 *
 * Size: etcd refuses a request over --max-request-bytes (1.5 MiB by default) whole, not per
 * value, so splitting a range over several keys written in one transaction would not lift the
 * limit; a range's line is therefore one value. A range line costs ~6 bytes per oned lease
 * (100 000 leases: ~0.6 MB) and ~40 with operator owners and notes; a range whose line exceeds
 * the limit is refused by etcd with "request is too large" and nothing is written (raise
 * --max-request-bytes on every member to go further).
 *
 * Reading the book is one range request [P/meta, P/range0): meta and all ranges at one revision.
 */
import { EMPTY_BOOK, type Book, type RangeRecord } from '../../book/book.ts';
import { decodeBook, decodeBookLazily, encodeBookChunks } from '../../book/codec.ts';
import type { KeyValue } from './etcd-client.ts';
import { prefixEnd } from './etcd-client.ts';
import { IpamError } from '../../errors.ts';

function corrupt(location: string, why: string): IpamError {
  return new IpamError(
    'store-corrupt',
    `Cannot read the lease book ${location}: ${why}. It was left untouched; inspect it with etcdctl, or bring back the previous generation with \`nebula-ipam restore\``,
  );
}

export interface Layout {
  readonly prefix: string;
  readonly meta: string;
  readonly rangePrefix: string;
  readonly auditPrefix: string;
}

export function layoutOf(prefix: string): Layout {
  return { prefix, meta: `${prefix}/meta`, rangePrefix: `${prefix}/range/`, auditPrefix: `${prefix}/audit/` };
}

export function rangeKey(layout: Layout, id: string): string {
  return `${layout.rangePrefix}${encodeURIComponent(id)}`;
}

/** The one request that reads the book: meta and every range key. */
export function bookSpan(layout: Layout): { key: string; rangeEnd: string } {
  return { key: layout.meta, rangeEnd: prefixEnd(layout.rangePrefix) };
}

export interface Meta {
  readonly schema: 1;
  readonly generation: number;
  readonly nextRangeId: number;
  readonly ranges: readonly string[];
  /** The process token and write number of the last write: how a lost answer is recognised. */
  readonly writer: string;
}

/** The book's keys as read at one revision. */
export interface Snapshot {
  readonly revision: string;
  /** Undefined when no book was ever written under the prefix. */
  readonly meta?: { readonly kv: KeyValue; readonly value?: Meta; readonly error?: string };
  readonly ranges: ReadonlyMap<string, KeyValue>;
}

export function snapshotOf(layout: Layout, revision: string, kvs: readonly KeyValue[]): Snapshot {
  let meta: Snapshot['meta'];
  const ranges = new Map<string, KeyValue>();
  for (const kv of kvs) {
    if (kv.key === layout.meta) {
      try {
        meta = { kv, value: parseMeta(kv.value.toString('utf8')) };
      } catch (error) {
        meta = { kv, error: (error as Error).message };
      }
    } else if (kv.key.startsWith(layout.rangePrefix)) {
      ranges.set(kv.key, kv);
    }
  }
  return { revision, ...(meta ? { meta } : {}), ranges };
}

function parseMeta(text: string): Meta {
  const raw = JSON.parse(text) as Record<string, unknown>;
  const count = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
  if (raw.schema !== 1) throw new Error(`schema is ${JSON.stringify(raw.schema)}; this nebula-ipam reads schema 1`);
  if (!count(raw.generation)) throw new Error(`generation is ${JSON.stringify(raw.generation)}`);
  if (!count(raw.nextRangeId)) throw new Error(`nextRangeId is ${JSON.stringify(raw.nextRangeId)}`);
  if (!Array.isArray(raw.ranges) || raw.ranges.some((id) => typeof id !== 'string')) throw new Error(`ranges is ${JSON.stringify(raw.ranges)?.slice(0, 60)}`);
  return { schema: 1, generation: raw.generation as number, nextRangeId: raw.nextRangeId as number, ranges: raw.ranges as string[], writer: String(raw.writer ?? '') };
}

/**
 * The book in a snapshot. `lazily`: for a change (ranges decoded as used, codec.ts); otherwise
 * every field checked. The ranges' lines are joined into the file book's layout and decoded by
 * the file book's own codec, so both backends read and check a range the same way.
 */
export function bookOf(layout: Layout, snapshot: Snapshot, location: string, lazily: boolean): Book {
  const { meta } = snapshot;
  if (!meta) {
    if (snapshot.ranges.size > 0) throw corrupt(location, `${[...snapshot.ranges.keys()][0]} exists but ${layout.meta} does not`);
    return EMPTY_BOOK;
  }
  if (!meta.value) throw corrupt(location, `${layout.meta} does not decode (${meta.error})`);
  const { generation, nextRangeId, ranges } = meta.value;
  const parts: Buffer[] = [Buffer.from(`{"schema":1,"generation":${generation},"nextRangeId":${nextRangeId},"ranges":[${ranges.length ? '\n' : ''}`)];
  const listed = new Set<string>();
  ranges.forEach((id, i) => {
    const key = rangeKey(layout, id);
    const kv = snapshot.ranges.get(key);
    if (!kv) throw corrupt(location, `${layout.meta} lists range ${JSON.stringify(id)} but ${key} does not exist`);
    listed.add(key);
    if (i > 0) parts.push(SEPARATOR);
    parts.push(kv.value);
  });
  for (const key of snapshot.ranges.keys()) if (!listed.has(key)) throw corrupt(location, `${key} exists but ${layout.meta} does not list it`);
  parts.push(ranges.length ? TAIL : EMPTY_TAIL);
  const source = Buffer.concat(parts);
  return lazily ? decodeBookLazily(source, location) : decodeBook(source, location);
}

const SEPARATOR = Buffer.from(',\n');
const TAIL = Buffer.from('\n]}\n');
const EMPTY_TAIL = Buffer.from(']}\n');

/** A range's value: its line in the file book (the original bytes when it was read and not replaced). */
export function rangeValue(range: RangeRecord): string | Buffer {
  const chunks = encodeBookChunks({ schema: 1, generation: 0, nextRangeId: 0, ranges: [range] });
  // [head, the range's line, tail]: see encodeBookChunks.
  return chunks[1]!;
}

export function metaValue(book: Book, generation: number, writer: string): string {
  const meta: Meta = { schema: 1, generation, nextRangeId: book.nextRangeId, ranges: book.ranges.map((r) => r.id), writer };
  return JSON.stringify(meta);
}
