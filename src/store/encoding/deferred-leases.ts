/**
 * Where a decoded range came from (its origin: a line of the book file, an etcd value), and its
 * leases unpacked from there on first read: a driver action reads the leases of the one range it
 * acts on, and unpacking (and checking) every range's would cost a big book more than all the
 * rest. This is the one place a range is not a plain data object: `leases` is an own, enumerable
 * accessor until first read, which replaces itself with a data property holding the array (so it
 * is unpacked at most once) or throws store-corrupt (a broken range fails the action that reads
 * it, and only that one). Spread, `structuredClone` and `assert.deepEqual` read it (a getter on a
 * prototype would be skipped by the last two); `console.log` prints `leases: [Getter/Setter]`
 * until it was read once; assigning `leases` replaces it like any field.
 *
 * The origin is known as long as the record lives (one WeakMap, filled by the decoder): a record
 * nobody replaced is written back as its origin's bytes (codec.ts). A change makes new records
 * (`{ ...range, leases }`), which have none; a record changed in place (its type says readonly)
 * would keep its origin's bytes.
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
