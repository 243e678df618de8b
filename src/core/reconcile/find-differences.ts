/**
 * The differences between OpenNebula's books (an `onevnet -x` document) and the lease book, both
 * ways, and the fixes that adopt OpenNebula's view of its own leases and ranges (pure).
 *
 * Only OpenNebula's side of the book is ever judged: operator leases and unmanaged ranges are
 * never findings of their own and never fixed. Anything in the book newer than the document
 * (`documentTime`) is left alone: oned may have leased it after `onevnet` printed, and freeing a
 * live address is how an IPAM hands it out twice.
 */
import { FAMILIES } from '../address/family.ts';
import { formatMac } from '../address/mac.ts';
import type { Book, Lease, RangeRecord } from '../book/book.ts';
import { findRange } from '../book/book.ts';
import type { Config } from '../config/config.ts';
import { hasIPv4, isStatic6, RANGE_ID_ATTRIBUTE, text } from '../oned/ar-fields.ts';
import { describeRange, spanText } from '../book/range-text.ts';
import type { Interval } from '../intervals/interval.ts';
import { cutOut, overlapping, union } from '../intervals/sorted.ts';
import { readArFields, type ArFields } from './ar-view-fields.ts';
import type { ArView, OnevnetDocument } from './onevnet-document.ts';
import { arText } from './onevnet-document.ts';
import { judgeResize } from './adopt-resize.ts';
import { placeLeases, runsOf, type PlacedLease, type Run } from './place-leases.ts';
import { OccupiedSpace } from './occupied-space.ts';
import { narrowed, rebuildRange } from './rebuild-range.ts';
import type { ReconcileFinding, ReconcileNote } from './reconcile-finding.ts';
import type { ReconcileFix } from './reconcile-fix.ts';
import { selectArs, selectionText, type DriverChoice } from './select-ars.ts';

export interface ReconcileOptions {
  readonly config: Config;
  readonly driver: DriverChoice;
  /** When the document was printed (ISO); book entries after it, less `marginMs`, are not judged. */
  readonly documentTime: string;
  /**
   * How much earlier than `documentTime` judging stops (config `reconcileMarginSeconds`): a
   * lease's time is the clock of the front-end that ran the action, the document's another's.
   */
  readonly marginMs: number;
  /** ISO time now; what `--apply` adds is dated by the document (no later than now). */
  readonly now: string;
}

export interface ReconcilePlan {
  readonly findings: readonly ReconcileFinding[];
  readonly notes: readonly ReconcileNote[];
  readonly fixes: readonly ReconcileFix[];
  /** How much was compared: the document's VNETs, this driver's ARs, their leased addresses. */
  readonly scope: {
    readonly document: 'VNET' | 'VNET_POOL';
    readonly vnets: number;
    readonly ars: number;
    readonly leases: number;
  };
  /**
   * Why nothing at all was compared (no AR of this driver in the document and no range of the
   * book judged): then "agree" would be a claim nobody checked. Absent when something was.
   */
  readonly nothingCompared?: string;
}

/** What the plan gathers as ranges are compared; every step adds to it. */
interface Gathered {
  readonly findings: ReconcileFinding[];
  readonly notes: ReconcileNote[];
  readonly fixes: ReconcileFix[];
}

const RANGE_NUMBER = /^r([1-9][0-9]*)$/;
const NOT_RANGES = 'reconcile adopts leases and missing ranges, not changed range definitions';

