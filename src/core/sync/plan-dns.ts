/**
 * The DNS half of the plan, zone by zone: for each name the book wants or nebula-ipam owns, one
 * RFC 2136 UPDATE whose prerequisites hold only if the name is still as it was read, so that a
 * record somebody else wrote (or wrote since) is never overwritten and a record is deleted only
 * while it holds what nebula-ipam wrote. Names held by somebody else are conflicts; their
 * records that use a pool's addresses become conflicts or holds (`foreign-use.ts`).
 *
 *   add     name-not-in-use(N), rrset-absent(<prefix>.N, TXT); adds the records and their marks
 *   change  per type touched rrset-equals(N, T as read) or rrset-absent(N, T),
 *           rrset-equals(<prefix>.N, TXT as read); removes ours that are not wanted, adds the rest
 *   delete  rrset-equals(N, T as read) per type, rrset-equals(<prefix>.N, TXT as read); removes ours
 */
import { FAMILIES } from '../address/family.ts';
import type { Book } from '../book/book.ts';
import type { Config } from '../config/config.ts';
import type { DesiredZone } from './desired-state.ts';
import { compareRecords } from './desired-state.ts';
import { addressValue, foreignUse } from './foreign-use.ts';
import { claimedAddresses, claimedRecord, readOwnerText, registeredName, registryName } from './ownership.ts';
import { addressOfPtrName } from '../dns/reverse-zone.ts';
import type { CarvedSpaceRecord, SyncConflict, SyncHold } from './sync-plan.ts';
import type { DnsPrerequisite, DnsRecord, DnsUpdate } from './target-records.ts';

export interface ZonePlan {
  readonly updates: DnsUpdate[];
  readonly conflicts: SyncConflict[];
  /** Holds without their time (the caller adds it). */
  readonly holds: Omit<SyncHold, 'seenAt'>[];
  readonly carvedSpace: CarvedSpaceRecord[];
  /** Desired A, AAAA and PTR records: in place, and at names held by somebody else. */
  desired: number;
  inPlace: number;
  conflicting: number;
}

interface Context {
  readonly owner: string;
  readonly prefix: string;
  readonly book: Book;
  readonly config: Config;
}

const keyOf = (r: DnsRecord) => `${r.name}\u0000${r.type}\u0000${r.data}\u0000${r.ttl}`;
const isAddressRecord = (r: DnsRecord) => r.type === 'A' || r.type === 'AAAA' || r.type === 'PTR';

