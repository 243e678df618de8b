/** `status` as text: the book's place, etcd's members, then pool and range tables per family. */
import type { Family } from '../../core/address/family.ts';
import { formatPrefix } from '../../core/address/prefix.ts';
import type { BookView } from '../../core/view/book-view.ts';
import { VIEW_FAMILIES, type ViewFamily } from '../../core/view/family-rows.ts';
import type { StoreCopy, StoreHealth } from '../../store/store-health.ts';
import type { StoreSpace } from '../../store/store.ts';
import { type TargetHealth, targetHealthLine } from '../../core/sync/target-health.ts';
import { barWidthFor, utilisationBar } from './bar.ts';
import { formatCounts } from './count.ts';
import { memberTable } from './member-table.ts';
import { spaceLine } from './space.ts';
import { type Column, renderTable } from './table.ts';

/** What `status` gathered for one book. */
export interface StatusReport {
  readonly location: string;
  readonly driver: string;
  readonly generation: number;
  readonly config: string;
  readonly view: BookView;
  readonly health?: StoreHealth;
  readonly copy?: StoreCopy;
  readonly space?: StoreSpace;
  /** The config's sync targets, as the last pass of this front-end left them. */
  readonly targets?: readonly TargetHealth[];
}

const FAMILY_NAMES: readonly Family[] = ['ipv4', 'ipv6'];
const LABEL: Record<ViewFamily, string> = { ipv4: 'IPv4', ipv6: 'IPv6', ether: 'ETHER (MAC only)' };
const plain = (header: string): Column => ({ header });
const right = (header: string): Column => ({ header, align: 'right' });
const shrink = (header: string): Column => ({ header, shrink: true });
const BAR = plain('UTILISATION');
const POOL_COLUMNS = [
  plain('POOL'),
  plain('NETWORK'),
  ...['SIZE', 'EXCLUDED', 'CARVED', 'FREE', 'RANGES'].map(right),
  BAR,
];
const RANGE_HEAD = [plain('RANGE'), shrink('BY'), shrink('POOL'), plain('NETWORK'), shrink('TYPE'), plain('FIRST')];
/** HELD only where some range of the table holds an address: most books have none. */
const rangeColumns = (held: boolean) =>
  RANGE_HEAD.concat((held ? ['SIZE', 'USED', 'HELD', 'FREE'] : ['SIZE', 'USED', 'FREE']).map(right), BAR);

export function statusText(report: StatusReport, color: boolean, width: number | undefined): string {
  const { pools, ranges, families } = report.view;
  const bar = (part: bigint, whole: bigint) => utilisationBar(part, whole, color, barWidthFor(width));
  let out = `Lease book ${report.location} (generation ${report.generation})\n${report.copy ? `${report.copy.age}\n` : ''}Config ${report.config}\n${report.space ? spaceLine(report.space) : ''}`;
  if (report.health) out += `\netcd members\n${memberTable(report.health.members, width)}`;
  if (!pools.length) out += '\nNo pools configured: ranges are registered only with explicit addresses.\n';
  for (const family of FAMILY_NAMES) {
    const these = pools.filter((p) => p.pool.family === family);
    if (!these.length) continue;
    const counts = (['size', 'excluded', 'carved', 'free'] as const).map((key) =>
      formatCounts(these.map((p) => p[key])),
    );
    out += `\n${LABEL[family]} pools\n${renderTable(
      POOL_COLUMNS,
      these.map((p, i) => [
        p.pool.name,
        formatPrefix(p.pool.network),
        ...counts.map((column) => column[i]!),
        String(p.ranges),
        bar(p.carved, p.size - p.excluded),
      ]),
      width,
    )}`;
  }
  if (!ranges.length) out += '\nNo ranges yet.\n';
  for (const family of VIEW_FAMILIES) {
    const { ranges: rows, totals: sum } = families[family];
    if (!rows.length) continue;
    const held = sum.held > 0n;
    const counts = (held ? (['size', 'used', 'held', 'free'] as const) : (['size', 'used', 'free'] as const)).map(
      (key) => formatCounts([...rows.map((r) => r[key]), sum[key]]),
    );
    const cells = (i: number) => counts.map((column) => column[i]!);
    out += `\n${LABEL[family]} ranges\n${renderTable(
      rangeColumns(held),
      [
        ...rows.map((r, i) => [
          r.id,
          r.managedBy === 'operator' ? `operator${r.owner === undefined ? '' : `:${r.owner}`}` : 'OpenNebula',
          r.pool ?? '-',
          r.network ?? (r.family === 'ipv6' && r.first === 'SLAAC' ? 'link-local only' : '-'),
          r.type,
          r.first,
          ...cells(i),
          bar(r.used, r.size),
        ]),
        ['total', '', '', '', '', '', ...cells(rows.length), bar(sum.used, sum.size)],
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
  if (report.targets)
    out += `\nDNS and DHCP targets (sync)\n${report.targets.map((t) => `  ${targetHealthLine(t)}\n`).join('')}`;
  return out;
}
