/**
 * A decoded range's leases, unpacked on first read: a driver action reads the leases of the one
 * range it acts on, and unpacking (and checking) the other ranges' would cost a big book more
 * than everything else the action does. This is the one place a range is not a plain data
 * object: `leases` is an own, enumerable accessor until first read, which then replaces itself
 * with a plain data property holding the array (so it is unpacked at most once). Reading it
 * may throw store-corrupt: a broken range fails the action that reads it, and only that one.
 *
 * What sees the range as a whole reads through the accessor: spread and Object.assign copy the
 * array, `structuredClone` and `assert.deepEqual` read it (a getter on a prototype would be
 * skipped by both), and `console.log` prints `leases: [Getter/Setter]` until it was read once.
 * Assigning `leases` replaces the accessor like any field. The accessor's functions are shared
 * by every range (a WeakMap holds each range's pending decoder).
 */
import type { Lease, RangeRecord } from '../../core/book/book.ts';

const pending = new WeakMap<object, () => readonly Lease[]>();

function settle(range: object, leases: readonly Lease[]): readonly Lease[] {
  pending.delete(range);
  Object.defineProperty(range, 'leases', { value: leases, writable: true, enumerable: true, configurable: true });
  return leases;
}

const DEFERRED: PropertyDescriptor = {
  enumerable: true,
  configurable: true,
  get(this: object) {
    const decode = pending.get(this);
    if (!decode) throw new TypeError('Cannot read leases: not a range the book decoder made');
    return settle(this, decode());
  },
  set(this: object, leases: readonly Lease[]) {
    settle(this, leases);
  },
};

/** `header` (a fresh object) made a range whose leases `decode` gives on first read. */
export function withDeferredLeases(header: Omit<RangeRecord, 'leases'>, decode: () => readonly Lease[]): RangeRecord {
  pending.set(header, decode);
  return Object.defineProperty(header, 'leases', DEFERRED) as RangeRecord;
}
