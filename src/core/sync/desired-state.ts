/**
 * What should exist on the DNS and DHCP targets, as a pure function of the book and the config
 * (and the facts other sources add, such as the VM behind an address): for each leased address
 * of a pool with `dnsNames`, an A or AAAA record at the pattern's name in the forward zone, a PTR
 * in the reverse zone, and beside each an ownership TXT record (`ownership.ts`); for each leased
 * address with a MAC in a pool with `dhcp`, a DHCP host with the pool's gateway, DNS servers, MTU
 * and search domain. Deterministic: zones, records and hosts are sorted.
 */
import { formatPrefix } from '../address/prefix.ts';
import { formatMac } from '../address/mac.ts';
import type { Book } from '../book/book.ts';
import type { Config, Pool } from '../config/config.ts';
import { gatewayOf } from '../engine/carve.ts';
import { rangeSubnet } from '../engine/range-subnet.ts';
import { FAMILIES } from '../address/family.ts';
import { hostNameProblem, MAX_NAME_LENGTH } from '../dns/dns-name.ts';
import { addressLabel, fillNamePattern, labelText, type NameValues, type Placeholder } from '../dns/name-pattern.ts';
import { ownerText, registryName } from './ownership.ts';
import { ptrName } from '../dns/reverse-zone.ts';
import { MAX_SYNCED_ADDRESSES, syncAddresses, type SyncAddress } from './sync-addresses.ts';
import type { DhcpHost, DnsRecord } from './target-records.ts';

/** What the book does not hold but names need: the VM behind an address (the hook of issue 18 item 6). */
export interface SyncFacts {
  /** By address text (dotted quad, RFC 5952). */
  readonly vms?: ReadonlyMap<string, { readonly id: number; readonly name: string }>;
}

/** One zone on one DNS target, with every record nebula-ipam wants there (TXT marks included). */
export interface DesiredZone {
  readonly target: string;
  readonly zone: string;
  readonly kind: 'forward' | 'reverse';
  /** Sorted by name, type, data. */
  readonly records: readonly DnsRecord[];
}

export interface DesiredDhcp {
  readonly target: string;
  /** Sorted by family, then address. */
  readonly hosts: readonly DhcpHost[];
}

/** An address that gets no name, and why: the operator can fix the pattern, the lease or the VM. */
export type DesiredFinding =
  | {
      readonly kind: 'no-name';
      readonly range: string;
      readonly address: string;
      readonly pool: string;
      readonly missing: Placeholder;
    }
  | {
      readonly kind: 'bad-name';
      readonly range: string;
      readonly address: string;
      readonly pool: string;
      readonly name: string;
      readonly why: string;
    }
  | { readonly kind: 'too-many-addresses'; readonly limit: number };

export interface DesiredState {
  readonly owner: string;
  readonly registryPrefix: string;
  /** Every zone of every pool with dnsNames, also those with nothing to hold: the DNS edge reads each. */
  readonly zones: readonly DesiredZone[];
  /** Every kea target a pool names, also one with no host. */
  readonly dhcp: readonly DesiredDhcp[];
  readonly findings: readonly DesiredFinding[];
  /** What `plan` tells addresses apart by (leased, free, a pool's, nobody's). */
  readonly book: Book;
  readonly config: Config;
}

export function desiredState(book: Book, config: Config, facts: SyncFacts = {}): DesiredState {
  const zones = new Map<string, { target: string; zone: string; kind: 'forward' | 'reverse'; records: DnsRecord[] }>();
  const dhcp = new Map<string, { host: DhcpHost; family: string; address: bigint }[]>();
  const placedOf = placements(config);
  const zoneOf = (target: string, zone: string, kind: 'forward' | 'reverse') => {
    const key = `${target}\u0000${zone}`;
    let entry = zones.get(key);
    if (!entry) {
      entry = { target, zone, kind, records: [] };
      zones.set(key, entry);
    }
    return entry.records;
  };
  for (const pool of config.pools) {
    if (pool.dnsNames) {
      zoneOf(pool.dnsNames.server, pool.dnsNames.forwardZone, 'forward');
      for (const zone of pool.dnsNames.reverseZones) zoneOf(pool.dnsNames.server, zone.name, 'reverse');
    }
    if (pool.dhcp && !dhcp.has(pool.dhcp.server)) dhcp.set(pool.dhcp.server, []);
  }

  const findings: DesiredFinding[] = [];
  const { addresses, leftOut } = syncAddresses(book, config);
  for (const at of addresses) {
    const pool = at.pool;
    if (!pool) continue;
    // Formatted once: the DHCP host and a {mac} in the name both use it.
    const macText = at.mac === undefined ? undefined : formatMac(at.mac);
    const name = pool.dnsNames ? nameOf(at, macText, pool, facts, findings) : undefined;
    if (name !== undefined && pool.dnsNames) {
      const { ttl, server } = pool.dnsNames;
      const mark = (owned: string): DnsRecord => ({
        name: registryName(config.registryPrefix, owned),
        type: 'TXT',
        ttl,
        data: ownerText({ owner: config.registryOwner, range: at.range.id, address: at.text }),
      });
      zoneOf(server, pool.dnsNames.forwardZone, 'forward').push(
        { name, type: at.family === 'ipv4' ? 'A' : 'AAAA', ttl, data: at.text },
        mark(name),
      );
      for (const zone of pool.dnsNames.reverseZones) {
        const ptr = ptrName(at.address, zone);
        if (ptr === undefined) continue;
        zoneOf(server, zone.name, 'reverse').push({ name: ptr, type: 'PTR', ttl, data: name }, mark(ptr));
        break;
      }
    }
    if (pool.dhcp && at.mac !== undefined)
      dhcp
        .get(pool.dhcp.server)!
        .push({ host: dhcpHost(at, macText!, pool, placedOf(at), name), family: at.family, address: at.address });
  }
  if (leftOut) findings.push({ kind: 'too-many-addresses', limit: MAX_SYNCED_ADDRESSES });

  return {
    owner: config.registryOwner,
    registryPrefix: config.registryPrefix,
    zones: [...zones.values()]
      .sort((a, b) => compareText(a.target, b.target) || compareText(a.zone, b.zone))
      .map((z) => ({ ...z, records: z.records.sort(compareRecords) })),
    dhcp: [...dhcp.entries()]
      .sort(([a], [b]) => compareText(a, b))
      .map(([target, hosts]) => ({ target, hosts: hosts.sort(compareHosts).map((h) => h.host) })),
    findings,
    book,
    config,
  };
}

