/** `nebula-ipam status`: every pool and range, how full it is, and totals. */
import { exitCodeHelp, READS_BOOK } from '../exit-code-help.ts';
import type { Family } from '../../core/address/family.ts';
import { formatPrefix } from '../../core/address/prefix.ts';
import { EXIT_CODES } from '../../core/exit-codes.ts';
import { poolUsage } from '../../core/operator/usage.ts';
import type { StoreCopy } from '../../store/store-health.ts';
import { bookSource } from '../book-source.ts';
import { requireBook } from '../require-book.ts';
import { parseCommandArgs, type Command } from '../command.ts';
import { barWidthFor, utilisationBar } from '../render/bar.ts';
import { formatCounts } from '../render/count.ts';
import {
  familyRows,
  familyTotals,
  VIEW_FAMILIES,
  type FamilyRangeRow,
  type FamilyTotals,
  type ViewFamily,
} from '../render/family-rows.ts';
import { renderJson } from '../render/json.ts';
import { memberTable } from '../render/member-table.ts';
import { rangeRow } from '../render/range-row.ts';
import { spaceLine } from '../render/space.ts';
import { renderTable } from '../render/table.ts';
import { accessWarning } from '../../core/verify/access-finding.ts';
import { bookAccess } from '../book-access.ts';

const FAMILY_NAMES: readonly Family[] = ['ipv4', 'ipv6'];
const LABEL: Record<ViewFamily, string> = { ipv4: 'IPv4', ipv6: 'IPv6', ether: 'ETHER (MAC only)' };

