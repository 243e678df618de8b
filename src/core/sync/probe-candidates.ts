/**
 * The optional probe (a pool's `probe`, issue 18 item 5): which addresses sync asks before they
 * can be handed out, and what an answer means. The candidates of a range are the next `next`
 * free IPv4 addresses get_address would give, from the range's cursor round, skipping what it
 * skips (leases, reserved and excluded addresses, holds, addresses held back for oned); a
 * leased address is never a candidate. An answer makes a hold; no answer says nothing. Pure.
 */
import type { Family } from '../address/family.ts';
import type { Book } from '../book/book.ts';
import { holdsOf } from '../book/holds.ts';
import { poolNamed, type Config } from '../config/config.ts';
import { heldBackOf } from '../engine/oned-count.ts';
import { takenIndices } from '../engine/taken-indices.ts';
import { nextFreeBlock } from '../intervals/free-block.ts';
import { union } from '../intervals/sorted.ts';
import type { SyncHold } from './sync-plan.ts';

export interface ProbeCandidate {
  readonly family: Family;
  readonly address: bigint;
  readonly pool: string;
}

/** An address that answered the probe, and when (ISO). */
export interface ProbeAnswer {
  readonly family: Family;
  readonly address: bigint;
  readonly pool: string;
  readonly at: string;
}

export function probeCandidates(book: Book, config: Config): ProbeCandidate[] {
  const candidates: ProbeCandidate[] = [];
  const holds = holdsOf(book);
  for (const range of book.ranges) {
    const pool = range.pool === undefined ? undefined : poolNamed(config, range.pool);
    if (!pool?.probe || range.ip === undefined || range.size < 1n) continue;
    let taken = union([...takenIndices(range, config, holds), ...heldBackOf(range)]);
    const within = { first: 0n, last: range.size - 1n };
    let cursor = range.nextIndex ?? 0n;
    for (let n = 0; n < pool.probe.next; n++) {
      const index = nextFreeBlock(taken, within, 1n, cursor);
      if (index === undefined) break;
      candidates.push({ family: 'ipv4', address: range.ip + index, pool: pool.name });
      taken = union([...taken, { first: index, last: index }]);
      cursor = index + 1n;
    }
  }
  return candidates;
}

export function probeHolds(answers: readonly ProbeAnswer[]): Omit<SyncHold, 'seenAt'>[] {
  return answers.map(({ family, address, pool, at }) => ({
    family,
    address,
    pool,
    source: 'probe',
    reason: `answered ICMP echo at ${at}`,
  }));
}