/** The address's fully qualified name, or undefined with a finding that says why it has none. */
function nameOf(
  at: SyncAddress,
  macText: string | undefined,
  pool: Pool,
  facts: SyncFacts,
  findings: DesiredFinding[],
): string | undefined {
  const names = pool.dnsNames!;
  const vm = facts.vms?.get(at.text);
  const values: NameValues = {
    ip: addressLabel(at.text),
    range: at.range.id,
    ...(macText === undefined ? {} : { mac: macText.replaceAll(':', '-') }),
    ...(vm === undefined ? {} : { vm: labelText(vm.name) }),
    ...(at.lease.owner === undefined ? {} : { owner: labelText(at.lease.owner) }),
  };
  const filled = fillNamePattern(names.pattern, values);
  const where = { range: at.range.id, address: at.text, pool: pool.name };
  if (!filled.ok) {
    findings.push({ kind: 'no-name', ...where, missing: filled.missing });
    return undefined;
  }
  const full = `${filled.name}.${names.forwardZone}`;
  const why =
    hostNameProblem(filled.name) ??
    (full.length > MAX_NAME_LENGTH
      ? `is ${full.length} characters long with the zone, more than DNS allows (${MAX_NAME_LENGTH})`
      : undefined);
  if (why !== undefined) {
    findings.push({ kind: 'bad-name', ...where, name: full, why });
    return undefined;
  }
  return full;
}

/** Each range's subnet and gateway per family, as `show` and `lease` compute them, once per range. */
function placements(config: Config): (at: SyncAddress) => { subnet?: string; gateway?: string } {
  const known = new Map<string, { subnet?: string; gateway?: string }>();
  return (at) => {
    const key = `${at.family}/${at.range.id}`;
    let found = known.get(key);
    if (!found) {
      const placed = rangeSubnet(at.range, config, at.family);
      const gateway = placed && gatewayOf(placed.pool, placed.subnet);
      found = {
        ...(placed ? { subnet: formatPrefix(placed.subnet) } : {}),
        ...(gateway === undefined ? {} : { gateway: FAMILIES[at.family].format(gateway) }),
      };
      known.set(key, found);
    }
    return found;
  };
}

/** The host as the DHCP server should hand it out. */
function dhcpHost(
  at: SyncAddress,
  mac: string,
  pool: Pool,
  placed: { subnet?: string; gateway?: string },
  hostname: string | undefined,
): DhcpHost {
  return {
    family: at.family,
    mac,
    address: at.text,
    ...(hostname === undefined ? {} : { hostname }),
    subnet: placed.subnet ?? formatPrefix(pool.network),
    ...(placed.gateway === undefined ? {} : { gateway: placed.gateway }),
    dnsServers: pool.dns,
    ...(pool.mtu === undefined ? {} : { mtu: pool.mtu }),
    ...(pool.searchDomain === undefined ? {} : { searchDomain: pool.searchDomain }),
    lifetimeSeconds: pool.dhcp!.lifetimeSeconds,
  };
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareRecords(a: DnsRecord, b: DnsRecord): number {
  return compareText(a.name, b.name) || compareText(a.type, b.type) || compareText(a.data, b.data) || a.ttl - b.ttl;
}

function compareHosts(a: { family: string; address: bigint }, b: { family: string; address: bigint }): number {
  if (a.family !== b.family) return a.family === 'ipv4' ? -1 : 1;
  return a.address < b.address ? -1 : a.address > b.address ? 1 : 0;
}
