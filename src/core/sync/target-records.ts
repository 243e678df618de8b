/**
 * What nebula-ipam keeps in step on the datacenter's DNS and DHCP servers, in the core's words:
 * the desired state (a pure function of the book and the config, `desired-state.ts`) and what a
 * target reports it holds (read by the edges in `src/targets/`) share these shapes, so the plan
 * between them (`plan.ts`) is pure too.
 */

/** One DNS resource record. Names are lower-case, fully qualified, without the final dot. */
export interface DnsRecord {
  readonly name: string;
  readonly type: 'A' | 'AAAA' | 'PTR' | 'TXT';
  readonly ttl: number;
  /** A: dotted quad; AAAA: RFC 5952 text; PTR: a name as above; TXT: the text, one string. */
  readonly data: string;
}

/** RFC 2136 section 2.4 prerequisites, the ones the plan uses. */
export type DnsPrerequisite =
  /** 2.4.5: the name has no records at all (a name somebody else holds is never taken). */
  | { readonly kind: 'name-not-in-use'; readonly name: string }
  /** 2.4.3: no record of this type at the name. */
  | { readonly kind: 'rrset-absent'; readonly name: string; readonly type: DnsRecord['type'] }
  /** 2.4.2: the rrset holds exactly these records (a delete only of what nebula-ipam wrote). */
  | { readonly kind: 'rrset-equals'; readonly records: readonly DnsRecord[] };

/** One RFC 2136 UPDATE: all of it applies, or none (the server checks the prerequisites first). */
export interface DnsUpdate {
  readonly zone: string;
  readonly prerequisites: readonly DnsPrerequisite[];
  /** Deleted record by record (class NONE, 2.5.4), so a record somebody added beside ours stays. */
  readonly remove: readonly DnsRecord[];
  readonly add: readonly DnsRecord[];
}

/** What the server said to one UPDATE. A failed prerequisite is a conflict to report, not retry. */
export type DnsUpdateOutcome =
  | { readonly applied: true }
  | {
      readonly applied: false;
      readonly rcode:
        | 'YXDOMAIN'
        | 'YXRRSET'
        | 'NXDOMAIN'
        | 'NXRRSET'
        | 'NOTAUTH'
        | 'NOTZONE'
        | 'REFUSED'
        | 'SERVFAIL'
        | 'FORMERR'
        | 'NOTIMP'
        | string;
    };

/** A DHCP host entry: the book's lease, as the DHCP server should hand it out. */
export interface DhcpHost {
  readonly family: 'ipv4' | 'ipv6';
  /** Lower case, colon separated. */
  readonly mac: string;
  readonly address: string;
  readonly hostname?: string;
  /** The pool's network, e.g. "10.0.0.0/24": where the server's subnet must be. */
  readonly subnet: string;
  readonly gateway?: string;
  readonly dnsServers: readonly string[];
  readonly mtu?: number;
  readonly searchDomain?: string;
  /** The pool's `dhcp.lifetimeSeconds`: the lifetime a lease-mode edge gives it (sync renews at half). */
  readonly lifetimeSeconds?: number;
}

/** A lease or reservation the DHCP server reports. `ours`: it carries nebula-ipam's mark. */
export interface ObservedDhcpEntry {
  readonly family: 'ipv4' | 'ipv6';
  readonly mac?: string;
  readonly address: string;
  readonly hostname?: string;
  readonly ours: boolean;
  /** Seconds since the epoch when the server lets it go; absent for a reservation. */
  readonly expiresAt?: number;
}
