/**
 * The optional probe (a pool's `probe`, issue 18 item 5): which addresses sync asks before they
 * can be handed out. The candidates of a range are the next `next` free IPv4 addresses
 * get_address would give, from the range's cursor round, skipping what it skips (leases,
 * reserved and excluded addresses, holds, addresses held back for oned): a leased address is
 * never asked, and a held one is not asked again until the operator releases it. Pure.
 */
import type { Book } from '../book/book.ts';
import { holdsOf } from '../book/holds.ts';
import { poolNamed, type Config } from '../config/config.ts';
import { heldBackOf } from '../engine/oned-count.ts';
import { takenIndices } from '../engine/taken-indices.ts';
import { nextFreeBlock } from '../intervals/free-block.ts';
import { union } from '../intervals/sorted.ts';

export interface ProbeCandidate {
  readonly address: bigint;
  readonly pool: string;
  /** The pool's `probe.port` and `probe.timeoutMs`: what the edge connects to, and for how long. */
  readonly port: number;
  readonly timeoutMs: number;
}

export function probeCandidates(book: Book, config: Config): ProbeCandidate[] {
  const candidates: ProbeCandidate[] = [];
  const holds = holdsOf(book);
  for (const range of book.ranges) {
    const pool = range.pool === undefined ? undefined : poolNamed(config, range.pool);
    if (!pool?.probe || pool.family !== 'ipv4' || range.ip === undefined || range.size < 1n) continue;
    const { port, timeoutMs, next } = pool.probe;
    let taken = union([...takenIndices(range, config, holds), ...heldBackOf(range)]);
    const within = { first: 0n, last: range.size - 1n };
    let cursor = range.nextIndex ?? 0n;
    for (let n = 0; n < next; n++) {
      const index = nextFreeBlock(taken, within, 1n, cursor);
      if (index === undefined) break;
      candidates.push({ address: range.ip + index, pool: pool.name, port, timeoutMs });
      taken = union([...taken, { first: index, last: index }]);
      cursor = index + 1n;
    }
  }
  return candidates;
}
