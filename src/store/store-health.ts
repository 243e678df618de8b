/**
 * What a backend can say about its own health, beyond the book: for etcd, each member as its
 * endpoint reports it (`status` shows it; db size here is what etcd reports, the quota beside it
 * is the layout's to add), and a copy of the book from one member when quorum is lost. The file
 * backend has neither (a file is there or not, and every read of it says so).
 */
import type { LeaseStore } from './store.ts';

export interface StoreHealth {
  readonly members: readonly MemberHealth[];
}

/** One endpoint, as its member answered `/v3/maintenance/status` (or why it did not). */
export interface MemberHealth {
  readonly endpoint: string;
  /** `ok`: knows a leader, no alarm; `no quorum`: up without a leader; `alarm`: e.g. NOSPACE; `down`: no answer. */
  readonly health: 'ok' | 'no quorum' | 'alarm' | 'down';
  /** Why it is not ok: etcd's own errors and alarms, or the connection's failure. */
  readonly problem?: string;
  /** etcd's member id in hex, as etcdctl shows it. */
  readonly member?: string;
  /** The leader's member id as this member knows it (hex); absent while it knows none. */
  readonly leader?: string;
  readonly isLeader?: boolean;
  /** The member's store revision (decimal string: int64). */
  readonly revision?: string;
  readonly raftIndex?: string;
  readonly raftAppliedIndex?: string;
  /** Bytes of the backend database file, and of it in use (the rest is free pages until defrag). */
  readonly dbSize?: number;
  readonly dbSizeInUse?: number;
  readonly version?: string;
}

/** One member's own copy of the book, read without the leader (serializable): it may be behind. */
export interface StoreCopy {
  /** Reads that member's copy; refuses every write. */
  readonly store: LeaseStore;
  readonly endpoint: string;
  /** The copy's member, as health reports it. */
  readonly from: MemberHealth;
  /** The newest revision and raft index any member that answered reports (the copy's own when alone). */
  readonly newestRevision: string;
  readonly newestRaftIndex: string;
  /** How many endpoints answered, of how many. */
  readonly answering: number;
  readonly endpoints: number;
  /** One line for the operator: whose copy, and how old it may be. */
  readonly age: string;
}
