/**
 * A range record decoded on first use. A big book has thousands of ranges and a driver action
 * reads one of them (plus every id, to find it): decoding and checking the others would cost
 * more than everything else the action does. The record is a Proxy that answers `id` from what
 * the line splitter read, and decodes the header (and checks it) on any other use; its leases
 * are decoded on their own first read, so register, which needs every header's footprint but no
 * leases, never unpacks them. To its readers it is an ordinary, immutable RangeRecord.
 *
 * One handler serves every range and a range's state sits on its Proxy's target under a symbol
 * the traps hide: a book of 4 000 ranges makes 4 000 small objects, not 40 000 closures, which
 * the garbage collector would then copy around during the one action.
 */
import type { Lease, RangeRecord } from '../../core/book/book.ts';

export type RangeHeader = Omit<RangeRecord, 'leases'>;

/** The decoders of one book's ranges, by index; one object per book. */
export interface LazyBook {
  decodeHeader(index: number): RangeHeader;
  decodeLeases(index: number, header: RangeHeader): readonly Lease[];
}

const STATE = Symbol('lazy range');

interface State {
  readonly book: LazyBook;
  readonly index: number;
  readonly id: string | undefined;
  decoded: boolean;
}

type Target = Record<PropertyKey, unknown> & { [STATE]: State };

export function lazyRange(book: LazyBook, index: number, id: string | undefined): RangeRecord {
  const target = { [STATE]: { book, index, id, decoded: false } } as Target;
  return new Proxy(target, HANDLER) as unknown as RangeRecord;
}

/** For a range `lazyRange` made and nobody replaced: its book and index. Undefined for any other record. */
export function lazyOrigin<B extends LazyBook>(range: RangeRecord): { book: B; index: number } | undefined {
  const state = (range as unknown as Partial<Target>)[STATE];
  return state ? { book: state.book as B, index: state.index } : undefined;
}

function ensure(target: Target): Target {
  const state = target[STATE];
  if (state.decoded) return target;
  const header = state.book.decodeHeader(state.index);
  Object.assign(target, header);
  Object.defineProperty(target, 'leases', {
    enumerable: true,
    configurable: true,
    get() {
      const leases = state.book.decodeLeases(state.index, header);
      Object.defineProperty(target, 'leases', { value: leases, enumerable: true, configurable: true, writable: false });
      return leases;
    },
  });
  state.decoded = true;
  return target;
}

const HANDLER: ProxyHandler<Target> = {
  get(target, key) {
    if (key === STATE) return target[STATE];
    const state = target[STATE];
    if (key === 'id' && !state.decoded && state.id !== undefined) return state.id;
    return Reflect.get(ensure(target), key);
  },
  has: (target, key) => key !== STATE && Reflect.has(ensure(target), key),
  ownKeys: (target) => Reflect.ownKeys(ensure(target)).filter((key) => key !== STATE),
  getOwnPropertyDescriptor: (target, key) =>
    key === STATE ? undefined : Reflect.getOwnPropertyDescriptor(ensure(target), key),
  // Records are immutable: changes make new records.
  set: () => false,
  defineProperty: () => false,
  deleteProperty: () => false,
};
