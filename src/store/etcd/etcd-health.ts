/**
 * etcd's side of store-health.ts: each member's status (one `/v3/maintenance/status` per
 * endpoint, all at once, each within the timeout), and one member's own copy of the book for
 * `status --serializable` / `export --serializable` when quorum is lost.
 *
 * A copy is read with serializable ranges: the member answers from its own store without asking
 * the leader, so it answers without quorum, and may be behind. How far cannot be known from one
 * member alone; what can be said is its revision and raft index against the newest any other
 * member reports, and that writes acknowledged after it lost its leader may be missing. The
 * member with the highest raft index is read: the most up to date of those that answer.
 */
import { IpamError } from '../../core/errors.ts';
import type { LeaseStore } from '../store.ts';
import type { MemberHealth, StoreCopy, StoreHealth } from '../store-health.ts';
import { hasLeader, type MemberStatus } from './etcd-client.ts';
import type { EtcdStoreOptions } from './etcd-store.ts';

export function etcdHealth(statuses: readonly MemberStatus[]): StoreHealth {
  return { members: statuses.map(memberHealth) };
}

export async function oneCopy(
  options: EtcdStoreOptions,
  makeStore: (options: EtcdStoreOptions) => LeaseStore,
): Promise<StoreCopy> {
  const members = (await options.client.statuses()).map(memberHealth);
  const answering = members.filter((m) => m.raftIndex !== undefined);
  if (answering.length === 0) {
    throw new IpamError(
      'store-io',
      `Cannot read any etcd member's copy: no endpoint answered (${members.map((m) => `${m.endpoint}: ${m.problem}`).join('; ')})`,
    );
  }
  const best = answering.reduce((a, b) => (BigInt(b.raftIndex!) > BigInt(a.raftIndex!) ? b : a));
  const newestRevision = answering.reduce((n, m) => (BigInt(m.revision ?? '0') > BigInt(n) ? m.revision! : n), '0');
  const newestRaftIndex = best.raftIndex!;
  const store = makeStore({ ...options, client: options.client.oneMember(best.endpoint) });
  return {
    store,
    endpoint: best.endpoint,
    from: best,
    newestRevision,
    newestRaftIndex,
    answering: answering.length,
    endpoints: members.length,
    age: ageLine(best, newestRevision, answering.length, members.length),
  };
}

function ageLine(from: MemberHealth, newestRevision: string, answering: number, endpoints: number): string {
  const head = `One member's copy: etcd member ${from.member} at ${from.endpoint}, revision ${from.revision}, raft index ${from.raftIndex}`;
  const behind = BigInt(newestRevision) - BigInt(from.revision ?? '0');
  const others =
    answering > 1
      ? `; the newest revision of the ${answering} of ${endpoints} members that answer is ${newestRevision}${behind > 0n ? ` (${behind} behind)` : ''}`
      : `; no other of the ${endpoints} members answers`;
  const quorum =
    from.health === 'no quorum'
      ? ': it has no leader, so writes acknowledged by a majority after it lost contact may be missing here'
      : from.health === 'ok'
        ? ': it follows a leader, so it is at most the replication delay behind'
        : '';
  return `${head}${others}${quorum}`;
}

function memberHealth(answer: MemberStatus): MemberHealth {
  if ('error' in answer) return { endpoint: answer.endpoint, health: 'down', problem: answer.error };
  const s = answer.status;
  const member = hex(s.header?.member_id);
  const leader = hasLeader(s) ? hex(s.leader) : undefined;
  const errors = s.errors ?? [];
  // "no leader" is what etcd lists while it has none; the others are alarms (NOSPACE, CORRUPT).
  const alarms = errors.filter((e) => !/no leader/i.test(e));
  const health = !hasLeader(s) ? 'no quorum' : alarms.length > 0 ? 'alarm' : 'ok';
  return {
    endpoint: answer.endpoint,
    health,
    ...(health === 'no quorum'
      ? { problem: errors.length > 0 ? errors.join(', ') : 'no leader' }
      : alarms.length > 0
        ? { problem: alarms.join(', ') }
        : {}),
    ...(member === undefined ? {} : { member }),
    ...(leader === undefined ? {} : { leader, isLeader: leader === member }),
    ...(s.header?.revision === undefined ? {} : { revision: s.header.revision }),
    ...(s.raftIndex === undefined ? {} : { raftIndex: s.raftIndex }),
    ...(s.raftAppliedIndex === undefined ? {} : { raftAppliedIndex: s.raftAppliedIndex }),
    ...(s.dbSize === undefined ? {} : { dbSize: Number(s.dbSize) }),
    ...(s.dbSizeInUse === undefined ? {} : { dbSizeInUse: Number(s.dbSizeInUse) }),
    ...(s.version === undefined ? {} : { version: s.version }),
  };
}

function hex(id: string | undefined): string | undefined {
  return id === undefined || !/^\d+$/.test(id) ? undefined : BigInt(id).toString(16);
}
