/**
 * The lease book: everything nebula-ipam knows, as one in-memory value. The engine decides over
 * it; the store reads and writes it. Addresses and indices are bigint here; `codec.ts` turns
 * them into JSON text.
 */
import type { Interval } from '../intervals/interval.ts';
import type { Hold } from './holds.ts';
import type { VmAddress } from './vms.ts';

export const AR_TYPES = ['IP4', 'IP4_6', 'IP4_6_STATIC', 'IP6', 'IP6_STATIC', 'ETHER'] as const;
export type ArType = (typeof AR_TYPES)[number];

/** Who holds a lease: oned (through the driver actions) or an operator (through the CLI). */
export type Holder = 'opennebula' | 'operator';

/** A block of consecutive indices of one range, held by one party. */
export interface Lease extends Interval {
  readonly holder: Holder;
  /** Free text naming the host or purpose; operators must give one. */
  readonly owner?: string;
  readonly note?: string;
  /** The MAC oned sent with the lease (its first address). */
  readonly mac?: bigint;
  /** oned's request id, for matching oned.log lines; it restarts with oned. */
  readonly requestId?: string;
  /** ISO time the lease was taken. */
  readonly at: string;
}

/** One address range (an OpenNebula AR, or an operator's block). Index i is IP + i, MAC + i, IP6 + i. */
export interface RangeRecord {
  readonly id: string;
  readonly type: ArType;
  readonly size: bigint;
  readonly ip?: bigint;
  readonly ip6?: bigint;
  readonly prefixLength?: number;
  readonly mac?: bigint;
  /** IP6 and IP4_6: the /64s the range was registered with (GLOBAL_PREFIX, ULA_PREFIX), which pin it. */
  readonly globalPrefix?: bigint;
  readonly ulaPrefix?: bigint;
  readonly pool?: string;
  readonly pool6?: string;
  /** The IPv4 space this range takes from its pool: the carved subnet, or the range itself. */
  readonly block?: Interval;
  /** The IPv6 space taken from its pool: a delegated /64, a carved subnet, or the static range. */
  readonly block6?: Interval;
  /** True for ranges made with `range add`, which oned does not know about. */
  readonly unmanaged?: boolean;
  /** Unmanaged ranges: whose block it is (`range add --owner`); `lease --count` leaves it to that owner. */
  readonly owner?: string;
  /**
   * The driver (IPAM_MAD) whose register made the range, when several drivers share one book:
   * `reconcile --driver NAME` judges only NAME's ranges. Absent on ranges of books written before
   * it was recorded, on operator ranges, and where nobody knows (a rebuilt AR without IPAM_MAD).
   */
  readonly driver?: string;
  /**
   * Where the next picked block starts looking (oned 7.4 keeps a NEXT_INDEX the same way): one
   * past the last block get_address or `lease --count` picked. Absent means 0. A freed address
   * is thus picked again only once the cursor has gone round the range: `onevnet release` frees
   * an address that a VM may still be using.
   */
  readonly nextIndex?: bigint;
  /** What oned's own count of the range's leases (USED_LEASES) told the driver: `core/engine/oned-count.ts`. */
  readonly oned?: OnedCount;
  readonly createdAt: string;
  readonly requestId?: string;
  /**
   * Fields a newer release wrote on this range that this one does not know (book-format.ts):
   * kept as they were read and written back, so that a range this release changes loses nothing.
   */
  readonly unknownFields?: Readonly<Record<string, unknown>>;
  /** Sorted by `first`, disjoint, inside `0..size-1`. */
  readonly leases: readonly Lease[];
}

/**
 * oned's count of a range's leases against the book's, as the last request on the range carried
 * it (docs/oned-contract.md 3.4). oned holding more than the book means an address the book
 * thinks free is still some VM's (`onevnet release` frees one oned keeps).
 */
export interface OnedCount {
  /** USED_LEASES of the last request, before that request's own change. */
  readonly used: bigint;
  /** The addresses the book held for oned in the range at that moment. */
  readonly held: bigint;
  /** When this pair of counts was first seen. */
  readonly since: string;
  /**
   * Indices freed since the two counts last agreed (sorted, disjoint): any may still be held by
   * oned, so get_address never offers them. Emptied when the counts agree again.
   */
  readonly heldBack: readonly Interval[];
  /** The block the last get_address offered and the USED_LEASES it was offered at, until the next request tells whether oned took it. */
  readonly offered?: Interval & { readonly used: bigint };
}

export interface Book {
  readonly schema: 1;
  /** Bumped by every write; tells a reader which version of the book it saw. */
  readonly generation: number;
  /** Range ids are never reused, so an old id in oned cannot point at a new range. */
  readonly nextRangeId: number;
  readonly ranges: readonly RangeRecord[];
  /**
   * Set only when a newer release wrote the book: its format number (book-format.ts). Such a
   * book is read, never rewritten; absent for books of this release's format or older.
   */
  readonly newerFormat?: number;
  /**
   * Addresses seen in use outside the book (`holds.ts`): never handed out, never freed because of
   * them; absent when there are none.
   */
  readonly holds?: readonly Hold[];
  /** Which VM holds an address, as the state hook saw it (`vms.ts`); absent when none is known. */
  readonly vms?: readonly VmAddress[];
  /** Top-level fields a newer release wrote that this one does not know, written back as read. */
  readonly unknownFields?: Readonly<Record<string, unknown>>;
}

export const EMPTY_BOOK: Book = { schema: 1, generation: 0, nextRangeId: 1, ranges: [] };

export function findRange(book: Book, id: string): RangeRecord | undefined {
  return book.ranges.find((range) => range.id === id);
}

export function replaceRange(book: Book, range: RangeRecord): Book {
  return { ...book, ranges: book.ranges.map((r) => (r.id === range.id ? range : r)) };
}

export function removeRange(book: Book, id: string): Book {
  return { ...book, ranges: book.ranges.filter((r) => r.id !== id) };
}
