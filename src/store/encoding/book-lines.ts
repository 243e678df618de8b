/**
 * The layout `encodeBook` writes, found again without parsing the whole file:
 *
 *   {"schema":1,"format":F,"generation":G,"nextRangeId":N,...unknown fields...,"holds":[...],"ranges":[
 *   {"id":"r1",...header...,"leases":...},
 *   ...
 *   {"id":"r9",...header...,"leases":...}
 *   ]}
 *
 * (`format` is absent in books of format 1; the unknown fields are those a newer release wrote,
 * book-format.ts; `holds` only when there are some, hold-entries.ts.) One range per line, `id`
 * always its first key and `leases` its last. Splitting finds the lines, nothing more; the codec
 * decodes each line's header (range-line.ts) and writes every line nobody replaced back byte for
 * byte. Works on the file's bytes as read (a Buffer), so a big book is never turned into one big
 * string. Anything else (a book reformatted by hand, a
 * truncated one) returns undefined and is left to the full JSON parser and its precise errors.
 */
import { KNOWN_BOOK_KEYS } from './book-format.ts';

export type BookSource = string | Buffer;

/** Where one range's JSON object lies in the source, [start, end). */
export interface RangeLine {
  readonly start: number;
  readonly end: number;
}

/** Range i's line is [starts[i], ends[i]): flat arrays, not an object per range. */
export interface BookLines {
  /** The `format` key; undefined when the head has none (format 1). */
  readonly format: number | undefined;
  /** The head's other keys, as JSON.parse read them; undefined when there are none. */
  readonly unknownFields: Readonly<Record<string, unknown>> | undefined;
  /** The head's `holds` and `vms`, as JSON.parse read them (the codec checks them); undefined when absent. */
  readonly holds: unknown;
  readonly vms: unknown;
  readonly generation: number;
  readonly nextRangeId: number;
  readonly starts: readonly number[];
  readonly ends: readonly number[];
}

export const LEASES_KEY = ',"leases":';
const LEASES_KEY_BYTES = Buffer.from(LEASES_KEY);
const HEAD =
  /^\{"schema":1,(?:"format":([1-9][0-9]{0,8}),)?"generation":(0|[1-9][0-9]{0,15}),"nextRangeId":(0|[1-9][0-9]{0,15}),(.*)"ranges":\[$/;
/** A head with unknown fields or many holds may be long; a longer one is left to the full parser. */
const HEAD_MAX = 8 * 1024 * 1024;
const TAIL = ']}\n';
const NEWLINE = 10;
const COMMA = 44;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;

export function splitBookLines(source: BookSource): BookLines | undefined {
  const headEnd = indexOfCode(source, NEWLINE, 0);
  if (headEnd < 0 || headEnd > HEAD_MAX) return undefined;
  const head = HEAD.exec(textOf(source, 0, headEnd));
  if (!head) return undefined;
  const format = head[1] === undefined ? undefined : Number(head[1]);
  const generation = Number(head[2]);
  const nextRangeId = Number(head[3]);
  if (!Number.isSafeInteger(generation) || !Number.isSafeInteger(nextRangeId)) return undefined;
  const fields = head[4] ? headFields(head[4]) : undefined;
  if (fields === null) return undefined;
  const { holds, vms, ...others } = fields ?? {};
  const unknownFields = Object.keys(others).length > 0 ? others : undefined;

  const starts: number[] = [];
  const ends: number[] = [];
  let start = headEnd + 1;
  for (;;) {
    const newline = indexOfCode(source, NEWLINE, start);
    if (newline <= start) return undefined;
    // Every range line but the last ends with a comma; the last is followed by the tail.
    const more = codeAt(source, newline - 1) === COMMA;
    const end = more ? newline - 1 : newline;
    if (codeAt(source, start) !== OPEN_BRACE || codeAt(source, end - 1) !== CLOSE_BRACE) return undefined;
    starts.push(start);
    ends.push(end);
    start = newline + 1;
    if (!more) break;
  }
  if (source.length !== start + TAIL.length || textOf(source, start, source.length) !== TAIL) return undefined;
  return { format, unknownFields, holds, vms, generation, nextRangeId, starts, ends };
}

/** `"a":1,"b":[2],` as an object; null when it is not plain members or names a known key other than `holds`. */
function headFields(text: string): Record<string, unknown> | null {
  if (!text.endsWith(',')) return null;
  let fields: unknown;
  try {
    fields = JSON.parse(`{${text.slice(0, -1)}}`);
  } catch {
    return null;
  }
  const object = fields as Record<string, unknown>;
  return Object.keys(object).some((key) => key !== 'holds' && key !== 'vms' && KNOWN_BOOK_KEYS.has(key))
    ? null
    : object;
}

/** Where `,"leases":` is in a range's line, or -1: the header is everything before it. */
export function leasesKeyAt(source: BookSource, line: RangeLine): number {
  const at =
    typeof source === 'string' ? source.indexOf(LEASES_KEY, line.start) : source.indexOf(LEASES_KEY_BYTES, line.start);
  return at < line.end ? at : -1;
}

/** The text of [start, end) of the source. */
export function textOf(source: BookSource, start: number, end: number): string {
  return typeof source === 'string' ? source.slice(start, end) : source.toString('utf8', start, end);
}

/** [start, end) of the source as it is, without copying bytes: for writing back unchanged. */
export function sliceOf(source: BookSource, start: number, end: number): string | Buffer {
  return typeof source === 'string' ? source.slice(start, end) : source.subarray(start, end);
}

function indexOfCode(source: BookSource, code: number, from: number): number {
  return typeof source === 'string' ? source.indexOf(String.fromCharCode(code), from) : source.indexOf(code, from);
}

function codeAt(source: BookSource, index: number): number | undefined {
  return typeof source === 'string' ? source.charCodeAt(index) : source[index];
}
