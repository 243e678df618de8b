/**
 * What `onevnet show -x` (one VNET) and `onevnet list -x` (a VNET_POOL) print, reduced to what
 * reconciling needs (docs/oned-contract.md 6): each VNET's ARs with their attributes and, when printed,
 * their leases.
 */
import type { Attributes } from '../oned/attributes.ts';

export interface OnevnetDocument {
  /** `VNET` for `onevnet show -x`, `VNET_POOL` for `onevnet list -x`. */
  readonly root: 'VNET' | 'VNET_POOL';
  readonly vnets: readonly VnetView[];
}

export interface VnetView {
  readonly id: string;
  readonly name: string;
  /** Set on a reservation: its ARs are carved from the parent network's AR. */
  readonly parentNetworkId?: string;
  readonly ars: readonly ArView[];
}

export interface ArView {
  readonly vnetId: string;
  readonly arId: string;
  /** Every text child of the AR: its attributes and oned's computed elements. */
  readonly attributes: Attributes;
  /** Undefined when the AR has no LEASES element (some `onevnet list -x` versions). */
  readonly leases?: readonly LeaseView[];
}

/** Who holds an address in OpenNebula. A VM id of -1 is an address put on hold. */
export type LeaseOwner =
  | { readonly kind: 'vm'; readonly id: string }
  | { readonly kind: 'hold' }
  | { readonly kind: 'reservation'; readonly vnet: string }
  | { readonly kind: 'vrouter'; readonly id: string }
  | { readonly kind: 'unknown' };

export interface LeaseView {
  readonly mac?: string;
  readonly ip?: string;
  readonly ip6?: string;
  readonly ip6Global?: string;
  readonly ip6Ula?: string;
  readonly owner: LeaseOwner;
}

/** `VM 12`, `hold`, `reservation VNET 7`, `VROUTER 2`. */
export function ownerText(owner: LeaseOwner): string {
  switch (owner.kind) {
    case 'vm':
      return `VM ${owner.id}`;
    case 'hold':
      return 'hold';
    case 'reservation':
      return `reservation VNET ${owner.vnet}`;
    case 'vrouter':
      return `VROUTER ${owner.id}`;
    case 'unknown':
      return 'unknown holder';
  }
}

/** `VNET 3 AR 0` */
export function arText(ar: ArView): string {
  return `VNET ${ar.vnetId} AR ${ar.arId}`;
}
