/** `nebula-ipam show`: one range with its leases, or who holds one address. */
import { exitCodeHelp, READS_BOOK } from '../exit-code-help.ts';
import { formatPrefix } from '../../core/address/prefix.ts';
import { FAMILIES } from '../../core/address/family.ts';
import { EMPTY_BOOK, findRange, type Book, type RangeRecord } from '../../core/book/book.ts';
import { type Hold, holdAt, holdsOf } from '../../core/book/holds.ts';
import { familyRows, hasFamily } from '../../core/view/family-rows.ts';
import type { Config } from '../../core/config/config.ts';
import { IpamError, shown } from '../../core/errors.ts';
import { EXIT_CODES } from '../../core/exit-codes.ts';
import { holderPhrase } from '../../core/operator/holder-phrase.ts';
import { hostSettings } from '../../core/operator/lease-addresses.ts';
import {
  ipv6At,
  locateAddress,
  parseAddress,
  type Address,
  type Whereabouts,
} from '../../core/operator/locate-address.ts';
import { rangeSubnet } from '../../core/engine/range-subnet.ts';
import { requireBook } from '../require-book.ts';
import { parseCommandArgs, type Command } from '../command.ts';
import type { CliContext } from '../context.ts';
import { barWidthFor, utilisationBar } from '../render/bar.ts';
import { formatCount } from '../render/count.ts';
import { renderJson } from '../render/json.ts';
import { leaseRow } from '../../core/view/lease-row.ts';
import { type LeaseVm, leaseVms } from '../../core/view/lease-vms.ts';
import { leaseTable } from '../render/lease-cells.ts';
import { rangeRow } from '../../core/view/range-row.ts';
import { renderTable } from '../render/table.ts';

export const showCommand: Command = {
  name: 'show',
  summary: 'one range with its leases, or who holds an address',
  usage: `Usage: nebula-ipam show (RANGE | ADDRESS) [--json]

  RANGE     a range id (see status), e.g. r3: its addresses, subnet, gateway, DNS,
            utilisation, every lease in it (with the VM holding it, as the hooks recorded it)
            and the holds on its addresses; for an IP4_6 range also its IPv6 pool, /64 and
            IPv6 gateway (GATEWAY6)
  ADDRESS   an IPv4 or IPv6 address or a MAC: who holds it (OpenNebula, with oned's request
            id, or an operator's lease with its owner), or that it is free, or what it is
            (a subnet's network, broadcast, gateway or DNS address, excluded, free pool space)

${exitCodeHelp([[0, 'shown'], [2, 'bad argument'], [5, 'no such range, or an address in no range and no pool'], ...READS_BOOK])}`,
  async run(args, context) {
    const { positionals } = parseCommandArgs('show', args, {}, { min: 1, max: 1, names: 'a range id or an address' });
    const what = positionals[0]!;
    await requireBook(context);
    const book = await context.store().read();
    const config = context.config();
    const range = findRange(book, what);
    if (range) return showRange(book, range, config, context);
    if (/^r[0-9]+$/.test(what))
      throw new IpamError(
        'not-found',
        `Cannot show range ${shown(what)}: there is no such range (see nebula-ipam status)`,
      );
    return showAddress(book, config, parseAddress(what), context);
  },
};

