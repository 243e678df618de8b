/** Reconcile findings and notes in words: table rows and lines an operator can act on. */
import type { ReconcileFinding, ReconcileNote } from './reconcile-finding.ts';

export interface ReconcileRow {
  readonly problem: string;
  readonly range: string;
  readonly ar: string;
  readonly addresses: string;
  readonly detail: string;
  /** What `--apply` does (dry run) or did (after `--apply`), or why it leaves the finding. */
  readonly action: string;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
/** Leases are counted by address everywhere reconcile counts them (a 2-address reservation is 2). */
export const leased = (n: number) => `${n} leased address${n === 1 ? '' : 'es'}`;

export function describeReconcileFinding(f: ReconcileFinding, applied: boolean): ReconcileRow {
  const action = (would: string, did: string) =>
    f.adoptable ? (applied ? did : would) : `left: ${f.why ?? 'not for reconcile to fix'}`;
  switch (f.kind) {
    case 'lease-missing-in-book':
      return {
        problem: 'leased in OpenNebula only',
        range: f.range,
        ar: f.ar,
        addresses: f.addresses,
        detail: `${f.holder}; free in the book`,
        action: action('adds the lease', 'lease added'),
      };
    case 'lease-missing-in-opennebula':
      return {
        problem: 'held in the book only',
        range: f.range,
        ar: '-',
        addresses: f.addresses,
        detail: `OpenNebula lease since ${f.since}; not leased in OpenNebula`,
        action: action('drops the lease', 'lease dropped'),
      };
    case 'lease-held-by-operator':
      return {
        problem: 'leased to both',
        range: f.range,
        ar: f.ar,
        addresses: f.addresses,
        detail: `${f.holder} in OpenNebula; operator lease "${f.operator}" in the book`,
        action: action('', ''),
      };
    case 'lease-outside-book-range':
      return {
        problem: 'leased outside the range',
        range: f.range,
        ar: f.ar,
        addresses: f.addresses,
        detail: `${f.holder}; beyond the book's range`,
        action: action('', ''),
      };
    case 'range-missing-in-book':
      return {
        problem: 'range in OpenNebula only',
        range: f.range,
        ar: f.ar,
        addresses: f.addresses,
        detail: `${f.type}, SIZE ${f.size}, ${leased(f.leases)}`,
        action: action('adds the range and its leases', 'range added'),
      };
    case 'range-missing-in-opennebula':
      return {
        problem: 'range in the book only',
        range: f.range,
        ar: '-',
        addresses: f.addresses,
        detail: `${f.type}, SIZE ${f.size}, ${leased(f.leases)}; no AR in OpenNebula`,
        action: action('removes the range', 'range removed'),
      };
    case 'range-differs':
      return {
        problem: `${f.field} differs`,
        range: f.range,
        ar: f.ar,
        addresses: '-',
        detail: `book ${f.book}, OpenNebula ${f.opennebula}`,
        action: action(`resizes the range to ${f.opennebula}`, `range resized to ${f.opennebula}`),
      };
    case 'range-claimed-twice':
      return {
        problem: 'range named by two ARs',
        range: f.range,
        ar: f.ars.join(', '),
        addresses: '-',
        detail: 'both carry this range id',
        action: action('', ''),
      };
  }
}

export function describeReconcileNote(n: ReconcileNote): string {
  switch (n.kind) {
    case 'leases-not-listed':
      return `${n.range} (${n.ar}): the document has no LEASES for it (onevnet list -x of some versions); its leases were not compared: use onevnet show -x`;
    case 'leases-not-compared':
      return `${n.range} (${n.ar}): leases not compared: ${n.why}`;
    case 'reservation-skipped':
      return `${n.ar}: a reservation from VNET ${n.parent}; its addresses are compared as leases of the parent's AR`;
    case 'other-ars-skipped':
      return `${plural(n.count, 'AR')} of other drivers skipped (this driver's: ${n.selection})`;
    case 'single-vnet':
      return `the document is one VNET (onevnet show -x ${n.vnet}): ranges of other VNETs cannot be told missing; use onevnet list -x for that`;
    case 'leases-newer-than-document':
      return `${n.range}: ${plural(n.count, 'OpenNebula lease')} in the book ${n.count === 1 ? 'is' : 'are'} newer than the document and ${n.count === 1 ? 'was' : 'were'} not judged`;
    case 'other-drivers-ranges':
      return `${plural(n.count, 'range')} of other drivers${n.drivers.length ? ` (${n.drivers.join(', ')})` : ''} in the book not judged: reconcile --driver ${n.driver} judges only the ranges driver ${n.driver} registered`;
    case 'range-newer-than-document':
      return `${n.range}: registered at ${n.since}, after the document was written; not judged`;
  }
}
