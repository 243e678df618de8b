/**
 * Where a decoded range came from (its origin: a line of the book file, an etcd value), and its
 * leases unpacked from there on first read.
 *
 * A driver action reads the leases of the one range it acts on, and unpacking (and checking) the
 * other ranges' would cost a big book more than everything else the action does. This is the one
 * place a range is not a plain data object: `leases` is an own, enumerable accessor until first
 * read, which then replaces itself with a plain data property holding the array (so it is
 * unpacked at most once). Reading it may throw store-corrupt: a broken range fails the action
 * that reads it, and only that one. What sees the range as a whole reads through the accessor:
 * spread and Object.assign copy the array, `structuredClone` and `assert.deepEqual` read it (a
 * getter on a prototype would be skipped by both), `console.log` prints `leases: [Getter/Setter]`
 * until it was read once. Assigning `leases` replaces the accessor like any field.
 *
 * The origin stays known as long as the record lives (one WeakMap, filled by the decoder): a
 * record nobody replaced is written back as its origin's bytes (codec.ts). Ranges are values and
 * a change makes new records (`{ ...range, leases }`), which have no origin; a record changed in
 * place (its type says readonly) would keep its origin's bytes.
 */
import type { Lease, RangeRecord } from '../../core/book/book.ts';

export type RangeHeader = Omit<RangeRecord, 'leases'>;

/** What a decoded range was read from; it unpacks the range's leases. */
export interface Origin {
  leasesOf(header: RangeHeader): readonly Lease[];
}

const origins = new WeakMap<object, Origin>();

function settle(range: object, leases: readonly Lease[]): readonly Lease[] {
  Object.defineProperty(range, 'leases', { value: leases, writable: true, enumerable: true, configurable: true });
  return leases;
}

/** One accessor for every range (no functions made per range). */
const DEFERRED: PropertyDescriptor = {
  enumerable: true,
  configurable: true,
  get(this: RangeHeader) {
    const origin = origins.get(this);
    if (!origin) throw new TypeError('Cannot read leases: not a range the book decoder made');
    return settle(this, origin.leasesOf(this));
  },
  set(this: object, leases: readonly Lease[]) {
    settle(this, leases);
  },
};

/** `header` (a fresh object) made the range read from `origin`: its leases unpacked now, or on first read when `defer`. */
export function decodedRange(header: RangeHeader, origin: Origin, defer: boolean): RangeRecord {
  origins.set(header, origin);
  if (defer) return Object.defineProperty(header, 'leases', DEFERRED) as RangeRecord;
  (header as { leases?: readonly Lease[] }).leases = origin.leasesOf(header);
  return header as RangeRecord;
}

/** The origin of a range the decoder made; undefined for any other record (one a change made). */
export function originOf(range: RangeRecord): Origin | undefined {
  return origins.get(range);
}
