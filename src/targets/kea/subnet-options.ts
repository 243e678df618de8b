/**
 * A pool's network settings against Kea's subnet, pure. Kea in lease mode gives a client its
 * subnet's options (routers, DNS servers, MTU, search domain), not per-lease ones, so the pool's
 * settings must be in Kea's configuration: `checkSubnet` says where they differ (findings are
 * data), `renderKeaSubnets` writes the part of kea-dhcp4.conf (kea-dhcp6.conf) that makes them
 * agree. Measured on Kea 2.2: a `lease4-add`ed lease is served only if its address is inside
 * one of the subnet's pools, so the pools must cover the pool's ranges; a pool or subnet limited
 * to a client class (`KNOWN` included: in lease mode no client is known) refuses our leases too;
 * the one guard Kea 2.2 honours against unknown clients is the `DROP` class, whose test may name
 * the book's MACs or a MAC prefix.
 */
import { FAMILIES } from '../../core/address/family.ts';
import { parsePrefix, prefixInterval } from '../../core/address/prefix.ts';
import type { Interval } from '../../core/intervals/interval.ts';
import { cutOut } from '../../core/intervals/sorted.ts';
import type { DhcpHost } from '../../core/sync/target-records.ts';
import type { KeaOption, KeaSubnet } from './kea-subnets.ts';

/** A pool's network as DHCP should serve it: its prefix, its ranges and its settings. */
export interface DhcpPool {
  readonly family: DhcpHost['family'];
  /** The pool's network, e.g. "10.77.0.0/24". */
  readonly subnet: string;
  /** Inclusive address ranges the book hands out from. */
  readonly ranges: readonly { readonly first: string; readonly last: string }[];
  readonly gateway?: string;
  readonly dnsServers: readonly string[];
  readonly mtu?: number;
  readonly searchDomain?: string;
}

/** The options compared: DHCPv6 has no router (RAs give it) and no MTU option. */
export type OptionName =
  | 'routers'
  | 'domain-name-servers'
  | 'interface-mtu'
  | 'domain-name'
  | 'domain-search'
  | 'dns-servers';

const CODES: Readonly<Record<DhcpHost['family'], Partial<Record<OptionName, number>>>> = {
  ipv4: { routers: 3, 'domain-name-servers': 6, 'domain-name': 15, 'interface-mtu': 26, 'domain-search': 119 },
  ipv6: { 'dns-servers': 23, 'domain-search': 24 },
};

export type SubnetFinding =
  | { readonly kind: 'subnet-missing'; readonly subnet: string }
  /** `actual` absent: Kea does not send the option at all. */
  | {
      readonly kind: 'option-differs';
      readonly subnet: string;
      readonly option: OptionName;
      readonly expected: string;
      readonly actual?: string;
    }
  /** Addresses of the pool outside every Kea pool of the subnet: Kea does not serve their leases. */
  | { readonly kind: 'range-outside-pools'; readonly subnet: string; readonly first: string; readonly last: string }
  /** Kea serves the subnet only to a client class, which in lease mode our clients are not in. */
  | { readonly kind: 'subnet-class'; readonly subnet: string; readonly clientClass: string };

/** The options the pool's clients should get, by name, as Kea's CSV data. */
export function optionData(
  pool: Omit<DhcpPool, 'ranges' | 'subnet'>,
): { readonly name: OptionName; readonly data: string }[] {
  const options: { name: OptionName; data: string }[] = [];
  if (pool.family === 'ipv4') {
    if (pool.gateway !== undefined) options.push({ name: 'routers', data: pool.gateway });
    if (pool.dnsServers.length) options.push({ name: 'domain-name-servers', data: pool.dnsServers.join(', ') });
    if (pool.mtu !== undefined) options.push({ name: 'interface-mtu', data: String(pool.mtu) });
    if (pool.searchDomain !== undefined)
      options.push(
        { name: 'domain-name', data: pool.searchDomain },
        { name: 'domain-search', data: pool.searchDomain },
      );
  } else {
    if (pool.dnsServers.length) options.push({ name: 'dns-servers', data: pool.dnsServers.join(', ') });
    if (pool.searchDomain !== undefined) options.push({ name: 'domain-search', data: pool.searchDomain });
  }
  return options;
}

