/**
 * Holds: addresses of a pool seen in use outside the book (a DNS record nebula-ipam does not
 * own, a DHCP lease it did not make, an address a VM reports, a probe's answer). The book keeps
 * them so that nothing hands them out; nothing is ever freed because of one, and only the
 * operator releases one (`nebula-ipam hold release`). Pure.
 */
import type { Family } from '../address/family.ts';
import type { Book } from './book.ts';

/** Where the use was seen; `operator`: held by hand (`nebula-ipam hold add`). */
export type HoldSource = 'dns' | 'dhcp' | 'vm' | 'probe' | 'operator';

export interface Hold {
  readonly family: Family;
  readonly address: bigint;
  /** The pool the address is in, when it was seen. */
  readonly pool: string;
  readonly source: HoldSource;
  /** One line an operator can act on, e.g. `A record web.cloud.example.com on target bind`. */
  readonly reason: string;
  /** ISO times of the first and the latest observation. */
  readonly firstSeen: string;
  readonly lastSeen: string;
}

/** One observation, as a sync pass or the hook reports it. */
export interface SeenInUse {
  readonly family: Family;
  readonly address: bigint;
  readonly pool: string;
  readonly source: HoldSource;
  readonly reason: string;
  readonly seenAt: string;
}

const order = (a: Pick<Hold, 'family' | 'address'>, b: Pick<Hold, 'family' | 'address'>) =>
  a.family !== b.family ? (a.family < b.family ? -1 : 1) : a.address < b.address ? -1 : a.address > b.address ? 1 : 0;

export function holdsOf(book: Book): readonly Hold[] {
  return book.holds ?? [];
}

export function holdAt(book: Book, family: Family, address: bigint): Hold | undefined {
  return holdsOf(book).find((hold) => hold.family === family && hold.address === address);
}

/**
 * The book with every observation held: a new address gets a hold, a held one its latest time
 * and reason. Holds not seen again stay (a server that was down says nothing). The same book
 * object when nothing changed, so the caller writes nothing.
 */
export function recordHolds(book: Book, seen: readonly SeenInUse[]): Book {
  const byKey = new Map(holdsOf(book).map((hold) => [`${hold.family}/${hold.address}`, hold]));
  let changed = false;
  for (const use of seen) {
    const key = `${use.family}/${use.address}`;
    const held = byKey.get(key);
    if (held && held.reason === use.reason && held.lastSeen >= use.seenAt) continue;
    changed = true;
    byKey.set(key, {
      family: use.family,
      address: use.address,
      pool: use.pool,
      source: use.source,
      reason: use.reason,
      firstSeen: held?.firstSeen ?? use.seenAt,
      lastSeen: held && held.lastSeen > use.seenAt ? held.lastSeen : use.seenAt,
    });
  }
  if (!changed) return book;
  return { ...book, holds: [...byKey.values()].sort(order) };
}

/** The book without the hold on `address`, and that hold (undefined: there was none). */
export function releaseHold(book: Book, family: Family, address: bigint): { book: Book; released?: Hold } {
  const released = holdAt(book, family, address);
  if (!released) return { book };
  const rest = holdsOf(book).filter((hold) => hold !== released);
  const { holds: _, ...without } = book;
  return { book: rest.length ? { ...book, holds: rest } : without, released };
}