export function findDifferences(book: Book, doc: OnevnetDocument, given: ReconcileOptions): ReconcilePlan {
  // Adopted leases and ranges existed when the document was printed: dated so, a later document
  // judges them like any other (dated now, they would look newer than it and be skipped).
  // From here on `documentTime` is the last moment judged: HA front-ends stamp leases with their
  // own clocks, so a lease one second after the document by one clock may be before it by the other's.
  const judgedUntil = new Date(Date.parse(given.documentTime) - given.marginMs).toISOString();
  const options = {
    ...given,
    documentTime: judgedUntil,
    now: given.documentTime < given.now ? given.documentTime : given.now,
  };
  const { selected, others, notes } = selectArs(doc, options.driver);
  const gathered: Gathered = { findings: [], notes, fixes: [] };
  const { findings, fixes } = gathered;
  const read = selected.map((ar) => ({ ar, fields: readArFields(ar) }));
  // Other drivers' ARs are never judged, but they say which space is taken and which range of a
  // shared book is theirs; one that does not read is simply not used.
  const otherRead = others.flatMap((ar) => {
    try {
      return [{ ar, fields: readArFields(ar) }];
    } catch {
      return [];
    }
  });
  let leasesSeen = 0;
  for (const { ar } of read) leasesSeen += leasedInOpenNebula(ar);

  // Which book range each AR stands for: by the id register gave it, else by its first address.
  const claims = new Map<string, { ar: ArView; fields: ArFields }[]>();
  const unmatched: { ar: ArView; fields: ArFields }[] = [];
  for (const entry of read) {
    const range = matchRange(book, entry.fields);
    if (!range) unmatched.push(entry);
    else claims.set(range.id, [...(claims.get(range.id) ?? []), entry]);
  }

  for (const [id, entries] of claims) {
    const range = findRange(book, id)!;
    if (entries.length > 1) {
      findings.push({
        kind: 'range-claimed-twice',
        range: id,
        ars: entries.map((e) => arText(e.ar)),
        adoptable: false,
        why: 'OpenNebula cannot have two ARs for one range; remove one with onevnet rmar',
      });
      continue;
    }
    const { ar, fields } = entries[0]!;
    if (ofOtherDriver(range, options.driver)) {
      // An AR of this driver naming another driver's range (an edited NEBULA_IPAM_RANGE?): the
      // range is not ours to judge, and its leases are not ours to change.
      findings.push({
        kind: 'range-differs',
        range: id,
        ar: arText(ar),
        field: 'IPAM_MAD',
        book: range.driver!,
        opennebula: options.driver.name,
        adoptable: false,
        why: `the range is driver ${range.driver}'s; reconcile judges only driver ${options.driver.name}'s`,
      });
      notes.push({
        kind: 'leases-not-compared',
        range: id,
        ar: arText(ar),
        why: `the range was registered by driver ${range.driver}`,
      });
      continue;
    }
    compareRange(book, range, ar, fields, options, gathered);
  }

  addMissingRanges(book, unmatched, read, otherRead, options, gathered);

  if (doc.root === 'VNET') {
    notes.push({ kind: 'single-vnet', vnet: doc.vnets[0]?.id ?? '?' });
  } else {
    const otherDrivers = new Set<string>();
    let otherRanges = 0;
    for (const range of book.ranges) {
      if (range.unmanaged || claims.has(range.id)) continue;
      // With --driver NAME, a shared book's other ranges are other drivers' business: recorded so,
      // or (recorded by no driver: books from before it was recorded) standing for another
      // driver's AR. A range no AR of any driver stands for is in no driver's OpenNebula at all.
      if (
        ofOtherDriver(range, options.driver) ||
        (options.driver.explicit && range.driver === undefined && otherRead.some((o) => standsFor(o.fields, range)))
      ) {
        otherRanges++;
        if (range.driver !== undefined) otherDrivers.add(range.driver);
        continue;
      }
      if (range.createdAt > options.documentTime) {
        notes.push({ kind: 'range-newer-than-document', range: range.id, since: range.createdAt });
        continue;
      }
      const operatorLeases = range.leases.filter((l) => l.holder === 'operator').length;
      const newerLeases = range.leases.filter((l) => l.holder === 'opennebula' && l.at > options.documentTime).length;
      const why =
        selected.length === 0
          ? `the document has no AR of driver ${options.driver.name} at all; check --driver before removing every range on its word`
          : operatorLeases > 0
            ? `it holds ${operatorLeases} operator lease${operatorLeases === 1 ? '' : 's'}; release them first`
            : newerLeases > 0
              ? `${newerLeases} of its OpenNebula leases ${newerLeases === 1 ? 'is' : 'are'} newer than the document; compare with a newer one`
              : undefined;
      findings.push({
        kind: 'range-missing-in-opennebula',
        range: range.id,
        type: range.type,
        addresses: spanText(range, { first: 0n, last: range.size - 1n }),
        size: Number(range.size),
        leases: leasedAddresses(range.leases),
        ...(why === undefined ? { adoptable: true } : { adoptable: false, why }),
      });
      if (why === undefined) fixes.push({ kind: 'remove-range', range: range.id });
    }
    if (otherRanges > 0)
      notes.push({
        kind: 'other-drivers-ranges',
        count: otherRanges,
        drivers: [...otherDrivers].sort(),
        driver: options.driver.name,
      });
  }
  const scope = { document: doc.root, vnets: doc.vnets.length, ars: selected.length, leases: leasesSeen };
  if (selected.length > 0 || findings.length > 0) return { findings, notes, fixes, scope };
  return { findings, notes, fixes, scope, nothingCompared: nothingComparedWhy(others, options.driver) };
}