/** Where Kea's subnet (undefined: Kea has none) would serve the pool's clients otherwise than the book says. */
export function checkSubnet(pool: DhcpPool, subnet: KeaSubnet | undefined): SubnetFinding[] {
  if (!subnet) return [{ kind: 'subnet-missing', subnet: pool.subnet }];
  const findings: SubnetFinding[] = [];
  if (subnet.clientClass !== undefined)
    findings.push({ kind: 'subnet-class', subnet: subnet.subnet, clientClass: subnet.clientClass });
  const expected = new Map(
    optionData(pool).map((option) => [option.name, canonical(pool.family, option.name, option.data, true)]),
  );
  for (const name of Object.keys(CODES[pool.family]) as OptionName[]) {
    const want = expected.get(name);
    const have = optionValue(pool.family, name, subnet.options);
    if (want !== undefined && want !== have)
      findings.push({
        kind: 'option-differs',
        subnet: subnet.subnet,
        option: name,
        expected: want,
        ...(have === undefined ? {} : { actual: have }),
      });
  }
  const { parse, format } = FAMILIES[pool.family];
  const covered = subnet.pools.flatMap((p) => poolInterval(pool.family, p.pool) ?? []);
  for (const range of pool.ranges) {
    const first = parse(range.first);
    const last = parse(range.last);
    if (first === undefined || last === undefined) continue;
    const gaps = covered.reduce<Interval[]>((rest, interval) => cutOut(rest, interval), [{ first, last }]);
    for (const gap of gaps)
      findings.push({
        kind: 'range-outside-pools',
        subnet: subnet.subnet,
        first: format(gap.first),
        last: format(gap.last),
      });
  }
  return findings;
}

/** One line per finding, for `status` and `sync`. */
export function describeFinding(finding: SubnetFinding): string {
  switch (finding.kind) {
    case 'subnet-missing':
      return `Kea has no subnet ${finding.subnet}: its DHCP entries cannot be served`;
    case 'option-differs':
      return `Kea's subnet ${finding.subnet} sends ${finding.option} ${finding.actual === undefined ? 'not at all' : JSON.stringify(finding.actual)}, the pool says ${JSON.stringify(finding.expected)}`;
    case 'range-outside-pools':
      return `Kea's subnet ${finding.subnet} has no pool for ${finding.first}-${finding.last}: Kea does not serve leases there`;
    case 'subnet-class':
      return `Kea's subnet ${finding.subnet} serves only client class ${JSON.stringify(finding.clientClass)}: lease-mode clients are not in it`;
  }
}

/** Keeps Kea 2.2 from serving clients the book does not know: by their MACs, or a MAC prefix. */
export type UnknownClientGuard = { readonly macs: readonly string[] } | { readonly macPrefix: string };

/**
 * The configuration to merge into kea-dhcp4.conf's `Dhcp4` (and kea-dhcp6.conf's `Dhcp6`): one
 * subnet per pool, with pools covering its ranges and its options, and with `guard` a `DROP`
 * class (IPv4 only: DHCPv6 clients are known by DUID) for every client outside it. The operator
 * adds what only they know: the interface or relay address the subnet is reached through.
 */
export function renderKeaSubnets(
  pools: readonly (DhcpPool & { readonly id: number })[],
  guard?: UnknownClientGuard,
): { Dhcp4?: Record<string, unknown>; Dhcp6?: Record<string, unknown> } {
  const rendered: { Dhcp4?: Record<string, unknown>; Dhcp6?: Record<string, unknown> } = {};
  const subnet = (pool: DhcpPool & { readonly id: number }) => ({
    id: pool.id,
    subnet: pool.subnet,
    pools: pool.ranges.map((range) => ({ pool: `${range.first} - ${range.last}` })),
    'option-data': optionData(pool),
  });
  const v4 = pools.filter((pool) => pool.family === 'ipv4');
  const v6 = pools.filter((pool) => pool.family === 'ipv6');
  if (v4.length)
    rendered.Dhcp4 = {
      ...(guard ? { 'client-classes': [{ name: 'DROP', test: dropTest(guard) }] } : {}),
      subnet4: v4.map(subnet),
    };
  if (v6.length) rendered.Dhcp6 = { subnet6: v6.map(subnet) };
  return rendered;
}

