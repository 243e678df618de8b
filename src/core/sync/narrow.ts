/**
 * What `sync --follow` needs to act on a book change at once, without reading every zone and
 * every Kea lease again (that is the periodic full pass's job, which stays level-triggered): the
 * targets as the last pass left them (`observedAfter`: what it read, with what the targets
 * confirmed applied), and the desired state and that view cut down to what the change touches
 * (`narrowed`): the names whose wanted records differ, the DHCP addresses whose wanted host
 * differs. `plan` over the narrowed pair plans exactly the changes the book's change needs, with
 * the same prerequisites (a name somebody took meanwhile fails its update, reported, and the next
 * full pass reads it). Pure.
 */
import { compareRecords, type DesiredDhcp, type DesiredState, type DesiredZone } from './desired-state.ts';
import { canonicalAddress, registeredName } from './ownership.ts';
import type { Observed, SyncPlan } from './sync-plan.ts';
import type { PassOutcomes } from './tally-after.ts';
import type { DhcpHost, DnsRecord, ObservedDhcpEntry } from './target-records.ts';

/** `observed` with every change the targets confirmed in `outcomes` made; `nowSeconds` dates the leases put. */
export function observedAfter(
  observed: Observed,
  planned: SyncPlan,
  outcomes: PassOutcomes,
  nowSeconds: number,
): Observed {
  // Per zone, everything applied at once: a first pass applies one update per name.
  const changes = new Map<string, { gone: Set<string>; added: DnsRecord[] }>();
  for (const { target, updates } of planned.dns) {
    const said = outcomes.dns[target] ?? [];
    updates.forEach((update, i) => {
      if (said[i]?.applied !== true) return;
      const key = zoneKey(target, update.zone);
      let change = changes.get(key);
      if (!change) {
        change = { gone: new Set(), added: [] };
        changes.set(key, change);
      }
      for (const record of update.remove) change.gone.add(recordKey(record));
      change.added.push(...update.add);
    });
  }
  const zones = observed.zones.map((z) => {
    const change = changes.get(zoneKey(z.target, z.zone));
    if (!change) return z;
    return { ...z, records: [...z.records.filter((r) => !change.gone.has(recordKey(r))), ...change.added] };
  });
  const dhcp = observed.dhcp.map((d) => {
    const done = outcomes.dhcp[d.target];
    const planFor = planned.dhcp.find((p) => p.target === d.target);
    if (!done || !planFor) return d;
    const entries = new Map(d.entries.map((e) => [hostKey(e), e]));
    planFor.remove.forEach((entry, i) => {
      if (done.remove[i]) entries.delete(hostKey(entry));
    });
    planFor.put.forEach(({ host }, i) => {
      if (done.put[i]) entries.set(hostKey(host), putEntry(host, nowSeconds));
    });
    return { target: d.target, entries: [...entries.values()] };
  });
  return { zones, dhcp };
}

/**
 * `next` and `observed` cut down to what differs between `previous` and `next`: per zone, the
 * names (with their registry names) whose wanted records are not the same; per DHCP target, the
 * addresses whose wanted host is not the same. Zones and targets stay, also with nothing left.
 */
export function narrowed(
  previous: DesiredState,
  next: DesiredState,
  observed: Observed,
): { readonly desired: DesiredState; readonly observed: Observed } {
  const prefix = next.registryPrefix;
  const baseOf = (name: string) => registeredName(prefix, name) ?? name;
  const touchedNames = new Map<string, Set<string>>();
  const zones = next.zones.map((zone): DesiredZone => {
    const before = previous.zones.find((z) => z.target === zone.target && z.zone === zone.zone);
    const touched = differingNames(before?.records ?? [], zone.records, baseOf);
    touchedNames.set(zoneKey(zone.target, zone.zone), touched);
    return { ...zone, records: zone.records.filter((r) => touched.has(baseOf(r.name))) };
  });
  const touchedHosts = new Map<string, Set<string>>();
  const dhcp = next.dhcp.map((want): DesiredDhcp => {
    const before = previous.dhcp.find((d) => d.target === want.target);
    const touched = differingKeys(before?.hosts ?? [], want.hosts, hostKey, (h) => JSON.stringify(h));
    touchedHosts.set(want.target, touched);
    return { ...want, hosts: want.hosts.filter((h) => touched.has(hostKey(h))) };
  });
  return {
    desired: { ...next, zones, dhcp, findings: [] },
    observed: {
      zones: observed.zones.map((z) => {
        const touched = touchedNames.get(zoneKey(z.target, z.zone)) ?? new Set<string>();
        return { ...z, records: z.records.filter((r) => touched.has(baseOf(r.name))) };
      }),
      dhcp: observed.dhcp.map((d) => {
        const touched = touchedHosts.get(d.target) ?? new Set<string>();
        return { ...d, entries: d.entries.filter((e) => touched.has(hostKey(e))) };
      }),
    },
  };
}

/**
 * The names (by `baseOf`: a registry name counts as the name it stands for) with a record in
 * one list and not the other, both sorted as desiredState sorts them: one walk, no copies.
 */
function differingNames(
  before: readonly DnsRecord[],
  after: readonly DnsRecord[],
  baseOf: (name: string) => string,
): Set<string> {
  const touched = new Set<string>();
  let i = 0;
  let j = 0;
  while (i < before.length || j < after.length) {
    const order = i >= before.length ? 1 : j >= after.length ? -1 : compareRecords(before[i]!, after[j]!);
    if (order === 0) {
      i++;
      j++;
    } else if (order < 0) touched.add(baseOf(before[i++]!.name));
    else touched.add(baseOf(after[j++]!.name));
  }
  return touched;
}

/** The keys (by `keyOf`) whose items, as `textOf` writes them, are not the same in `before` and `after`. */
function differingKeys<T>(
  before: readonly T[],
  after: readonly T[],
  keyOf: (item: T) => string,
  textOf: (item: T) => string,
): Set<string> {
  const texts = (items: readonly T[]) => {
    const map = new Map<string, string[]>();
    for (const item of items) {
      const key = keyOf(item);
      const list = map.get(key);
      if (list) list.push(textOf(item));
      else map.set(key, [textOf(item)]);
    }
    return map;
  };
  const was = texts(before);
  const is = texts(after);
  const touched = new Set<string>();
  for (const [key, list] of is) if (was.get(key)?.sort().join('\n') !== list.sort().join('\n')) touched.add(key);
  for (const key of was.keys()) if (!is.has(key)) touched.add(key);
  return touched;
}

const zoneKey = (target: string, zone: string) => `${target}\u0000${zone}`;
const recordKey = (r: DnsRecord) => `${r.name}\u0000${r.type}\u0000${r.data}`;
const hostKey = (h: { readonly family: string; readonly address: string }) =>
  `${h.family}/${canonicalAddress(h.address)}`;

/** Our entry as Kea holds it once put (as a read would show it). */
function putEntry(host: DhcpHost, nowSeconds: number): ObservedDhcpEntry {
  return {
    family: host.family,
    mac: host.mac,
    address: host.address,
    ...(host.hostname === undefined ? {} : { hostname: host.hostname }),
    ours: true,
    ...(host.lifetimeSeconds === undefined ? {} : { expiresAt: nowSeconds + host.lifetimeSeconds }),
  };
}