/** In words: which ARs the document has instead, and how to pick them. */
function nothingComparedWhy(others: readonly ArView[], driver: DriverChoice): string {
  const mads = [...new Set(others.map((ar) => text(ar.attributes, 'IPAM_MAD') ?? '(none)'))].sort();
  const has = `the document has no AR with ${selectionText(driver)}`;
  if (mads.length === 0) return `${has} (it has no AR at all), and the book no range of it to judge`;
  const hinted = likelyDriver(others);
  const hint = hinted === undefined ? '' : `; to compare those, add --driver ${hinted}`;
  return `${has}; its ${others.length === 1 ? 'AR has' : `${others.length} ARs have`} IPAM_MAD ${mads.join(', ')}${hint}`;
}

/**
 * The IPAM_MAD to suggest: a nebula-ipam driver's (its ARs carry the range id our register reply
 * adds), else the one with the most ARs; ties by name. The first name alone could be `dummy`.
 */
function likelyDriver(others: readonly ArView[]): string | undefined {
  const score = new Map<string, { ours: number; ars: number }>();
  for (const ar of others) {
    const mad = text(ar.attributes, 'IPAM_MAD');
    if (mad === undefined) continue;
    const s = score.get(mad) ?? { ours: 0, ars: 0 };
    score.set(mad, { ours: s.ours + (text(ar.attributes, RANGE_ID_ATTRIBUTE) === undefined ? 0 : 1), ars: s.ars + 1 });
  }
  return [...score]
    .sort(([a, x], [b, y]) => y.ours - x.ours || y.ars - x.ars || (a < b ? -1 : a > b ? 1 : 0))
    .map(([mad]) => mad)[0];
}

/** With --driver NAME: a range another driver registered (by its record). */
function ofOtherDriver(range: RangeRecord, driver: DriverChoice): boolean {
  return driver.explicit && range.driver !== undefined && range.driver !== driver.name;
}

/** Whether an AR (of another driver) may stand for the range: the same id, or no id and the same first address. */
function standsFor(fields: ArFields, range: RangeRecord): boolean {
  if (fields.id !== undefined) return fields.id === range.id;
  return (fields.ip !== undefined && fields.ip === range.ip) || (fields.ip6 !== undefined && fields.ip6 === range.ip6);
}

function matchRange(book: Book, fields: ArFields): RangeRecord | undefined {
  if (fields.id !== undefined) return findRange(book, fields.id);
  if (fields.ip !== undefined) return book.ranges.find((r) => !r.unmanaged && r.ip === fields.ip);
  if (fields.ip6 !== undefined) return book.ranges.find((r) => !r.unmanaged && r.ip6 === fields.ip6);
  return undefined;
}

