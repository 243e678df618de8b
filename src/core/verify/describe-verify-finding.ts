/** A verify finding in words, as the row of a table: what is wrong, which range, the values. */
import { describeAccessFinding } from './access-finding.ts';
import type { VerifyFinding } from './verify-finding.ts';

export interface FindingRow {
  readonly problem: string;
  readonly range: string;
  readonly detail: string;
}

export function describeVerifyFinding(f: VerifyFinding): FindingRow {
  switch (f.kind) {
    case 'book-access':
      return describeAccessFinding(f);
    case 'stray-book':
      return {
        problem: 'another lease book',
        range: '-',
        detail: `${f.path} is a lease book too, not the one in use (${f.book}); if oned never used it, remove it; to see what it holds: nebula-ipam --store ${f.path} leases`,
      };
    case 'target-drift':
      return {
        problem: 'target behind',
        range: '-',
        detail: `${f.state}; behind for more than ${f.maxAgeSeconds} s: see why with nebula-ipam sync --dry-run`,
      };
    case 'book-unreadable':
      return { problem: 'book unreadable', range: '-', detail: f.message };
    case 'bad-header':
      return { problem: `bad ${f.field}`, range: '-', detail: `${f.field} is ${f.value}` };
    case 'duplicate-range-id':
      return { problem: 'duplicate range id', range: f.range, detail: `${f.count} ranges share this id` };
    case 'range-id-not-below-next':
      return {
        problem: 'range id ahead of counter',
        range: f.range,
        detail: `nextRangeId is ${f.nextRangeId}, so this id would be handed out again`,
      };
    case 'bad-range-size':
      return { problem: 'bad range size', range: f.range, detail: `size ${f.size} is outside 1..2^32` };
    case 'range-missing-address':
      return { problem: 'range lacks its address', range: f.range, detail: `a ${f.type} range needs ${f.missing}` };
    case 'range-past-address-end':
      return {
        problem: 'range past address end',
        range: f.range,
        detail: `${f.first} + ${f.size} runs past the end of the ${f.space === 'mac' ? 'MAC' : f.space} space`,
      };
    case 'lease-outside-range':
      return {
        problem: 'lease outside range',
        range: f.range,
        detail: `indices ${f.from}-${f.to}, the range has ${f.size} address${String(f.size) === '1' ? '' : 'es'}`,
      };
    case 'leases-out-of-order':
      return { problem: 'leases out of order', range: f.range, detail: `${f.addresses} comes after ${f.previous}` };
    case 'leases-overlap':
      return { problem: 'leases overlap', range: f.range, detail: `${f.addresses} overlaps ${f.other}` };
    case 'ranges-overlap':
      return {
        problem: 'ranges overlap',
        range: f.range,
        detail: `${f.space} (${f.family}) is also range ${f.other}'s`,
      };
    case 'range-outside-block':
      return {
        problem: 'range outside its subnet',
        range: f.range,
        detail: `${f.addresses} (${f.family}) sticks out of its recorded space ${f.block}`,
      };
    case 'range-outside-pool':
      return {
        problem: 'range outside its pool',
        range: f.range,
        detail: `${f.space} is not inside pool "${f.pool}" (${f.network})`,
      };
    case 'range-pool-unknown':
      return {
        problem: 'pool not in config',
        range: f.range,
        detail: `${f.family} pool "${f.pool}" is not in ${f.config}`,
      };
    case 'range-pool-wrong-family':
      return {
        problem: 'pool of other family',
        range: f.range,
        detail: `the ${f.family} side names pool "${f.pool}", which is not ${f.family}`,
      };
    case 'range-in-pool-unrecorded':
      return {
        problem: 'range in pool, unrecorded',
        range: f.range,
        detail: `${f.space} lies in pool "${f.pool}" but the range does not record it`,
      };
    case 'range-on-excluded':
      return {
        problem: 'range on excluded space',
        range: f.range,
        detail: `${f.space} touches ${f.exclude}, excluded from pool "${f.pool}"`,
      };
    case 'lease-on-excluded':
      return {
        problem: 'lease on excluded address',
        range: f.range,
        detail: `${f.addresses} (${f.holder}) is in ${f.exclude}, excluded from pool "${f.pool}"`,
      };
    case 'held-address-leased':
      return {
        problem: 'held address leased',
        range: f.range,
        detail: `${f.address} is held (${f.source}: ${f.reason}) and leased in the book: two users may share it; find which is real, then \`nebula-ipam release --ip ${f.address}\` (or free it in OpenNebula) or \`nebula-ipam hold release ${f.address}\``,
      };
    case 'oned-count-differs':
      return {
        problem: 'oned holds more than the book',
        range: f.range,
        detail: `oned counted ${f.oned} lease${f.oned === 1 ? '' : 's'} (USED_LEASES), the book ${f.book}, since ${f.since}: an address freed here is still a VM's (onevnet release?); ${f.heldBack} held back from get_address; nebula-ipam reconcile settles it`,
      };
    case 'lease-on-reserved':
      return {
        problem: 'lease on reserved address',
        range: f.range,
        detail: `${f.address} (${f.holder}) is the ${f.role} of ${f.subnet} in pool "${f.pool}"`,
      };
  }
}