function showRange(book: Book, range: RangeRecord, config: Config, context: CliContext): number {
  const row = rangeRow(range, config, holdsOf(book));
  const held = holdsIn(book, config, range);
  const vmOf = leaseVms(book, config);
  const family = range.ip !== undefined ? 'ipv4' : 'ipv6';
  const placed = rangeSubnet(range, config, family);
  const settings = placed ? hostSettings(range, config, placed.pool) : { dns: [] };
  const leases = range.leases.map((lease) => leaseRow(range, lease, vmOf(range, lease)));
  const v6 = family === 'ipv4' && hasFamily(range, 'ipv6') ? ipv6Side(range, config) : undefined;
  if (context.json) {
    context.stdout(
      renderJson({
        range: {
          ...row,
          ...settings,
          ...(v6 ? { ipv6: v6 } : {}),
          createdAt: range.createdAt,
          ...(range.requestId === undefined ? {} : { requestId: range.requestId }),
        },
        leases,
        holds: held.map(holdJson),
      }),
    );
    return EXIT_CODES.ok;
  }
  const by = range.unmanaged
    ? `operator range${range.owner === undefined ? '' : ` of ${JSON.stringify(range.owner)}`}`
    : `OpenNebula's${range.requestId === undefined ? '' : `, registered by request ${range.requestId}`}`;
  const lines = [
    `Range ${range.id} (${by}, created ${range.createdAt})`,
    `  type       ${range.type}`,
    `  pool       ${row.pool ?? '-'}`,
    `  network    ${row.network ?? '-'}${settings.netmask ? ` (netmask ${settings.netmask})` : ''}`,
    ...(settings.gateway ? [`  gateway    ${settings.gateway}`] : []),
    ...(settings.dns.length ? [`  dns        ${settings.dns.join(' ')}`] : []),
    ...(v6
      ? [
          `  pool6      ${v6.pool ?? '-'}`,
          `  network6   ${v6.network ?? '-'}${v6.first === 'SLAAC' ? ' (SLAAC: each address from its MAC)' : ''}`,
          ...(v6.gateway ? [`  gateway6   ${v6.gateway}`] : []),
        ]
      : []),
    `  addresses  ${addressesText(range, row.first, row.last, row.size)}`,
    `  used       ${formatCount(row.used)} (OpenNebula ${formatCount(row.byOpenNebula)}, operators ${formatCount(row.byOperators)})`,
    ...(row.held > 0n
      ? [
          `  held       ${formatCount(row.held)} (seen in use outside the book, never handed out: nebula-ipam hold list)`,
        ]
      : []),
    `  free       ${formatCount(row.free)}  ${utilisationBar(row.used, row.size, context.color, barWidthFor(context.options.width))}`,
    '',
  ];
  const holdsText = held.length
    ? `\nHeld (seen in use outside the book, never handed out; nebula-ipam hold release ADDRESS):\n${renderTable(
        HOLD_COLUMNS,
        held.map((h) => [
          FAMILIES[h.family].format(h.address),
          h.source,
          h.firstSeen.replace(/\.\d+Z$/, 'Z'),
          h.reason,
        ]),
        context.options.width,
      )}`
    : '';
  context.stdout(
    `${lines.join('\n')}\n${leases.length ? leaseTable(leases, context.options.width) : 'No leases.\n'}${holdsText}`,
  );
  return EXIT_CODES.ok;
}

const HOLD_COLUMNS = [
  { header: 'ADDRESS' },
  { header: 'SOURCE' },
  { header: 'SINCE' },
  { header: 'REASON', shrink: true },
];

/** The holds on addresses of `range` (any family), in book order. */
function holdsIn(book: Book, config: Config, range: RangeRecord): readonly Hold[] {
  return holdsOf(book).filter((hold) => {
    const text = FAMILIES[hold.family].format(hold.address);
    const where = locateAddress(book, config, { space: hold.family, value: hold.address, text });
    return (where.kind === 'free' || where.kind === 'leased') && where.range.id === range.id;
  });
}

/** A hold as `hold list --json` gives it, less the pool (the range's). */
function holdJson(hold: Hold) {
  return {
    address: FAMILIES[hold.family].format(hold.address),
    source: hold.source,
    reason: hold.reason,
    firstSeen: hold.firstSeen,
    lastSeen: hold.lastSeen,
  };
}

/** `first - last (n)`; a range with no IP and no MAC yet (oned derives the MAC) says just that. */
function addressesText(range: RangeRecord, first: string, last: string, size: bigint): string {
  if (range.ip === undefined && range.ip6 === undefined && range.mac === undefined) {
    return `${formatCount(size)} MAC${size === 1n ? '' : 's'} that oned picks (indices 0-${size - 1n})`;
  }
  return `${first} - ${last} (${formatCount(size)})`;
}

/** The IPv6 side of an IP4_6 range: its /64, IPv6 pool and the gateway that pool gives (GATEWAY6). */
function ipv6Side(
  range: RangeRecord,
  config: Config,
): { pool?: string; network?: string; gateway?: string; first: string } {
  const [row] = familyRows({ ...EMPTY_BOOK, ranges: [range] }, config, 'ipv6');
  const placed = rangeSubnet(range, config, 'ipv6');
  const gateway = placed && hostSettings(range, config, placed.pool).gateway;
  return {
    ...(row?.pool === undefined ? {} : { pool: row.pool }),
    ...(row?.network === undefined ? {} : { network: row.network }),
    ...(gateway === undefined ? {} : { gateway }),
    first: row?.first ?? 'SLAAC',
  };
}

