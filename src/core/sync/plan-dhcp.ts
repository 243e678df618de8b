/**
 * The DHCP half of the plan, one Kea target at a time: put what the book wants and the server
 * lacks (or holds with another MAC, or will let go within half its lifetime), remove only
 * entries marked ours whose address the book no longer wants, and report every entry not ours
 * that uses a pool's address: on a lease, a conflict (and the book's host is not put over it);
 * elsewhere in a pool, a hold.
 */
import type { Book } from '../book/book.ts';
import type { Config } from '../config/config.ts';
import type { DesiredDhcp } from './desired-state.ts';
import { addressValue, foreignUse } from './foreign-use.ts';
import { canonicalAddress } from './ownership.ts';
import type { DhcpPut, SyncConflict, SyncHold } from './sync-plan.ts';
import type { ObservedDhcpEntry } from './target-records.ts';

export interface DhcpPlan {
  readonly put: DhcpPut[];
  readonly remove: ObservedDhcpEntry[];
  readonly conflicts: SyncConflict[];
  readonly holds: Omit<SyncHold, 'seenAt'>[];
  readonly desired: number;
  inPlace: number;
  conflicting: number;
}

const keyOf = (family: string, address: string) => `${family}/${canonicalAddress(address)}`;

/** `nowSeconds`: seconds since the epoch, the clock `expiresAt` is on. */
export function planDhcp(
  want: DesiredDhcp,
  entries: readonly ObservedDhcpEntry[],
  book: Book,
  config: Config,
  nowSeconds: number,
): DhcpPlan {
  const seen = new Map<string, ObservedDhcpEntry>();
  for (const entry of entries) {
    const key = keyOf(entry.family, entry.address);
    // Our own entry decides over a foreign one on the same address (a server holds one per address).
    if (!seen.has(key) || (entry.ours && !seen.get(key)!.ours)) seen.set(key, entry);
  }
  const wanted = new Set(want.hosts.map((h) => keyOf(h.family, h.address)));
  const plan: DhcpPlan = {
    put: [],
    remove: [],
    conflicts: [],
    holds: [],
    desired: want.hosts.length,
    inPlace: 0,
    conflicting: 0,
  };

  for (const host of want.hosts) {
    const entry = seen.get(keyOf(host.family, host.address));
    if (!entry) plan.put.push({ host, why: 'new' });
    else if (!entry.ours) plan.conflicting++;
    else if (entry.mac !== host.mac) plan.put.push({ host, why: 'changed' });
    // Kea resets a renewed lease's lifetime to the subnet's and clears its hostname: neither is compared.
    else if (
      entry.expiresAt !== undefined &&
      host.lifetimeSeconds !== undefined &&
      entry.expiresAt - nowSeconds < host.lifetimeSeconds / 2
    )
      plan.put.push({ host, why: 'renew' });
    else plan.inPlace++;
  }
  for (const entry of entries) {
    if (entry.ours) {
      if (!wanted.has(keyOf(entry.family, entry.address))) plan.remove.push(entry);
      continue;
    }
    const at = addressValue(entry.address);
    if (!at) continue;
    const use = foreignUse(book, config, at.family, at.address);
    if (use.kind === 'on-lease')
      plan.conflicts.push({ kind: 'dhcp-on-lease', target: want.target, entry, range: use.range });
    else if (use.kind === 'hold' || use.kind === 'carved') {
      plan.holds.push({
        family: at.family,
        address: at.address,
        pool: use.pool,
        source: 'dhcp',
        reason: `DHCP lease${entry.mac === undefined ? '' : ` of ${entry.mac}`} on target ${want.target}`,
      });
    }
  }
  return plan;
}