export function planZone(want: DesiredZone, records: readonly DnsRecord[], context: Context): ZonePlan {
  const { owner, prefix } = context;
  const byName = groupByName(records);
  const wanted = groupByName(want.records);
  const result: ZonePlan = {
    updates: [],
    conflicts: [],
    holds: [],
    carvedSpace: [],
    desired: 0,
    inPlace: 0,
    conflicting: 0,
  };

  // Each TXT record's text is read once: a zone of 10 000 names is read in every pass.
  const marksRead = new Map<DnsRecord, ReturnType<typeof readOwnerText>>();
  const markOf = (record: DnsRecord) => {
    if (!marksRead.has(record)) marksRead.set(record, readOwnerText(record.data));
    return marksRead.get(record);
  };
  // The names to decide: those wanted, and those our marks claim.
  const names = new Set<string>();
  for (const name of wanted.keys()) if (registeredName(prefix, name) === undefined) names.add(name);
  for (const [name, at] of byName) {
    const base = registeredName(prefix, name);
    if (base !== undefined && !names.has(base) && at.some((r) => r.type === 'TXT' && markOf(r)?.owner === owner))
      names.add(base);
  }
  const taken = new Set<string>();
  const ours = new Set<DnsRecord>();
  for (const name of [...names].sort()) {
    const at = byName.get(name) ?? [];
    const registered = registryName(prefix, name);
    const registry = byName.get(registered) ?? [];
    const wantedHere = wanted.get(name) ?? [];
    const wantedAtRegistry = wanted.get(registered) ?? [];
    // The name exactly as the book wants it (each pass over a zone in step finds most so): its
    // records and marks are ours and in place, which the full look below would conclude too.
    if (at.length > 0 && sameRecords(at, wantedHere) && sameRecords(registry, wantedAtRegistry)) {
      for (const r of at) ours.add(r);
      for (const r of registry) ours.add(r);
      result.desired += at.length;
      result.inPlace += at.length;
      continue;
    }
    const txt = registry.filter((r) => r.type === 'TXT');
    const marks = txt.filter((r) => markOf(r)?.owner === owner);
    const others = [...new Set(txt.flatMap((r) => markOf(r)?.owner ?? []).filter((o) => o !== owner))].sort();
    const claimed = claimedAddresses(marks, markOf);
    const mine = at.filter((r) => isAddressRecord(r) && claimedRecord(r, claimed));
    for (const r of [...mine, ...marks]) ours.add(r);
    const wantedRecords = wantedHere.filter(isAddressRecord);
    const wantedMarks = wantedAtRegistry.filter((r) => r.type === 'TXT');
    result.desired += wantedRecords.length;

    if (marks.length === 0 || others.length > 0) {
      // Not ours (or claimed by another book too): only a free name is taken.
      if (at.length > 0 || txt.length > 0) {
        if (wantedRecords.length > 0) {
          taken.add(name);
          result.conflicts.push({
            kind: 'name-taken',
            target: want.target,
            zone: want.zone,
            name,
            otherOwners: others,
          });
          result.conflicting += wantedRecords.length;
        }
        continue;
      }
      if (wantedRecords.length === 0) continue;
      result.updates.push({
        zone: want.zone,
        prerequisites: [
          { kind: 'name-not-in-use', name },
          { kind: 'rrset-absent', name: registryName(prefix, name), type: 'TXT' },
        ],
        remove: [],
        add: [...wantedRecords, ...wantedMarks].sort(compareRecords),
      });
      continue;
    }

    // A reverse name stands for one address: a PTR of somebody else's there (beside a mark of
    // ours that names another address) would become ours once ours is added. Theirs decides.
    if (wantedRecords.some((r) => r.type === 'PTR') && at.some((r) => r.type === 'PTR' && !mine.includes(r))) {
      taken.add(name);
      result.conflicts.push({ kind: 'name-taken', target: want.target, zone: want.zone, name, otherOwners: others });
      result.conflicting += wantedRecords.length;
      continue;
    }
    const have = new Set([...mine, ...marks].map(keyOf));
    const wantKeys = new Set([...wantedRecords, ...wantedMarks].map(keyOf));
    const remove = [...mine, ...marks].filter((r) => !wantKeys.has(keyOf(r))).sort(compareRecords);
    const add = [...wantedRecords, ...wantedMarks].filter((r) => !have.has(keyOf(r))).sort(compareRecords);
    result.inPlace += wantedRecords.filter((r) => have.has(keyOf(r))).length;
    if (remove.length === 0 && add.length === 0) continue;
    const prerequisites: DnsPrerequisite[] = [];
    for (const type of [...new Set([...remove, ...add].filter(isAddressRecord).map((r) => r.type))].sort()) {
      const rrset = at.filter((r) => r.type === type).sort(compareRecords);
      prerequisites.push(
        rrset.length ? { kind: 'rrset-equals', records: rrset } : { kind: 'rrset-absent', name, type },
      );
    }
    prerequisites.push({ kind: 'rrset-equals', records: [...txt].sort(compareRecords) });
    result.updates.push({ zone: want.zone, prerequisites, remove, add });
  }

  // Records of somebody else's that use an address: conflicts on leases, holds in pools.
  for (const record of records) {
    if (!isAddressRecord(record) || ours.has(record)) continue;
    const at = record.type === 'PTR' ? addressOfPtrName(record.name) : addressValue(record.data);
    if (!at) continue;
    const use = foreignUse(context.book, context.config, at.family, at.address);
    const address = FAMILIES[at.family].format(at.address);
    if (use.kind === 'on-lease' && !taken.has(record.name)) {
      result.conflicts.push({
        kind: 'record-on-lease',
        target: want.target,
        zone: want.zone,
        record,
        address,
        range: use.range,
      });
    } else if (use.kind === 'hold' || use.kind === 'carved') {
      if (use.kind === 'carved')
        result.carvedSpace.push({
          target: want.target,
          zone: want.zone,
          record,
          address,
          range: use.range,
          pool: use.pool,
        });
      result.holds.push({
        family: at.family,
        address: at.address,
        pool: use.pool,
        source: 'dns',
        reason: `${record.type} record ${record.name} on target ${want.target}`,
      });
    }
  }
  return result;
}

/**
 * The same records, in any order (name, type, data and TTL). Only address records are wanted at
 * a name and only our marks at its registry name, so `have` equal to `want` is a name in step.
 */
export function sameRecords(have: readonly DnsRecord[], want: readonly DnsRecord[]): boolean {
  if (have.length !== want.length) return false;
  // Field by field, no key strings built: the no-change pass asks this twice for every name.
  if (have.length === 1) return sameRecord(have[0]!, want[0]!);
  const a = [...have].sort(compareRecords);
  const b = [...want].sort(compareRecords);
  return a.every((record, i) => sameRecord(record, b[i]!));
}

const sameRecord = (a: DnsRecord, b: DnsRecord) =>
  a.name === b.name && a.type === b.type && a.data === b.data && a.ttl === b.ttl;

function groupByName(records: readonly DnsRecord[]): Map<string, DnsRecord[]> {
  const map = new Map<string, DnsRecord[]>();
  for (const record of records) {
    const list = map.get(record.name);
    if (list) list.push(record);
    else map.set(record.name, [record]);
  }
  return map;
}