function showAddress(book: Book, config: Config, address: Address, context: CliContext): number {
  const where = locateAddress(book, config, address);
  const vm = where.kind === 'leased' ? leaseVms(book, config)(where.range, where.lease) : undefined;
  if (where.kind === 'nowhere') {
    throw new IpamError('not-found', `Cannot show ${address.text}: it is in no range and no pool of ${config.source}`);
  }
  // A hold (core/book/holds.ts) keeps a free address from being handed out: say so, and why.
  const hold = address.space === 'mac' ? undefined : holdAt(book, address.space, address.value);
  if (context.json) {
    const sides = where.kind === 'leased' || where.kind === 'free' ? sidesOf(where.range, address, where.index) : {};
    const held = hold ? { hold: { source: hold.source, reason: hold.reason, firstSeen: hold.firstSeen } } : {};
    context.stdout(renderJson({ address: address.text, ...whereaboutsJson(where, vm), ...sides, ...held }));
    return EXIT_CODES.ok;
  }
  const held = hold
    ? `; held, never handed out: ${hold.reason} (${hold.source}, seen since ${hold.firstSeen}; nebula-ipam hold release ${address.text})`
    : '';
  context.stdout(`${address.text} ${whereaboutsText(where, address, vm)}${held}\n`);
  return EXIT_CODES.ok;
}

/** The pool of the address's own family, and its partner address of the other family, if any. */
function sidesOf(range: RangeRecord, address: Address, index: bigint): { pool?: string; ipv4?: string; ipv6?: string } {
  const pool = address.space === 'ipv6' ? range.pool6 : (range.pool ?? range.pool6);
  const six = address.space === 'ipv6' || range.ip === undefined ? undefined : ipv6At(range, index);
  return {
    ...(pool === undefined ? {} : { pool }),
    ...(address.space !== 'ipv4' && range.ip !== undefined ? { ipv4: FAMILIES.ipv4.format(range.ip + index) } : {}),
    ...(six === undefined ? {} : { ipv6: FAMILIES.ipv6.format(six) }),
  };
}

function rangeNote(range: RangeRecord, address: Address, index: bigint): string {
  const sides = sidesOf(range, address, index);
  const partner = sides.ipv4 ? `; IPv4 partner ${sides.ipv4}` : sides.ipv6 ? `; IPv6 partner ${sides.ipv6}` : '';
  return `range ${range.id}${sides.pool ? `, pool ${sides.pool}` : ''}${partner}`;
}

function whereaboutsText(
  where: Exclude<Whereabouts, { kind: 'nowhere' }>,
  address: Address,
  vm: LeaseVm | undefined,
): string {
  switch (where.kind) {
    case 'leased': {
      const row = leaseRow(where.range, where.lease, vm);
      // A block is named in the address's own family: IPv6 addresses of a SLAAC block are not consecutive.
      const block = row.count > 1n && address.space !== 'ipv6' ? ` as part of ${row.addresses}` : '';
      const extra = [
        row.mac && `MAC ${row.mac}`,
        vm && `VM ${vm.id} ${vm.name}`,
        row.note && `note ${JSON.stringify(row.note)}`,
      ]
        .filter(Boolean)
        .join(', ');
      return `is leased to ${holderPhrase(where.lease)}${block} since ${row.since} (${rangeNote(where.range, address, where.index)}${extra ? `; ${extra}` : ''})`;
    }
    case 'free':
      return where.excluded
        ? `is free but excluded by its pool (${rangeNote(where.range, address, where.index)})`
        : `is free (${rangeNote(where.range, address, where.index)})`;
    case 'reserved':
      return `is the ${where.role} of ${formatPrefix(where.subnet)} (pool ${where.pool.name}${where.range ? `, range ${where.range.id}` : ''}); it is never leased`;
    case 'carved':
      return `lies in the subnet carved for range ${where.range.id} but outside its addresses; it is not leased`;
    case 'excluded':
      return `is excluded from pool ${where.pool.name} (${formatPrefix(where.prefix)}); it is never leased`;
    case 'pool-free':
      return `is free space of pool ${where.pool.name}, in no range yet (lease it with nebula-ipam lease --pool ${where.pool.name} --ip ...)`;
  }
}

function whereaboutsJson(
  where: Exclude<Whereabouts, { kind: 'nowhere' }>,
  vm: LeaseVm | undefined,
): Record<string, unknown> {
  switch (where.kind) {
    case 'leased':
      return { status: 'leased', range: where.range.id, lease: leaseRow(where.range, where.lease, vm) };
    case 'free':
      return { status: where.excluded ? 'excluded' : 'free', range: where.range.id };
    case 'reserved':
      return {
        status: 'reserved',
        role: where.role,
        subnet: formatPrefix(where.subnet),
        pool: where.pool.name,
        ...(where.range ? { range: where.range.id } : {}),
      };
    case 'carved':
      return { status: 'carved', range: where.range.id };
    case 'excluded':
      return { status: 'excluded', pool: where.pool.name, prefix: formatPrefix(where.prefix) };
    case 'pool-free':
      return { status: 'pool-free', pool: where.pool.name, subnet: formatPrefix(where.subnet) };
  }
}
