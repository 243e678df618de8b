/**
 * A range's leases packed into one short string: the book is rewritten whole on every change, so
 * its size is what a big cloud pays per action (JSON objects cost ~110 bytes a lease, this ~12).
 *
 * Leases are separated by `;`, fields by `,`, empty trailing fields are left out:
 *
 *   at , requestId , gap , extra , mac , holder , owner , note
 *
 *   at         ms since the epoch, as a signed base-36 delta from the previous lease's (from 0);
 *              or `~text` when the time is not in the canonical form `toISOString` writes
 *   requestId  empty when absent; a decimal id as a signed base-36 delta from the previous
 *              decimal id (from 0); `~text` for any other id
 *   gap        first - (previous lease's last + 1), base 36, empty for 0 (from -1): leases are
 *              sorted and disjoint by construction
 *   extra      last - first, base 36, empty for 0
 *   mac        empty when it is the range's MAC + first (the usual case), `-` when absent, else a
 *              signed base-36 delta from that
 *   holder     empty for opennebula, `p` for operator
 *   owner,note empty when absent, else `~text`
 *
 * In `~text`, `%`, `,` and `;` are written `%25`, `%2C`, `%3B`. Unpacking checks every field; a
 * string that does not follow this grammar is refused, never guessed at.
 */
import type { Holder, Lease } from '../../core/book/book.ts';

/** Fails with the path of a bad field (relative to the range, e.g. `leases[3].at`) and its text. */
export type Fail = (path: string, value: unknown) => Error;

const DECIMAL_ID = /^(0|[1-9][0-9]{0,14})$/;
const BASE36 = /^-?[0-9a-z]{1,11}$/;
/** The furthest a Date reaches either side of the epoch. */
const MAX_TIME_MS = 8.64e15;
const MAX_MAC = 2 ** 48 - 1;

export function packLeases(leases: readonly Lease[], rangeMac: bigint | undefined): string {
  const macBase = rangeMac ?? 0n;
  let previousLast = -1;
  let previousId = 0;
  let previousAt = 0;
  const tokens: string[] = [];
  for (const lease of leases) {
    const first = Number(lease.first);
    const last = Number(lease.last);
    // A list that breaks the book's invariant would pack into a string that cannot be read back.
    if (first <= previousLast || last < first)
      throw new Error(`Cannot pack leases: ${first}-${last} is out of order after ${previousLast}`);
    const fields: string[] = [];

    const ms = Date.parse(lease.at);
    // Deltas between the extremes of Date's range would not be exact in a double: those go as text.
    if (Number.isFinite(ms) && Number.isSafeInteger(ms - previousAt) && new Date(ms).toISOString() === lease.at) {
      fields.push(signed36(ms - previousAt));
      previousAt = ms;
    } else {
      fields.push(literal(lease.at));
    }

    if (lease.requestId === undefined) fields.push('');
    else if (DECIMAL_ID.test(lease.requestId)) {
      const id = Number(lease.requestId);
      fields.push(signed36(id - previousId));
      previousId = id;
    } else fields.push(literal(lease.requestId));

    fields.push(first === previousLast + 1 ? '' : (first - previousLast - 1).toString(36));
    fields.push(last === first ? '' : (last - first).toString(36));
    previousLast = last;

    if (lease.mac === undefined) fields.push('-');
    else {
      const delta = lease.mac - (macBase + lease.first);
      fields.push(delta === 0n ? '' : signed36(Number(delta)));
    }
    fields.push(lease.holder === 'operator' ? 'p' : '');
    fields.push(lease.owner === undefined ? '' : literal(lease.owner));
    fields.push(lease.note === undefined ? '' : literal(lease.note));

    let end = fields.length;
    while (end > 1 && fields[end - 1] === '') end--;
    tokens.push(end === fields.length ? fields.join(',') : fields.slice(0, end).join(','));
  }
  return tokens.join(';');
}

/**
 * The leases of a range of `size` addresses whose MAC is `rangeMac`, from `packLeases`' string.
 * Sorted, disjoint and inside the range by construction of the grammar and checked bounds.
 */
