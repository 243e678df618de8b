/** `status`: the etcd members as their endpoints report them, one row each. */
import type { MemberHealth } from '../../store/store-health.ts';
import { renderTable } from './table.ts';

export function memberTable(members: readonly MemberHealth[], width: number | undefined): string {
  return renderTable(
    [
      { header: 'ENDPOINT' },
      { header: 'MEMBER' },
      { header: 'HEALTH', shrink: true },
      { header: 'LEADER' },
      { header: 'REVISION', align: 'right' },
      { header: 'RAFT INDEX', align: 'right' },
      { header: 'DB SIZE', align: 'right' },
      { header: 'IN USE', align: 'right' },
    ],
    members.map((m) => [
      m.endpoint,
      m.member ?? '-',
      m.problem === undefined ? m.health : `${m.health}: ${m.problem}`,
      m.isLeader ? 'this member' : (m.leader ?? '-'),
      m.revision ?? '-',
      m.raftIndex ?? '-',
      m.dbSize === undefined ? '-' : bytes(m.dbSize),
      m.dbSizeInUse === undefined ? '-' : bytes(m.dbSizeInUse),
    ]),
    width,
  );
}

/** `20 KiB`, `1.5 MiB`: etcd's sizes, to compare with its quota (2 GiB by default). */
function bytes(n: number): string {
  if (n < 1024 * 1024) return `${Math.ceil(n / 1024)} KiB`;
  if (n < 1024 * 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
  return `${(n / (1024 * 1024 * 1024)).toFixed(2)} GiB`;
}
