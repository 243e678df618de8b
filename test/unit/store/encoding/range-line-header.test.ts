/**
 * A range line's header is found two ways (range-line.ts decodeRangeLine): in the line's first
 * bytes read as text, or by a search of the line's bytes (a header too long for that window, or
 * one with characters beyond ASCII). Both must read every line the same: the same range and
 * leases, or the same error. And a book read line by line must be the book the whole-JSON
 * reader makes of the same text.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { AR_TYPES, type Book, type RangeRecord } from '../../../../src/core/book/book.ts';
import { splitBookLines } from '../../../../src/store/encoding/book-lines.ts';
import { decodeBook, encodeBook } from '../../../../src/store/encoding/codec.ts';
import { Reader } from '../../../../src/store/encoding/field-reader.ts';
import { decodeRangeLine, type RangeLines } from '../../../../src/store/encoding/range-line.ts';
import { applyEdit, edits } from '../../../support/one-edit.ts';
import '../../../support/seed.ts';

const IPV4_MAX = (1n << 32n) - 1n;
const IPV6_MAX = (1n << 128n) - 1n;
const WHERE = '/books/leases.json';

/** Text as a person or another program may put in a field: ASCII, beyond it, quotes, escapes, lone surrogates. */
const text = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: fc.constantFrom('a', 'é', '€', '😀', '"', '\\', '\n', '\ud800', ' '), maxLength: 12 }),
);
const span = (max: bigint) =>
  fc
    .tuple(fc.bigInt(0n, max), fc.bigInt(0n, max))
    .map(([a, b]) => (a <= b ? { first: a, last: b } : { first: b, last: a }));
const optional = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });

/** Any range the encoder may be given (fields the decoder accepts), with an owner long enough to reach past the window. */
const range = fc
  .record({
    type: fc.constantFrom(...AR_TYPES),
    size: fc.bigInt(1n, 1n << 32n),
    ip: optional(fc.bigInt(0n, IPV4_MAX)),
    ip6: optional(fc.bigInt(0n, IPV6_MAX)),
    prefixLength: optional(fc.nat(128)),
    mac: optional(fc.bigInt(0n, (1n << 48n) - 1n)),
    globalPrefix: optional(fc.bigInt(0n, IPV6_MAX)),
    pool: optional(text),
    pool6: optional(text),
    block: optional(span(IPV4_MAX)),
    block6: optional(span(IPV6_MAX)),
    unmanaged: optional(fc.boolean()),
    padding: fc.nat(360),
    owner: optional(text),
    driver: optional(text),
    next: fc.nat(),
    oned: optional(
      fc.record({ used: fc.nat(9), held: fc.nat(9), since: text, heldBack: fc.boolean(), offered: fc.boolean() }),
    ),
    createdAt: text,
    requestId: optional(text),
    unknown: optional(
      fc.dictionary(
        text.map((key) => `x-${key}`),
        fc.jsonValue(),
        { maxKeys: 2 },
      ),
    ),
    leased: fc.boolean(),
  })
  .map(({ padding, owner, next, oned, unknown, leased, ...fields }): Omit<RangeRecord, 'id'> => {
    const { size } = fields;
    const fit = (start: bigint | undefined, max: bigint) =>
      start === undefined || start + size - 1n <= max ? start : max - size + 1n;
    const record: Record<string, unknown> = {
      ...fields,
      ip: fit(fields.ip, IPV4_MAX),
      ip6: fit(fields.ip6, IPV6_MAX),
      owner: padding > 0 || owner !== undefined ? `${'o'.repeat(padding)}${owner ?? ''}` : undefined,
      nextIndex: BigInt(next) % size || undefined,
      oned: oned && {
        used: BigInt(oned.used),
        held: BigInt(oned.held),
        since: oned.since,
        heldBack: oned.heldBack ? [{ first: 0n, last: 0n }] : [],
        ...(oned.offered ? { offered: { first: size - 1n, last: size - 1n, used: 1n } } : {}),
      },
      unknownFields: unknown,
      leases: leased ? [{ first: size - 1n, last: size - 1n, holder: 'operator', owner: 'lab', at: 'then' }] : [],
    };
    for (const key of Object.keys(record)) if (record[key] === undefined) delete record[key];
    return record as unknown as Omit<RangeRecord, 'id'>;
  });

