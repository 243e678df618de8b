/**
 * Many DnsUpdates of one zone sent as one RFC 2136 UPDATE (one message costs BIND about as much
 * as one name: 20 000 names one by one take 20 s, in batches well under one), pure. A batch
 * applies whole or not at all, and its prerequisites are checked all before any change (RFC 2136
 * 3.2), so its updates are independent of each other only when each is about names of its own:
 * the prerequisites of a second update of one name would be checked against the zone before the
 * first one's change, not after it as when sent alone; and in separate batches the second could
 * overtake the first while the first's batch is being split. So the updates must be about names
 * of their own, one update per name, as the plan makes them (plan-dns.ts): batchUpdates refuses
 * a list that is not, with an internal error, before anything is sent. When a
 * batch is refused for one of its updates (a prerequisite that failed: YXDOMAIN, YXRRSET,
 * NXDOMAIN, NXRRSET; or any answer that may be about one update), it is split in halves and each
 * sent again, down to the single update that fails, which gets that answer as its outcome,
 * exactly as if it had been sent alone; the rest apply. An answer about the zone or the key
 * (NOTAUTH, NOTZONE, REFUSED, NOTIMP) would be the same for every update: it is the outcome of
 * all of them without splitting.
 */
import { IpamError } from '../../core/errors.ts';
import type { DnsUpdate } from '../../core/sync/target-records.ts';

/** Indices into the caller's list of updates, all of one zone, in order. */
export type Batch = readonly number[];

/** Answers that say something about the zone or the key, not one update: splitting cannot help. */
const WHOLE_ZONE_RCODES = new Set([4 /* NOTIMP */, 5 /* REFUSED */, 9 /* NOTAUTH */, 10 /* NOTZONE */]);

/**
 * Not an rcode: the batch's message came out bigger than a message may be (its size is
 * estimated from its updates', and name compression differs), so it was not sent; it is split.
 */
export const TOO_BIG = -1;

/** Every name an update is about: in its prerequisites, its removals and its additions (lower-case). */
function namesOf(update: DnsUpdate): Set<string> {
  const names = new Set<string>();
  for (const pre of update.prerequisites)
    if (pre.kind === 'rrset-equals') for (const record of pre.records) names.add(record.name.toLowerCase());
    else names.add(pre.name.toLowerCase());
  for (const record of [...update.remove, ...update.add]) names.add(record.name.toLowerCase());
  return names;
}

/**
 * The updates in batches: consecutive updates of one zone whose messages (`sizes`, each
 * encoded alone) add up to at most `limit` bytes and `most` updates. An update bigger than
 * `limit` alone is a batch of its own. Two updates about one name are refused (above).
 */
export function batchUpdates(
  updates: readonly DnsUpdate[],
  sizes: readonly number[],
  limit: number,
  most: number,
): Batch[] {
  const batches: number[][] = [];
  const open = new Map<string, { indices: number[]; bytes: number }>();
  const updateOf = new Map<string, number>();
  updates.forEach((update, index) => {
    for (const name of namesOf(update)) {
      const other = updateOf.get(name);
      if (other !== undefined && other !== index)
        throw new IpamError(
          'internal',
          `Cannot send DNS updates: updates ${other} and ${index} are both about ${name} (one update per name)`,
        );
      updateOf.set(name, index);
    }
    const size = sizes[index]!;
    let current = open.get(update.zone);
    if (current && (current.bytes + size > limit || current.indices.length >= most)) {
      batches.push(current.indices);
      current = undefined;
    }
    if (!current) {
      current = { indices: [], bytes: 0 };
      open.set(update.zone, current);
    }
    current.indices.push(index);
    current.bytes += size;
  });
  for (const { indices } of open.values()) batches.push(indices);
  return batches.sort((a, b) => a[0]! - b[0]!);
}

/** The updates of `batch` as one: their prerequisites, removals and additions, in order. */
export function mergedUpdate(updates: readonly DnsUpdate[], batch: Batch): DnsUpdate {
  const members = batch.map((index) => updates[index]!);
  return {
    zone: members[0]!.zone,
    prerequisites: members.flatMap((u) => u.prerequisites),
    remove: members.flatMap((u) => u.remove),
    add: members.flatMap((u) => u.add),
  };
}

/** The two halves of a batch (the first one longer by one at most). */
function halves(batch: Batch): [Batch, Batch] {
  const middle = Math.ceil(batch.length / 2);
  return [batch.slice(0, middle), batch.slice(middle)];
}

/**
 * What one answer to `batch` settles: the rcode of each of its updates, or, when the answer may
 * be about one of them only, its halves to send again.
 */
function settle(
  batch: Batch,
  rcode: number,
): { readonly settled: readonly (readonly [number, number])[]; readonly again: readonly Batch[] } {
  if (rcode === 0 || batch.length === 1 || WHOLE_ZONE_RCODES.has(rcode))
    return { settled: batch.map((index) => [index, rcode] as const), again: [] };
  return { settled: [], again: halves(batch) };
}

/**
 * Every update's rcode, sending rounds of batches with `send` until every update is settled: at
 * most 1 + log2(largest batch) rounds. `send` hands each batch's answer to `answer` (by its
 * place in the round) as it arrives, and `onSettled` hears each update's rcode as soon as it is
 * known, so a connection that drops partway loses no answer already given; then `send` throws,
 * and so does this.
 */
export async function sendInBatches(
  first: readonly Batch[],
  send: (round: readonly Batch[], answer: (place: number, rcode: number) => void) => Promise<void>,
  onSettled: (index: number, rcode: number) => void = () => {},
): Promise<Map<number, number>> {
  const rcodes = new Map<number, number>();
  let round = first.filter((batch) => batch.length > 0);
  // Each round halves every batch still open: a bound far above what 65 535 bytes can hold.
  for (let depth = 0; round.length > 0; depth++) {
    if (depth > 32) throw new IpamError('internal', 'Cannot send DNS updates: the batches did not settle in 32 rounds');
    const current = round;
    const again: (readonly Batch[] | undefined)[] = current.map(() => undefined);
    await send(current, (place, rcode) => {
      if (again[place] !== undefined)
        throw new IpamError('internal', `Cannot send DNS updates: batch ${place} of the round was answered twice`);
      const settling = settle(current[place]!, rcode);
      again[place] = settling.again;
      for (const [index, code] of settling.settled) {
        rcodes.set(index, code);
        onSettled(index, code);
      }
    });
    const unanswered = again.indexOf(undefined);
    if (unanswered !== -1)
      throw new IpamError('internal', `Cannot send DNS updates: batch ${unanswered} of the round got no answer`);
    // The halves in the round's order, whatever order the answers came in.
    round = again.flatMap((halves) => (halves ?? []).filter((half) => half.length > 0));
  }
  return rcodes;
}
