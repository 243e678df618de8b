/**
 * The subnets a Kea server has, read from its `config-get` answer (pure): each with its id, its
 * pools and the options a client in it is given. In lease mode Kea hands out the subnet's
 * options, not per-lease ones, so the options are the effective ones: the subnet's over its
 * shared network's over the global ones, option by option (Kea's own precedence; pool-level
 * options, which win for addresses in that pool, are kept on the pool).
 */
import { parsePrefix, formatPrefix } from '../../core/address/prefix.ts';
import type { DhcpHost } from '../../core/sync/target-records.ts';

export interface KeaOption {
  readonly code?: number;
  readonly name?: string;
  readonly data: string;
  /** false: `data` is hex. */
  readonly csvFormat: boolean;
}

export interface KeaPool {
  /** As Kea writes it: "10.0.0.10-10.0.0.200" or a prefix. */
  readonly pool: string;
  readonly options: readonly KeaOption[];
}

export interface KeaSubnet {
  readonly family: DhcpHost['family'];
  readonly id: number;
  /** Canonical prefix text, e.g. "10.77.0.0/24". */
  readonly subnet: string;
  readonly pools: readonly KeaPool[];
  readonly options: readonly KeaOption[];
  /** The subnet's `client-class`, if it has one: only clients in it are served. */
  readonly clientClass?: string;
}

/** Every subnet of the `config-get` answer's arguments (`{ Dhcp4: {...} }` or `{ Dhcp6: {...} }`). */
export function subnetsOfConfig(family: DhcpHost['family'], args: unknown): KeaSubnet[] {
  const root = family === 'ipv4' ? 'Dhcp4' : 'Dhcp6';
  const key = family === 'ipv4' ? 'subnet4' : 'subnet6';
  const config = record(record(args)[root]);
  const global = optionsOf(config['option-data']);
  const found: KeaSubnet[] = [];
  const take = (subnets: unknown, inherited: readonly KeaOption[]) => {
    for (const raw of list(subnets)) {
      const subnet = record(raw);
      const parsed = typeof subnet.subnet === 'string' ? parsePrefix(subnet.subnet.trim()) : undefined;
      if (!parsed?.ok || typeof subnet.id !== 'number') continue;
      found.push({
        family,
        id: subnet.id,
        subnet: formatPrefix(parsed.prefix),
        pools: list(subnet.pools).flatMap((pool) => {
          const text = record(pool).pool;
          return typeof text === 'string'
            ? [{ pool: text.replace(/\s+/g, ''), options: optionsOf(record(pool)['option-data']) }]
            : [];
        }),
        options: overlay(inherited, optionsOf(subnet['option-data'])),
        ...(typeof subnet['client-class'] === 'string' && subnet['client-class']
          ? { clientClass: subnet['client-class'] }
          : {}),
      });
    }
  };
  take(config[key], global);
  for (const network of list(config['shared-networks']))
    take(record(network)[key], overlay(global, optionsOf(record(network)['option-data'])));
  return found;
}

/** The subnet whose prefix is `host.subnet` (the pool's network), or undefined. */
export function subnetFor(
  subnets: readonly KeaSubnet[],
  family: DhcpHost['family'],
  network: string,
): KeaSubnet | undefined {
  const parsed = parsePrefix(network);
  const wanted = parsed.ok ? formatPrefix(parsed.prefix) : network;
  return subnets.find((subnet) => subnet.family === family && subnet.subnet === wanted);
}

function optionsOf(value: unknown): KeaOption[] {
  return list(value).flatMap((raw) => {
    const option = record(raw);
    if (option.space !== undefined && option.space !== 'dhcp4' && option.space !== 'dhcp6') return [];
    const code = typeof option.code === 'number' ? option.code : undefined;
    const name = typeof option.name === 'string' ? option.name : undefined;
    if (code === undefined && name === undefined) return [];
    return [
      {
        ...(code === undefined ? {} : { code }),
        ...(name === undefined ? {} : { name }),
        data: typeof option.data === 'string' ? option.data : '',
        csvFormat: option['csv-format'] !== false,
      },
    ];
  });
}

/** `below` with every option `above` also sets replaced (same code, or same name). */
function overlay(below: readonly KeaOption[], above: readonly KeaOption[]): KeaOption[] {
  const same = (a: KeaOption, b: KeaOption) =>
    (a.code !== undefined && a.code === b.code) || (a.name !== undefined && a.name === b.name);
  return [...below.filter((option) => !above.some((other) => same(option, other))), ...above];
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