export function unpackLeases(packed: string, size: bigint, rangeMac: bigint | undefined, fail: Fail): Lease[] {
  if (packed === '') return [];
  const macBase = rangeMac === undefined ? 0 : Number(rangeMac);
  const limit = Number(size) - 1;
  let previousLast = -1;
  let previousId = 0;
  let previousAt = 0;
  const tokens = packed.split(';');
  const leases: Lease[] = new Array(tokens.length);
  for (let i = 0; i < tokens.length; i++) {
    const at = `leases[${i}]`;
    const fields = tokens[i]!.split(',');
    if (fields.length > 8) throw fail(at, tokens[i]);
    const [
      atField = '',
      idField = '',
      gapField = '',
      extraField = '',
      macField = '',
      holderField = '',
      ownerField = '',
      noteField = '',
    ] = fields;

    let time: string;
    if (atField.startsWith('~')) time = unescape(atField, `${at}.at`, fail);
    else {
      previousAt += signed(atField, `${at}.at`, fail);
      if (Math.abs(previousAt) > MAX_TIME_MS) throw fail(`${at}.at`, atField);
      time = new Date(previousAt).toISOString();
    }

    let requestId: string | undefined;
    if (idField.startsWith('~')) requestId = unescape(idField, `${at}.requestId`, fail);
    else if (idField !== '') {
      previousId += signed(idField, `${at}.requestId`, fail);
      if (previousId < 0 || previousId > 999_999_999_999_999) throw fail(`${at}.requestId`, idField);
      requestId = String(previousId);
    }

    const first = previousLast + 1 + (gapField === '' ? 0 : unsigned(gapField, `${at}.from`, fail));
    const last = first + (extraField === '' ? 0 : unsigned(extraField, `${at}.to`, fail));
    if (last > limit) throw fail(`${at}.to`, last);
    previousLast = last;

    let mac: number | undefined;
    if (macField !== '-') {
      mac = macBase + first + (macField === '' ? 0 : signed(macField, `${at}.mac`, fail));
      if (mac < 0 || mac > MAX_MAC) throw fail(`${at}.mac`, macField);
    }

    let holder: Holder;
    if (holderField === '') holder = 'opennebula';
    else if (holderField === 'p') holder = 'operator';
    else throw fail(`${at}.holder`, holderField);

    const owner = optionalText(ownerField, `${at}.owner`, fail);
    const note = optionalText(noteField, `${at}.note`, fail);
    // Absent fields stay absent. The usual lease (oned's: MAC and request id, no owner or note)
    // is one literal: spreading optional parts would make four objects per lease.
    if (owner === undefined && note === undefined && mac !== undefined && requestId !== undefined) {
      leases[i] = { first: BigInt(first), last: BigInt(last), holder, mac: BigInt(mac), requestId, at: time };
    } else {
      const lease: { -readonly [K in keyof Lease]: Lease[K] } = {
        first: BigInt(first),
        last: BigInt(last),
        holder,
        at: time,
      };
      if (owner !== undefined) lease.owner = owner;
      if (note !== undefined) lease.note = note;
      if (mac !== undefined) lease.mac = BigInt(mac);
      if (requestId !== undefined) lease.requestId = requestId;
      leases[i] = lease;
    }
  }
  return leases;
}

function signed36(n: number): string {
  return n < 0 ? `-${(-n).toString(36)}` : n.toString(36);
}

function signed(text: string, path: string, fail: Fail): number {
  if (!BASE36.test(text)) throw fail(path, text);
  const value = text.startsWith('-') ? -parseInt(text.slice(1), 36) : parseInt(text, 36);
  if (!Number.isSafeInteger(value)) throw fail(path, text);
  return value;
}

function unsigned(text: string, path: string, fail: Fail): number {
  const value = signed(text, path, fail);
  if (value < 0) throw fail(path, text);
  return value;
}

function literal(text: string): string {
  return `~${text.replace(/[%,;]/g, (c) => (c === '%' ? '%25' : c === ',' ? '%2C' : '%3B'))}`;
}

function unescape(field: string, path: string, fail: Fail): string {
  const text = field.slice(1);
  if (/%(?!25|2C|3B)/.test(text)) throw fail(path, field);
  return text.replace(/%(25|2C|3B)/g, (_, code: string) => (code === '25' ? '%' : code === '2C' ? ',' : ';'));
}

function optionalText(field: string, path: string, fail: Fail): string | undefined {
  if (field === '') return undefined;
  if (!field.startsWith('~')) throw fail(path, field);
  return unescape(field, path, fail);
}