const book = fc.array(range, { minLength: 1, maxLength: 4 }).map(
  (ranges): Book => ({
    schema: 1,
    generation: 3,
    nextRangeId: 1000,
    ranges: ranges.map((r, i) => ({ id: `r${i + 1}`, ...r }) as RangeRecord),
  }),
);

/** What reading range `index` gives with a window of `window` bytes: the range with its leases read, or the error's message. */
function outcome(lines: RangeLines, index: number, window?: number): unknown {
  try {
    const read = decodeRangeLine(lines, index, window);
    return { ...read, leases: read.leases };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

function linesOf(bytes: Buffer): RangeLines | undefined {
  const lines = splitBookLines(bytes);
  return lines && { ...lines, source: bytes, reader: new Reader(WHERE), at: (i: number) => `ranges[${i}]` };
}

/** Both ways of finding the header read every line of `bytes` the same; how many lines were read. */
function assertBothWaysAgree(bytes: Buffer): number {
  const lines = linesOf(bytes);
  if (!lines) return 0;
  for (let i = 0; i < lines.starts.length; i++) assert.deepEqual(outcome(lines, i), outcome(lines, i, 0), `line ${i}`);
  return lines.starts.length;
}

test('a book the encoder wrote reads the same line by line, by either way of finding a header, and as one JSON text', () => {
  let longHeaders = 0;
  fc.assert(
    fc.property(book, (written) => {
      const text = encodeBook(written);
      const bytes = Buffer.from(text);
      assert.equal(assertBothWaysAgree(bytes), written.ranges.length);
      // A space before the book's first key: not the layout the line reader knows, so JSON.parse reads it whole.
      assert.deepEqual(decodeBook(bytes, WHERE), decodeBook(Buffer.from(` ${text}`), WHERE));
      for (const line of text.split('\n').slice(1, -1))
        if (Buffer.byteLength(line.slice(0, line.indexOf(',"leases":'))) > 320) longHeaders++;
    }),
    { numRuns: 300 },
  );
  assert.ok(longHeaders > 50, `only ${longHeaders} headers were longer than the window`);
});

test('an edited line reads the same by either way of finding its header: the same range, or the same error', () => {
  const edit = edits(fc.constantFrom(' ', ',', '"', ':', '\\', 'é', '😀', '{', '}', '[', 'l', '0', '-', 'e', '\n'));
  let read = 0;
  fc.assert(
    fc.property(book, fc.nat(), fc.array(edit, { minLength: 1, maxLength: 3 }), (written, lineAt, changes) => {
      // The head, the ranges' lines, the tail and the empty text after the last newline.
      const [head, ...rest] = encodeBook(written).split('\n');
      const line = lineAt % (rest.length - 2);
      let target = rest[line]!;
      // Edits within the header and the first bytes of the leases, where the two ways differ.
      const reach = target.indexOf(',"leases":') + 14;
      for (const change of changes) target = applyEdit(target, change, reach);
      rest[line] = target;
      read += assertBothWaysAgree(Buffer.from([head, ...rest].join('\n')));
    }),
    { numRuns: 400 },
  );
  assert.ok(read > 300, `only ${read} edited books were read line by line`);
});

test('a header ending anywhere around the window, after characters of one to four bytes, reads the same both ways', () => {
  for (const wide of ['', 'é', '€', '😀'])
    for (let length = 280; length <= 340; length++) {
      const owner = `${'o'.repeat(Math.max(0, length - 160))}${wide}`;
      const written: Book = {
        schema: 1,
        generation: 1,
        nextRangeId: 2,
        ranges: [{ id: 'r1', type: 'IP4', size: 4n, ip: 10n, owner, createdAt: 'now', leases: [] }],
      };
      const bytes = Buffer.from(encodeBook(written));
      assertBothWaysAgree(bytes);
      assert.deepEqual(decodeBook(bytes, WHERE), written);
    }
});
