/**
 * What an address that somebody else uses (a record or a DHCP lease nebula-ipam did not make)
 * means for the book: on a lease of the book, a conflict; free in a range or in a pool's free
 * space, a hold (nothing may hand it out); in the subnet carved for a range but outside the
 * range's addresses, a hold too, and said apart (`carved`): no range hands it out today, but the
 * subnet is the range's network, so whoever uses it shares the VMs' network, and a range carved
 * there later (after this one is unregistered) must not hand it out; a gateway, DNS server,
 * network or broadcast address, excluded space or an address outside every pool, nothing (it is
 * expected to be in use, or not the book's business).
 */
import { FAMILIES, type Family } from '../address/family.ts';
import type { Book } from '../book/book.ts';
import type { Config } from '../config/config.ts';
import { locateAddress } from '../operator/locate-address.ts';

export type ForeignUse =
  | { readonly kind: 'on-lease'; readonly range: string }
  | { readonly kind: 'hold'; readonly pool: string }
  | { readonly kind: 'carved'; readonly pool: string; readonly range: string }
  | { readonly kind: 'none' };

export function foreignUse(book: Book, config: Config, family: Family, value: bigint): ForeignUse {
  const where = locateAddress(book, config, { space: family, value, text: FAMILIES[family].format(value) });
  switch (where.kind) {
    case 'leased':
      return { kind: 'on-lease', range: where.range.id };
    case 'free': {
      const pool = family === 'ipv4' ? where.range.pool : where.range.pool6;
      return pool === undefined ? { kind: 'none' } : { kind: 'hold', pool };
    }
    case 'pool-free':
      return { kind: 'hold', pool: where.pool.name };
    case 'carved': {
      const pool = family === 'ipv4' ? where.range.pool : where.range.pool6;
      return pool === undefined ? { kind: 'none' } : { kind: 'carved', pool, range: where.range.id };
    }
    default:
      return { kind: 'none' };
  }
}

/** The family and value of an address in text, or undefined. */
export function addressValue(text: string): { family: Family; address: bigint } | undefined {
  for (const family of ['ipv4', 'ipv6'] as const) {
    const address = FAMILIES[family].parse(text);
    if (address !== undefined) return { family, address };
  }
  return undefined;
}
