/**
 * What `nebula-ipam verify` can find wrong with a lease book: one kind per broken invariant,
 * each carrying the values involved as text a person can read (addresses formatted, sizes as
 * numbers), so a finding prints as a table row or as JSON without further work.
 */
import type { Family } from '../address/family.ts';
import { EXIT_CODES } from '../exit-codes.ts';
import type { AccessFinding } from './access-finding.ts';

export type VerifyFinding =
  /** oned's user cannot use a file of the book (access-finding.ts). */
  | AccessFinding
  /** The book file does not decode; nothing else could be checked. */
  | { readonly kind: 'book-unreadable'; readonly message: string }
  /** Another lease book beside the one in use (store/file/stray-books.ts): it would hand out the same addresses. */
  | { readonly kind: 'stray-book'; readonly path: string; readonly book: string }
  /** `verify --targets`: a sync target behind for longer than allowed (core/sync/target-health.ts). */
  | { readonly kind: 'target-drift'; readonly target: string; readonly maxAgeSeconds: number; readonly state: string }
  | { readonly kind: 'bad-header'; readonly field: 'schema' | 'generation' | 'nextRangeId'; readonly value: string }
  | { readonly kind: 'duplicate-range-id'; readonly range: string; readonly count: number }
  /** Ids are handed out from nextRangeId; an id at or above it would be handed out again. */
  | { readonly kind: 'range-id-not-below-next'; readonly range: string; readonly nextRangeId: number }
  | { readonly kind: 'bad-range-size'; readonly range: string; readonly size: string }
  /** An IP4 range without IP, a static IPv6 range without IP6 or PREFIX_LENGTH. */
  | {
      readonly kind: 'range-missing-address';
      readonly range: string;
      readonly type: string;
      readonly missing: 'ip' | 'ip6' | 'prefixLength';
    }
  | {
      readonly kind: 'range-past-address-end';
      readonly range: string;
      readonly space: 'ipv4' | 'ipv6' | 'mac';
      readonly first: string;
      readonly size: number;
    }
  | {
      readonly kind: 'lease-outside-range';
      readonly range: string;
      readonly from: number;
      readonly to: number;
      readonly size: number;
    }
  | {
      readonly kind: 'leases-out-of-order';
      readonly range: string;
      readonly addresses: string;
      readonly previous: string;
    }
  | { readonly kind: 'leases-overlap'; readonly range: string; readonly addresses: string; readonly other: string }
  | {
      readonly kind: 'ranges-overlap';
      readonly family: Family;
      readonly range: string;
      readonly other: string;
      readonly space: string;
    }
  /** The range's addresses stick out of the space (carved subnet) recorded for it. */
  | {
      readonly kind: 'range-outside-block';
      readonly range: string;
      readonly family: Family;
      readonly addresses: string;
      readonly block: string;
    }
  | {
      readonly kind: 'range-outside-pool';
      readonly range: string;
      readonly family: Family;
      readonly pool: string;
      readonly network: string;
      readonly space: string;
    }
  | {
      readonly kind: 'range-pool-unknown';
      readonly range: string;
      readonly family: Family;
      readonly pool: string;
      readonly config: string;
    }
  | { readonly kind: 'range-pool-wrong-family'; readonly range: string; readonly family: Family; readonly pool: string }
  /** An OpenNebula range inside a pool's network that does not record being taken from it. */
  | {
      readonly kind: 'range-in-pool-unrecorded';
      readonly range: string;
      readonly family: Family;
      readonly pool: string;
      readonly space: string;
    }
  | {
      readonly kind: 'range-on-excluded';
      readonly range: string;
      readonly family: Family;
      readonly pool: string;
      readonly exclude: string;
      readonly space: string;
    }
  | {
      readonly kind: 'lease-on-excluded';
      readonly range: string;
      readonly pool: string;
      readonly exclude: string;
      readonly addresses: string;
      readonly holder: string;
    }
  /**
   * A lease on what the range's subnet now reserves: a DNS server or gateway added to the pool
   * (or a network or broadcast address moved by a new subnetPrefix) after the lease was made.
   */
  | {
      readonly kind: 'lease-on-reserved';
      readonly range: string;
      readonly pool: string;
      readonly subnet: string;
      readonly role: string;
      readonly address: string;
      readonly holder: string;
    }
  /**
   * oned's count of the range's leases (USED_LEASES of the last request recorded) is above the
   * book's: an address the book has free is still some VM's (`onevnet release`). `heldBack`:
   * addresses get_address does not offer meanwhile.
   */
  | {
      readonly kind: 'oned-count-differs';
      readonly range: string;
      readonly oned: number;
      readonly book: number;
      readonly since: string;
      readonly heldBack: number;
    }
  | {
      /** A held address (core/book/holds.ts) that is leased anyway: by an older release, import, or before the hold. */
      readonly kind: 'held-address-leased';
      readonly range: string;
      readonly address: string;
      readonly reason: string;
      readonly source: string;
    };

export type VerifyFindingKind = VerifyFinding['kind'];

/** 0 for a sound book, 7 (store corrupt) when it does not even decode, else 1 (findings). */
export function verifyExitCode(findings: readonly VerifyFinding[]): number {
  if (findings.some((f) => f.kind === 'book-unreadable')) return EXIT_CODES['store-corrupt'];
  return findings.length === 0 ? EXIT_CODES.ok : EXIT_CODES.findings;
}
