/**
 * Which ARs of an `onevnet` document are this driver's. With `--driver NAME` given: those whose
 * IPAM_MAD is NAME. Without: those that carry the range id our register reply adds, or whose
 * IPAM_MAD is the default driver name. ARs of a reservation are left out: their addresses are
 * leases of the parent AR, listed there with VNET = the reservation (docs/oned-contract.md 6).
 */
import { RANGE_ID_ATTRIBUTE, text } from '../oned/ar-fields.ts';
import type { ArView, OnevnetDocument } from './onevnet-document.ts';
import { arText } from './onevnet-document.ts';
import type { ReconcileNote } from './reconcile-finding.ts';

export interface DriverChoice {
  readonly name: string;
  /** True when the operator named the driver; then IPAM_MAD alone decides. */
  readonly explicit: boolean;
}

export interface Selection {
  readonly selected: ArView[];
  /** ARs of other drivers (not reservations): they are no finding, but their space is taken. */
  readonly others: ArView[];
  readonly notes: ReconcileNote[];
}

export function selectArs(doc: OnevnetDocument, driver: DriverChoice): Selection {
  const selected: ArView[] = [];
  const others: ArView[] = [];
  const notes: ReconcileNote[] = [];
  let count = 0;
  for (const vnet of doc.vnets) {
    for (const ar of vnet.ars) {
      const mad = text(ar.attributes, 'IPAM_MAD');
      const ours = driver.explicit
        ? mad === driver.name
        : mad === driver.name || text(ar.attributes, RANGE_ID_ATTRIBUTE) !== undefined;
      if (!ours) {
        count++;
        if (vnet.parentNetworkId === undefined) others.push(ar);
      } else if (vnet.parentNetworkId !== undefined)
        notes.push({ kind: 'reservation-skipped', ar: arText(ar), parent: vnet.parentNetworkId });
      else selected.push(ar);
    }
  }
  if (count > 0) notes.push({ kind: 'other-ars-skipped', count, selection: selectionText(driver) });
  return { selected, others, notes };
}

/** How ARs are chosen, in words: `IPAM_MAD mydrv`, or `NEBULA_IPAM_RANGE or IPAM_MAD nebula-ipam`. */
export function selectionText(driver: DriverChoice): string {
  return driver.explicit ? `IPAM_MAD ${driver.name}` : `${RANGE_ID_ATTRIBUTE} or IPAM_MAD ${driver.name}`;
}
