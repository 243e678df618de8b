/**
 * The book file as the torture suite compares it: loaded with the product's own strict decoder
 * (so "the book always loads" means what the driver means by it), then flattened to one set of
 * leased addresses per range that tests can diff against what the driver acknowledged.
 */
import * as fs from 'node:fs';
import { decodeBook } from '../../src/store/encoding/codec.ts';
import type { Book } from '../../src/core/book/book.ts';

export interface RangeView {
  readonly id: string;
  /** First IPv4 address as a number, when the range has one. */
  readonly ip?: number;
  readonly size: number;
  /** Every leased index, with who holds it. */
  readonly leased: ReadonlyMap<number, 'opennebula' | 'operator'>;
}

export interface BookView {
  readonly generation: number;
  readonly ranges: ReadonlyMap<string, RangeView>;
}

export const NO_BOOK: BookView = { generation: 0, ranges: new Map() };

/** The book at `file`, strictly decoded; a missing file is the empty book. Throws what the driver would. */
export function readBookView(file: string): BookView {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return NO_BOOK;
    throw error;
  }
  return viewOf(decodeBook(text, file));
}

export function viewOf(book: Book): BookView {
  const ranges = new Map<string, RangeView>();
  for (const range of book.ranges) {
    const leased = new Map<number, 'opennebula' | 'operator'>();
    for (const lease of range.leases)
      for (let i = lease.first; i <= lease.last; i++) leased.set(Number(i), lease.holder);
    ranges.set(range.id, {
      id: range.id,
      ...(range.ip === undefined ? {} : { ip: Number(range.ip) }),
      size: Number(range.size),
      leased,
    });
  }
  return { generation: book.generation, ranges };
}

/** A stable text of a view, for "is it the same state" comparisons and readable failures. */
export function describeView(view: BookView): string {
  return [...view.ranges.values()]
    .sort((a, b) => (a.id < b.id ? -1 : 1))
    .map((r) => `${r.id}@${r.ip ?? '-'}+${r.size}[${[...r.leased.keys()].sort((a, b) => a - b).join(',')}]`)
    .join(' ');
}
