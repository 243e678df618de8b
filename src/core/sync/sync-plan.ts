/** The plan between desired and observed state (`plan.ts`), and what targets report it from. */
import type { SeenInUse } from '../book/holds.ts';
import type { DesiredFinding } from './desired-state.ts';
import type { GuestReport } from './guest-holds.ts';
import type { DhcpHost, DnsRecord, DnsUpdate, ObservedDhcpEntry } from './target-records.ts';

/** What the edges read: each zone's records (AXFR), each Kea target's leases or reservations. */
export interface Observed {
  /** A zone missing here was not read (its target down): nothing is planned for it. */
  readonly zones: readonly { readonly target: string; readonly zone: string; readonly records: readonly DnsRecord[] }[];
  readonly dhcp: readonly { readonly target: string; readonly entries: readonly ObservedDhcpEntry[] }[];
  /** What the VMs' guest agents report (`observe.oned`, `sync --vms`); absent when not read. */
  readonly guests?: readonly GuestReport[];
}

/** What to send one DNS target: one UPDATE per name. */
export interface DnsTargetPlan {
  readonly target: string;
  readonly updates: readonly DnsUpdate[];
}

/** Why a DHCP host is put: not there yet, there with another MAC, or there and half expired. */
export interface DhcpPut {
  readonly host: DhcpHost;
  readonly why: 'new' | 'changed' | 'renew';
}

export interface DhcpTargetPlan {
  readonly target: string;
  readonly put: readonly DhcpPut[];
  /** Only entries marked ours, for addresses the book no longer leases (or no longer with DHCP). */
  readonly remove: readonly ObservedDhcpEntry[];
}

/** Something of somebody else's in the way of the book, which sync reports and never touches. */
export type SyncConflict =
  /** A name the book wants is held: by records nebula-ipam did not write, or by another book's. */
  | {
      readonly kind: 'name-taken';
      readonly target: string;
      readonly zone: string;
      readonly name: string;
      readonly otherOwners: readonly string[];
    }
  /** A record sync did not write names an address the book leases. */
  | {
      readonly kind: 'record-on-lease';
      readonly target: string;
      readonly zone: string;
      readonly record: DnsRecord;
      readonly address: string;
      readonly range: string;
    }
  /** A DHCP entry sync did not make is on an address the book leases. */
  | {
      readonly kind: 'dhcp-on-lease';
      readonly target: string;
      readonly entry: ObservedDhcpEntry;
      readonly range: string;
    };

/**
 * A record sync did not write on an address of a subnet carved for a range, outside the range's
 * addresses: held like any foreign use of a pool's address, and reported, since no range shows it.
 */
export interface CarvedSpaceRecord {
  readonly target: string;
  readonly zone: string;
  readonly record: DnsRecord;
  readonly address: string;
  readonly range: string;
  readonly pool: string;
}

/**
 * An address of a pool seen in use outside the book, as `recordHolds` (src/core/book/holds.ts)
 * takes it: the book holds it, so nothing hands it out. `seenAt` is the `now` given to `plan`.
 */
export type SyncHold = SeenInUse;

/** Per target, for `status` and `metrics` (issue 18 item 7): A, AAAA and PTR records, or DHCP hosts. */
export interface TargetTally {
  readonly target: string;
  readonly kind: 'dns' | 'dhcp';
  readonly desired: number;
  readonly inPlace: number;
  /** Desired, read, not in place, not in conflict: what the plan puts. */
  readonly pending: number;
  readonly conflicting: number;
  /**
   * Desired, in a zone (or DHCP target) that was not read: whether they are there is not known,
   * so they are neither in place nor pending. desired = inPlace + pending + conflicting + unverified.
   */
  readonly unverified: number;
  /** False when some zone of it, or it, was not in `observed`. */
  readonly read: boolean;
}

export interface SyncPlan {
  readonly dns: readonly DnsTargetPlan[];
  readonly dhcp: readonly DhcpTargetPlan[];
  readonly conflicts: readonly SyncConflict[];
  readonly holds: readonly SyncHold[];
  /** Foreign records in carved subnets outside their range (also in `holds`). */
  readonly carvedSpace: readonly CarvedSpaceRecord[];
  readonly tallies: readonly TargetTally[];
  /** Zones and DHCP targets that were not read, so nothing was planned for them. */
  readonly unread: readonly { readonly target: string; readonly zone?: string }[];
  /** The desired state's own findings (addresses without a name). */
  readonly findings: readonly DesiredFinding[];
}