/** Kea's expression for "not one of ours" (`pkt4.mac` is the chaddr, as hex). */
export function dropTest(guard: UnknownClientGuard): string {
  const hex = (mac: string) => `0x${mac.replace(/[:-]/g, '').toLowerCase()}`;
  if ('macPrefix' in guard) {
    const bytes = guard.macPrefix.split(/[:-]/).filter(Boolean).length;
    return `not (substring(pkt4.mac,0,${bytes}) == ${hex(guard.macPrefix)})`;
  }
  if (guard.macs.length === 0) return 'not (pkt4.mac == 0x000000000000)';
  return `not (${guard.macs.map((mac) => `pkt4.mac == ${hex(mac)}`).join(' or ')})`;
}

/** The option's value, canonical for comparing, or undefined if Kea does not set it. */
function optionValue(family: DhcpHost['family'], name: OptionName, options: readonly KeaOption[]): string | undefined {
  const code = CODES[family][name];
  const option = options.find((o) => o.code === code || (o.code === undefined && o.name === name));
  return option && canonical(family, name, option.data, option.csvFormat);
}

function canonical(family: DhcpHost['family'], name: OptionName, data: string, csv: boolean): string {
  const { parse, format } = FAMILIES[family];
  const addresses = name === 'routers' || name === 'domain-name-servers' || name === 'dns-servers';
  if (!csv) return canonicalHex(family, name, Buffer.from(data.replace(/^0x|[\s:]/gi, ''), 'hex'));
  if (addresses)
    return items(data)
      .map((a) => (parse(a) === undefined ? a : format(parse(a)!)))
      .join(', ');
  if (name === 'interface-mtu') return String(Number(data.trim()));
  return items(data).map(domain).join(', ');
}

function canonicalHex(family: DhcpHost['family'], name: OptionName, bytes: Buffer): string {
  const { format } = FAMILIES[family];
  const width = family === 'ipv4' ? 4 : 16;
  if (name === 'routers' || name === 'domain-name-servers' || name === 'dns-servers') {
    const found: string[] = [];
    for (let at = 0; at + width <= bytes.length; at += width)
      found.push(format(BigInt(`0x${bytes.subarray(at, at + width).toString('hex')}`)));
    return found.join(', ');
  }
  if (name === 'interface-mtu') return bytes.length === 2 ? String(bytes.readUInt16BE(0)) : bytes.toString('hex');
  if (name === 'domain-name') return domain(bytes.toString('latin1'));
  return wireNames(bytes).map(domain).join(', ');
}

/** Uncompressed wire-form names (RFC 1035 3.1) one after another, as Kea writes hex domain lists. */
function wireNames(bytes: Buffer): string[] {
  const names: string[] = [];
  let labels: string[] = [];
  for (let at = 0; at < bytes.length; ) {
    const length = bytes[at]!;
    if (length === 0 || length > 63) {
      names.push(labels.join('.'));
      labels = [];
      at++;
      continue;
    }
    labels.push(bytes.toString('latin1', at + 1, at + 1 + length));
    at += 1 + length;
  }
  if (labels.length) names.push(labels.join('.'));
  return names;
}

function items(data: string): string[] {
  return data
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

function domain(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

function poolInterval(family: DhcpHost['family'], text: string): Interval | undefined {
  const { parse } = FAMILIES[family];
  if (text.includes('/')) {
    const parsed = parsePrefix(text);
    return parsed.ok ? prefixInterval(parsed.prefix) : undefined;
  }
  const [from, to] = text.split('-');
  const first = from === undefined ? undefined : parse(from.trim());
  const last = to === undefined ? undefined : parse(to.trim());
  return first === undefined || last === undefined ? undefined : { first, last };
}