/** A range both sides have: its definition, then its leases when the definition allows comparing them. */
function compareRange(
  book: Book,
  range: RangeRecord,
  ar: ArView,
  fields: ArFields,
  options: ReconcileOptions,
  gathered: Gathered,
): void {
  const { findings, notes, fixes } = gathered;
  const where = { range: range.id, ar: arText(ar) };
  const differs: ('TYPE' | 'IP' | 'IP6' | 'SIZE' | 'MAC')[] = [];
  const differ = (field: 'TYPE' | 'IP' | 'IP6' | 'SIZE' | 'MAC', book: string, opennebula: string) => {
    differs.push(field);
    findings.push({ kind: 'range-differs', ...where, field, book, opennebula, adoptable: false, why: NOT_RANGES });
  };
  if (fields.type !== undefined && fields.type !== range.type) differ('TYPE', range.type, fields.type);
  if (fields.ip !== undefined && fields.ip !== range.ip)
    differ('IP', range.ip === undefined ? '-' : FAMILIES.ipv4.format(range.ip), FAMILIES.ipv4.format(fields.ip));
  if (fields.ip6 !== undefined && range.ip6 !== undefined && fields.ip6 !== range.ip6)
    differ('IP6', FAMILIES.ipv6.format(range.ip6), FAMILIES.ipv6.format(fields.ip6));
  // `onevnet updatear` resizes: adopted when safe (adopt-resize.ts); leases then compare against the new size.
  let resized = range;
  if (fields.size !== undefined && fields.size !== range.size) {
    const judged = judgeResize(book, options.config, range, fields.size);
    findings.push({
      kind: 'range-differs',
      ...where,
      field: 'SIZE',
      book: String(range.size),
      opennebula: String(fields.size),
      ...judged,
    });
    if (judged.adoptable) {
      fixes.push({ kind: 'resize-range', range: range.id, size: fields.size });
      resized = { ...range, size: fields.size };
    }
  }
  if (fields.mac !== undefined && range.mac !== undefined && fields.mac !== range.mac)
    differ('MAC', formatMac(range.mac), formatMac(fields.mac));

  // Addresses are indices from the range's first address: if that differs, nothing lines up.
  const byMac = !hasIPv4(range.type) && !isStatic6(range.type);
  const blocking = differs.find((f) => f === 'TYPE' || f === 'IP' || f === 'IP6' || (f === 'MAC' && byMac));
  if (blocking) {
    notes.push({ kind: 'leases-not-compared', ...where, why: `the AR and the range differ in ${blocking}` });
    return;
  }
  if (!ar.leases) {
    notes.push({ kind: 'leases-not-listed', ...where });
    return;
  }
  if (
    (hasIPv4(range.type) && range.ip === undefined) ||
    (isStatic6(range.type) && range.ip6 === undefined) ||
    (byMac && (range.mac ?? fields.mac) === undefined)
  ) {
    notes.push({
      kind: 'leases-not-compared',
      ...where,
      why: 'the range lacks the address its leases count from (see nebula-ipam verify)',
    });
    return;
  }
  const placed = placeLeases(ar, {
    type: range.type,
    ...optional(range.ip, 'ip'),
    ...optional(range.ip6, 'ip6'),
    ...optional(range.mac ?? fields.mac, 'mac'),
  });
  compareLeases(resized, ar, placed, options, gathered);
}

