/**
 * A range record decoded on first use. A big book has thousands of ranges and a driver action
 * reads one of them (plus every id, to find it): decoding and checking the others would cost
 * more than everything else the action does. The record is a Proxy that answers `id` from what
 * the line splitter read, and decodes the header (and checks it) on any other use; its leases
 * are decoded on their own first read, so register, which needs every header's footprint but no
 * leases, never unpacks them. To its readers it is an ordinary, immutable RangeRecord.
 */
import type { Lease, RangeRecord } from './book.ts';

export type RangeHeader = Omit<RangeRecord, 'leases'>;

export function lazyRange(id: string | undefined, decodeHeader: () => RangeHeader, decodeLeases: (header: RangeHeader) => readonly Lease[]): RangeRecord {
  const target: Record<PropertyKey, unknown> = {};
  let decoded = false;
  const ensure = (): Record<PropertyKey, unknown> => {
    if (decoded) return target;
    const header = decodeHeader();
    Object.assign(target, header);
    Object.defineProperty(target, 'leases', {
      enumerable: true,
      configurable: true,
      get() {
        const leases = decodeLeases(header);
        Object.defineProperty(target, 'leases', { value: leases, enumerable: true, configurable: true, writable: false });
        return leases;
      },
    });
    decoded = true;
    return target;
  };
  return new Proxy(target, {
    get: (_, key) => (key === 'id' && !decoded && id !== undefined ? id : Reflect.get(ensure(), key)),
    has: (_, key) => Reflect.has(ensure(), key),
    ownKeys: () => Reflect.ownKeys(ensure()),
    getOwnPropertyDescriptor: (_, key) => Reflect.getOwnPropertyDescriptor(ensure(), key),
    // Records are immutable: changes make new records.
    set: () => false,
    defineProperty: () => false,
    deleteProperty: () => false,
  }) as unknown as RangeRecord;
}
