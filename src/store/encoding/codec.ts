/**
 * The book file: the book as JSON text, one range per line (`book-lines.ts`, `range-line.ts`).
 * Decoding checks every field it hands out: a book of the wrong shape is refused, never
 * half-used or reset.
 *
 * The book is rewritten whole on every change, so what an action pays grows with the book. Two
 * things keep that near the cost of moving its bytes: a range's leases are unpacked (and checked)
 * only when something reads them (deferred-leases.ts), which for a driver action is the one range
 * it acts on; and a range nobody replaced is written back as the very bytes it was read from,
 * its origin (deferred-leases.ts: a WeakMap from record to line, which the decoder fills).
 */
import type { Book, RangeRecord } from '../../core/book/book.ts';
import type { Hold } from '../../core/book/holds.ts';
import type { VmAddress } from '../../core/book/vms.ts';
import { BOOK_FORMAT, checkWritable, KNOWN_BOOK_KEYS, readFormat, unknownFieldsOf } from './book-format.ts';
import { sliceOf, splitBookLines, textOf, type BookLines, type BookSource } from './book-lines.ts';
import { originOf } from './deferred-leases.ts';
import { corrupt, RESTORE_ADVICE, Reader } from './field-reader.ts';
import { decodeHolds, decodeVms, encodeHolds, encodeVms } from './hold-entries.ts';
import { idAtOrAboveCounter } from './range-id-floor.ts';
import { decodeLeases, decodeRangeHeader, decodeRangeLine, encodeRangeLine, LineOrigin } from './range-line.ts';

export { corrupt, RESTORE_ADVICE };

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
  const head = `{"schema":1,"format":${BOOK_FORMAT},"generation":${book.generation},"nextRangeId":${book.nextRangeId},${membersOf(book.unknownFields)}${holdsMember(book.holds)}${book.vms?.length ? `"vms":${encodeVms(book.vms)},` : ''}"ranges":[`;
  // One range per line: a person can read and diff the file; the head stays small.
  if (book.ranges.length === 0) return [`${head}]}\n`];
  const chunks: (string | Buffer)[] = [`${head}\n`];
  let run: { source: BookSource; start: number; end: number } | undefined;
  const flush = () => {
    if (run) chunks.push(sliceOf(run.source, run.start, run.end));
    run = undefined;
  };
  book.ranges.forEach((range, i) => {
    const found = originOf(range);
    const origin = found instanceof LineOrigin && {
      source: found.lines.source,
      start: found.lines.starts[found.index]!,
      end: found.lines.ends[found.index]!,
    };
    // The next line of the same source: the ",\n" between them is in the slice already.
    if (origin && run && origin.source === run.source && origin.start === run.end + 2) {
      run.end = origin.end;
      return;
    }
    flush();
    if (i > 0) chunks.push(',\n');
    if (origin) run = origin;
    else chunks.push(encodeRangeLine(range));
  });
  flush();
  chunks.push('\n]}\n');
  return chunks;
}

/** `"holds":[...],`, or nothing: a book without holds is written as before they existed. */
function holdsMember(holds: readonly Hold[] | undefined): string {
  return holds?.length ? `"holds":${encodeHolds(holds)},` : '';
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

/**
 * The book in `source` (the file's bytes, or its text), every field checked now: for whatever
 * reads the whole book, or takes one from outside (import, restore, the operator's views).
 */
export function decodeBook(source: BookSource, location: string, advice: string = RESTORE_ADVICE): Book {
  const book = decodeBookLazily(source, location, advice);
  for (const range of book.ranges) void range.leases;
  return book;
}

/**
 * The book in `source` for a change to it (FileStore.update): every range's header checked now,
 * its leases when something first reads them, throwing then (so a change that reads a broken
 * range fails before anything is written); ranges nobody replaced go back byte for byte.
 */
export function decodeBookLazily(source: BookSource, location: string, advice: string = RESTORE_ADVICE): Book {
  const r = new Reader(location, advice);
  const lines = splitBookLines(source);
  const book = lines ? decodeLines(r, source, lines) : decodeWhole(r, textOf(source, 0, source.length));
  // Two ranges under one id, or an id the counter would hand out again, would let an action on
  // one range free another's leases.
  const seen = new Set<string>();
  for (let i = 0; i < book.ranges.length; i++) {
    const id = book.ranges[i]!.id;
    if (seen.has(id)) throw r.fail(`ranges[${i}]`, id, 'id');
    seen.add(id);
    if (idAtOrAboveCounter(id, book.nextRangeId)) throw r.fail('nextRangeId', book.nextRangeId);
  }
  return book;
}

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
    return { ...header, leases: decodeLeases(r, (entry as Record<string, unknown>).leases, at, header) };
  });
  return bookOf(
    format,
    unknownFieldsOf(doc, KNOWN_BOOK_KEYS),
    r.count(doc.generation, 'generation'),
    nextRangeId,
    ranges,
    holdsIn(r, doc.holds),
    vmsIn(r, doc.vms),
  );
}

/** The layout encodeBook writes: each line's header decoded now, its leases when first read. */
function decodeLines(r: Reader, source: BookSource, lines: BookLines): Book {
  const rangeLines = { ...lines, source, reader: r, at: (index: number) => `ranges[${index}]` };
  const ranges = lines.starts.map((_, index) => decodeRangeLine(rangeLines, index));
  return bookOf(
    lines.format ?? 1,
    lines.unknownFields,
    lines.generation,
    lines.nextRangeId,
    ranges,
    holdsIn(r, lines.holds),
    vmsIn(r, lines.vms),
  );
}

/** The head's `vms`, checked; undefined when absent or empty. */
export function vmsIn(r: Reader, value: unknown): readonly VmAddress[] | undefined {
  if (value === undefined) return undefined;
  const vms = decodeVms(r, value, 'vms');
  return vms.length > 0 ? vms : undefined;
}

/** The head's `holds`, checked; undefined when absent or empty (the book then has no `holds` key). */
export function holdsIn(r: Reader, value: unknown): readonly Hold[] | undefined {
  if (value === undefined) return undefined;
  const holds = decodeHolds(r, value, 'holds');
  return holds.length > 0 ? holds : undefined;
}

function bookOf(
  format: number,
  unknownFields: Readonly<Record<string, unknown>> | undefined,
  generation: number,
  nextRangeId: number,
  ranges: readonly RangeRecord[],
  holds: readonly Hold[] | undefined,
  vms: readonly VmAddress[] | undefined,
): Book {
  return {
    schema: 1,
    generation,
    nextRangeId,
    ranges,
    ...(format > BOOK_FORMAT ? { newerFormat: format } : {}),
    ...(holds ? { holds } : {}),
    ...(vms ? { vms } : {}),
    ...(unknownFields ? { unknownFields } : {}),
  };
}