function compareLeases(
  range: RangeRecord,
  ar: ArView,
  placed: readonly PlacedLease[],
  options: ReconcileOptions,
  gathered: Gathered,
): void {
  const { findings, notes, fixes } = gathered;
  const where = { range: range.id, ar: arText(ar) };
  // A run of the AR's leases: where, which addresses, how many, whose.
  const leased = (run: Run<PlacedLease>, addresses = spanText(range, run)) => ({
    ...where,
    addresses,
    count: run.members.length,
    holder: run.members[0]!.holder,
  });
  const outside: PlacedLease[] = [];
  const missing: PlacedLease[] = [];
  const onOperator: (PlacedLease & { operator: string })[] = [];
  for (const lease of placed) {
    if (lease.index < 0n || lease.index >= range.size) {
      outside.push(lease);
      continue;
    }
    const held = overlapping(range.leases, { first: lease.index, last: lease.index })[0];
    if (!held) missing.push(lease);
    else if (held.holder === 'operator') onOperator.push({ ...lease, operator: held.owner ?? '?' });
  }

  for (const run of runsOf(outside, (l) => l.holder))
    findings.push({
      kind: 'lease-outside-book-range',
      ...leased(run, outsideText(range, run)),
      adoptable: false,
      why: `the book's range has ${range.size} address${range.size === 1n ? '' : 'es'}; ${NOT_RANGES}`,
    });
  for (const run of runsOf(missing, (l) => l.holder)) {
    findings.push({ kind: 'lease-missing-in-book', ...leased(run), adoptable: true });
    fixes.push({ kind: 'add-lease', range: range.id, lease: adoptedLease(range, run, run.members[0]!, options.now) });
  }
  for (const run of runsOf(onOperator, (l) => `${l.holder}\u0000${l.operator}`))
    findings.push({
      kind: 'lease-held-by-operator',
      ...leased(run),
      operator: run.members[0]!.operator,
      adoptable: false,
      why: 'operator leases are never changed by reconcile; one side must give the address up',
    });

  // Held for OpenNebula in the book but not leased there, unless taken after the document.
  const leasedThere = union(placed.map((l) => ({ first: l.index, last: l.index })));
  let newer = 0;
  for (const lease of range.leases) {
    if (lease.holder !== 'opennebula') continue;
    if (lease.at > options.documentTime) {
      newer++;
      continue;
    }
    let pieces: Lease[] = [lease];
    for (const span of overlapping(leasedThere, lease)) pieces = cutOut(pieces, span);
    for (const piece of pieces) {
      findings.push({
        kind: 'lease-missing-in-opennebula',
        range: range.id,
        addresses: spanText(range, piece),
        count: Number(piece.last - piece.first + 1n),
        since: lease.at,
        adoptable: true,
      });
      fixes.push({ kind: 'drop-lease', range: range.id, span: { first: piece.first, last: piece.last } });
    }
  }
  if (newer > 0) notes.push({ kind: 'leases-newer-than-document', range: range.id, count: newer });
}

