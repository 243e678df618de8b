/**
 * What `nebula-ipam reconcile` finds between OpenNebula's books (`onevnet ... -x`) and the lease
 * book: one kind per disagreement, with the values involved as text. `adoptable` says whether
 * `--apply` resolves it by adopting what OpenNebula says; when it does not, `why` says why.
 * Notes are what was not compared, and why: they are no disagreement.
 */
import { EXIT_CODES } from '../exit-codes.ts';

interface Where {
  /** The book's range id (`r4`), or the id a rebuilt range gets. */
  readonly range: string;
  /** `VNET 3 AR 0` */
  readonly ar: string;
}

interface Resolution {
  readonly adoptable: boolean;
  /** Why `--apply` leaves it as it is; present exactly when not adoptable. */
  readonly why?: string;
}

export type ReconcileFinding = Resolution &
  /** Leased in OpenNebula, free in the book: a second holder could be given it. */
  (
    | (Where & {
        readonly kind: 'lease-missing-in-book';
        readonly addresses: string;
        readonly count: number;
        readonly holder: string;
      })
    /** Held in the book for OpenNebula, not leased there: the address is lost until freed. */
    | {
        readonly kind: 'lease-missing-in-opennebula';
        readonly range: string;
        readonly addresses: string;
        readonly count: number;
        readonly since: string;
      }
    /** Leased in OpenNebula and leased in the book to an operator: two holders of one address. */
    | (Where & {
        readonly kind: 'lease-held-by-operator';
        readonly addresses: string;
        readonly count: number;
        readonly holder: string;
        readonly operator: string;
      })
    /** Leased in OpenNebula at an address the book's range does not have (its SIZE differs). */
    | (Where & {
        readonly kind: 'lease-outside-book-range';
        readonly addresses: string;
        readonly count: number;
        readonly holder: string;
      })
    /** An AR of this driver that the book has no range for. */
    | (Where & {
        readonly kind: 'range-missing-in-book';
        readonly type: string;
        readonly addresses: string;
        readonly size: number;
        readonly leases: number;
      })
    /** A range the book keeps for OpenNebula that no AR of this driver stands for. */
    | {
        readonly kind: 'range-missing-in-opennebula';
        readonly range: string;
        readonly type: string;
        readonly addresses: string;
        readonly size: number;
        readonly leases: number;
      }
    /** The AR and the range it names disagree on a field. */
    | (Where & {
        readonly kind: 'range-differs';
        readonly field: 'TYPE' | 'IP' | 'IP6' | 'SIZE' | 'MAC' | 'IPAM_MAD';
        readonly book: string;
        readonly opennebula: string;
      })
    /** Two ARs name the same range. */
    | { readonly kind: 'range-claimed-twice'; readonly range: string; readonly ars: readonly string[] }
  );

export type ReconcileFindingKind = ReconcileFinding['kind'];

export type ReconcileNote =
  | { readonly kind: 'leases-not-listed'; readonly range: string; readonly ar: string }
  | { readonly kind: 'leases-not-compared'; readonly range: string; readonly ar: string; readonly why: string }
  | { readonly kind: 'reservation-skipped'; readonly ar: string; readonly parent: string }
  /** ARs of other IPAM drivers (or none); `selection` says how this driver's were chosen. */
  | { readonly kind: 'other-ars-skipped'; readonly count: number; readonly selection: string }
  /** OpenNebula leases in the book taken after the document was printed: oned may hold them now. */
  | { readonly kind: 'leases-newer-than-document'; readonly range: string; readonly count: number }
  | { readonly kind: 'range-newer-than-document'; readonly range: string; readonly since: string }
  /** With --driver NAME on a shared book: ranges of other drivers (recorded so, or standing for their ARs), not judged. */
  | {
      readonly kind: 'other-drivers-ranges';
      readonly count: number;
      readonly drivers: readonly string[];
      readonly driver: string;
    }
  /** A `onevnet show -x` document holds one VNET: ranges of other VNETs cannot be told missing. */
  | { readonly kind: 'single-vnet'; readonly vnet: string };

/**
 * Dry run: 0 when OpenNebula and the book agree, 1 when they do not. After `--apply`: 0 when
 * every finding was resolved, 1 when some remain for the operator.
 */
export function reconcileExitCode(findings: readonly ReconcileFinding[], applied: boolean): number {
  const open = applied ? findings.filter((f) => !f.adoptable) : findings;
  return open.length === 0 ? EXIT_CODES.ok : EXIT_CODES.findings;
}