export const statusCommand: Command = {
  name: 'status',
  summary: 'pools and ranges: size, carved, used, free',
  namesBookOnStderr: false,
  usage: `Usage: nebula-ipam status [--json] [--serializable]

Shows the lease book: each pool of the config (size, excluded, carved into ranges, free)
and each range (who manages it, pool, network, type, first address, size, used, free),
with a utilisation bar, then totals; IPv4 and IPv6 apart (an IP4_6 range is listed in
both, with its IPv4 subnet and with its IPv6 /64; an IP6 range with no prefix is
"link-local only"; ETHER ranges, MACs only, have their own table). Tables fit the
terminal (see --wide).

 On etcd, each endpoint's member first: its id, health (ok, no quorum,
alarm, down), leader, revision, raft index and db size.

A range "managed by OpenNebula" was registered by oned (an AR); "operator" ranges were
made with \`range add\` or \`lease\` for hosts OpenNebula does not manage.

  --json   one JSON document: { book, driver, generation, config, pools[], ranges[], totals,
           families: { ipv4, ipv6, ether: { ranges[], totals } } }, the numbers \`metrics\` exports
           (counts beyond 2^53, i.e. IPv6 pools, are decimal strings; \`totals\` adds
           both families' addresses, \`families\` keeps them apart); on etcd also
           etcd: { members[], copy? } and storage: { usedBytes, inUseBytes, quotaBytes }
           (the largest member's database against etcd's quota)
  --serializable   etcd only: read one member's own copy, even with quorum lost (the
           disaster copy), and say whose it is and how old it may be

${exitCodeHelp([[0, 'shown'], [2, 'bad option'], ...READS_BOOK])}`,
  async run(args, context) {
    const { values } = parseCommandArgs(
      'status',
      args,
      { serializable: { type: 'boolean' } },
      { min: 0, max: 0, names: '' },
    );
    const config = context.config();
    const { store, copy } = await bookSource('status', context, values.serializable === true);
    await requireBook(context, store);
    // What oned would fail on is no "fine" (issue 15 item 5): said on stderr, so --json stays one document.
    for (const finding of bookAccess(context).findings) context.stderr(`${accessWarning(finding)}\n`);
    // All at once: each of the etcd calls waits up to timeoutMs for a member that does not answer.
    // space: etcd's database against the quota past which it refuses every write.
    const [book, health, space] = await Promise.all([
      store.read(),
      context.store().health?.(),
      copy ? undefined : context.store().space?.(),
    ]);
    const pools = poolUsage(book, config);
    const ranges = book.ranges.map((r) => rangeRow(r, config));
    const totals = {
      ranges: ranges.length,
      size: ranges.reduce((n, r) => n + r.size, 0n),
      used: ranges.reduce((n, r) => n + r.used, 0n),
      free: ranges.reduce((n, r) => n + r.free, 0n),
    };
    const byFamily = Object.fromEntries(
      VIEW_FAMILIES.map((family) => {
        const rows = familyRows(book, config, family);
        return [family, { ranges: rows, totals: familyTotals(rows) }];
      }),
    ) as Record<ViewFamily, { ranges: FamilyRangeRow[]; totals: FamilyTotals }>;
    if (context.json) {
      context.stdout(
        renderJson({
          book: context.store().description.location,
          driver: context.driver,
          generation: book.generation,
          config: config.source,
          pools: pools.map((p) => ({
            name: p.pool.name,
            family: p.pool.family,
            network: formatPrefix(p.pool.network),
            size: p.size,
            excluded: p.excluded,
            carved: p.carved,
            free: p.free,
            ranges: p.ranges,
          })),
          ranges,
          totals,
          families: byFamily,
          ...(health ? { etcd: { members: health.members, ...(copy ? { copy: copyJson(copy) } : {}) } } : {}),
          ...(space ? { storage: space } : {}),
        }),
      );
      return EXIT_CODES.ok;
    }
    const width = context.options.width;
    let out = `Lease book ${context.store().description.location} (generation ${book.generation})\n${copy ? `${copy.age}\n` : ''}Config ${config.source}\n${space ? spaceLine(space) : ''}`;
    if (health) out += `\netcd members\n${memberTable(health.members, width)}`;
    if (!pools.length) out += '\nNo pools configured: ranges are registered only with explicit addresses.\n';
    for (const family of FAMILY_NAMES) {
      const these = pools.filter((p) => p.pool.family === family);
      if (!these.length) continue;
      const [size, excluded, carved, free] = [
        formatCounts(these.map((p) => p.size)),
        formatCounts(these.map((p) => p.excluded)),
        formatCounts(these.map((p) => p.carved)),
        formatCounts(these.map((p) => p.free)),
      ];
      out += `\n${LABEL[family]} pools\n${renderTable(
        [
          { header: 'POOL' },
          { header: 'NETWORK' },
          { header: 'SIZE', align: 'right' },
          { header: 'EXCLUDED', align: 'right' },
          { header: 'CARVED', align: 'right' },
          { header: 'FREE', align: 'right' },
          { header: 'RANGES', align: 'right' },
          { header: 'UTILISATION' },
        ],
        these.map((p, i) => [
          p.pool.name,
          formatPrefix(p.pool.network),
          size[i]!,
          excluded[i]!,
          carved[i]!,
          free[i]!,
          String(p.ranges),
          utilisationBar(p.carved, p.size - p.excluded, context.color, barWidthFor(context.options.width)),
        ]),
        width,
      )}`;
    }
    if (!ranges.length) out += '\nNo ranges yet.\n';
    for (const family of VIEW_FAMILIES) {
      const { ranges: rows, totals: sum } = byFamily[family];
      if (!rows.length) continue;
      const [size, used, free] = [
        formatCounts([...rows.map((r) => r.size), sum.size]),
        formatCounts([...rows.map((r) => r.used), sum.used]),
        formatCounts([...rows.map((r) => r.free), sum.free]),
      ];
      out += `\n${LABEL[family]} ranges\n${renderTable(
        [
          { header: 'RANGE' },
          { header: 'BY', shrink: true },
          { header: 'POOL', shrink: true },
          { header: 'NETWORK' },
          { header: 'TYPE', shrink: true },
          { header: 'FIRST' },
          { header: 'SIZE', align: 'right' },
          { header: 'USED', align: 'right' },
          { header: 'FREE', align: 'right' },
          { header: 'UTILISATION' },
        ],
        [
          ...rows.map((r, i) => [
            r.id,
            r.managedBy === 'operator' ? `operator${r.owner === undefined ? '' : `:${r.owner}`}` : 'OpenNebula',
            r.pool ?? '-',
            r.network ?? (r.family === 'ipv6' && r.first === 'SLAAC' ? 'link-local only' : '-'),
            r.type,
            r.first,
            size[i]!,
            used[i]!,
            free[i]!,
            utilisationBar(r.used, r.size, context.color, barWidthFor(context.options.width)),
          ]),
          [
            'total',
            '',
            '',
            '',
            '',
            '',
            size[rows.length]!,
            used[rows.length]!,
            free[rows.length]!,
            utilisationBar(sum.used, sum.size, context.color, barWidthFor(context.options.width)),
          ],
        ],
        width,
      )}`;
    }
    // oned's count (USED_LEASES) against the book's: more means a freed address is still a VM's.
    const differing = ranges.filter((r) => r.onedCount !== undefined);
    if (differing.length) out += '\n';
    for (const { id, onedCount: c } of differing) {
      out += `Range ${id}: oned counted ${c!.oned} leases at its last request, the book ${c!.book} (since ${c!.since}); ${c!.heldBack} address${c!.heldBack === 1n ? '' : 'es'} held back from get_address. Run nebula-ipam reconcile.\n`;
    }
    context.stdout(out);
    return EXIT_CODES.ok;
  },
};

/** `--json`: the copy without its store. */
function copyJson(copy: StoreCopy): Omit<StoreCopy, 'store'> {
  const { store: _store, ...rest } = copy;
  return rest;
}