/** ARs the book has no range for: rebuilt with their leases, unless they would overlap a range. */
function addMissingRanges(
  book: Book,
  unmatched: readonly { ar: ArView; fields: ArFields }[],
  all: readonly { fields: ArFields }[],
  others: readonly { ar: ArView; fields: ArFields }[],
  options: ReconcileOptions,
  gathered: Gathered,
): void {
  const { findings, notes, fixes } = gathered;
  // New ids never reuse one the book handed out or one an AR of the document carries.
  let nextId = book.nextRangeId;
  for (const { fields } of all) {
    const number = fields.id === undefined ? undefined : RANGE_NUMBER.exec(fields.id)?.[1];
    if (number !== undefined) nextId = Math.max(nextId, Number(number) + 1);
  }
  const occupied = new OccupiedSpace(book.ranges);
  // An AR of another driver that shares this book (the book records ranges of it) holds its
  // addresses in this book's space even when its range is lost from the book: a rebuilt range
  // of ours must not take them. Drivers with books of their own may reuse the same networks.
  const sharing = new Set(book.ranges.flatMap((r) => (r.driver === undefined ? [] : [r.driver])));
  for (const { ar, fields } of others) {
    if (!sharing.has(text(ar.attributes, 'IPAM_MAD') ?? '')) continue;
    const rebuilt = rebuildRange(
      fields,
      `${arText(ar)} of driver ${text(ar.attributes, 'IPAM_MAD') ?? '?'}`,
      options.config,
      [],
      options.now,
    );
    if (rebuilt.ok && !occupied.blocker(narrowed(rebuilt.range))) occupied.add(narrowed(rebuilt.range));
  }
  for (const { ar, fields } of unmatched) {
    const id = fields.id ?? `r${nextId++}`;
    const where = { range: id, ar: arText(ar) };
    const rebuilt = rebuildRange(fields, id, options.config, [], options.now);
    const shape = {
      type: fields.type ?? '?',
      size: fields.size === undefined ? 0 : Number(fields.size),
      leases: leasedInOpenNebula(ar),
    };
    const missing = (addresses: string, refused?: string) =>
      findings.push({
        kind: 'range-missing-in-book',
        ...where,
        ...shape,
        addresses,
        ...(refused === undefined ? { adoptable: true } : { adoptable: false, why: refused }),
      });
    if (!rebuilt.ok) {
      missing('?', `it cannot be rebuilt: ${rebuilt.why}`);
      continue;
    }
    const placed = ar.leases ? placeLeases(ar, rebuilt.range) : [];
    const outside = placed.filter((l) => l.index < 0n || l.index >= rebuilt.range.size);
    const leases = runsOf(placed, (l) => l.holder).map((run) =>
      adoptedLease(rebuilt.range, run, run.members[0]!, options.now),
    );
    const addresses = spanText(rebuilt.range, { first: 0n, last: rebuilt.range.size - 1n });
    if (outside.length > 0) {
      missing(addresses, `${outside.length} of its leases lie outside its own SIZE`);
      continue;
    }
    // The driver the AR names is the one that registered it (register replies IPAM_MAD).
    const mad = text(ar.attributes, 'IPAM_MAD');
    let range: RangeRecord = { ...rebuilt.range, ...(mad === undefined ? {} : { driver: mad }), leases };
    if (occupied.blocker(range) && !occupied.blocker(narrowed(range))) range = narrowed(range);
    const blocker = occupied.blocker(range);
    if (blocker) {
      missing(addresses, `it overlaps range ${describeRange(blocker)} in the book`);
      continue;
    }
    occupied.add(range);
    missing(addresses);
    fixes.push({ kind: 'add-range', range });
    if (!ar.leases) notes.push({ kind: 'leases-not-listed', ...where });
  }
}

/**
 * Leases counted one way everywhere reconcile counts them: by address, as OpenNebula's LEASE
 * elements and USED_LEASES do. The book keeps a block (a reservation, SIZE > 1) as one lease.
 */
function leasedAddresses(leases: readonly Lease[]): number {
  return leases.reduce((sum, lease) => sum + Number(lease.last - lease.first + 1n), 0);
}

/** An AR's leased addresses: its LEASE elements, one per address (a repeated address once). */
function leasedInOpenNebula(ar: ArView): number {
  return new Set((ar.leases ?? []).map((l) => l.ip ?? l.ip6 ?? l.mac)).size;
}

/** OpenNebula's lease as the book keeps one: its holder as owner text, its MAC when shown. */
function adoptedLease(range: RangeRecord, span: Interval, first: PlacedLease, now: string): Lease {
  const mac = first.mac ?? (range.mac === undefined ? undefined : range.mac + span.first);
  return {
    first: span.first,
    last: span.last,
    holder: 'opennebula',
    owner: first.holder,
    at: now,
    ...(mac === undefined ? {} : { mac }),
  };
}

/** Addresses outside the range, written from its first address (indices may be negative). */
function outsideText(range: RangeRecord, span: Interval): string {
  const at = (index: bigint) => {
    if (range.ip !== undefined) return FAMILIES.ipv4.format(range.ip + index);
    if (range.ip6 !== undefined) return FAMILIES.ipv6.format(range.ip6 + index);
    return range.mac !== undefined ? formatMac(range.mac + index) : `index ${index}`;
  };
  return span.first === span.last ? at(span.first) : `${at(span.first)}-${at(span.last)}`;
}

function optional<K extends string>(value: bigint | undefined, key: K): { [P in K]?: bigint } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]?: bigint });
}
