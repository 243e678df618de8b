/**
 * The book's holds (core/book/holds.ts) as JSON, the same for the file (its head line) and etcd
 * (one value the head names): one object per hold, address as text, every field checked on read.
 *
 *   [{"ip":"10.0.0.7","pool":"lan","source":"dhcp","reason":"Kea lease ...","first":"<ISO>","last":"<ISO>"},...]
 */
import { familyOf, FAMILIES } from '../../core/address/family.ts';
import type { Hold, HoldSource } from '../../core/book/holds.ts';
import { parseMac } from '../../core/address/mac.ts';
import { compareVmAddresses, vmAddressText, type VmAddress } from '../../core/book/vms.ts';
import type { Reader } from './field-reader.ts';

const SOURCES: ReadonlySet<string> = new Set<HoldSource>(['dns', 'dhcp', 'vm', 'probe', 'operator']);
const KEYS: ReadonlySet<string> = new Set(['ip', 'pool', 'source', 'reason', 'first', 'last']);
/** A time as `new Date().toISOString()` writes it. */
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?Z$/;

export function encodeHolds(holds: readonly Hold[]): string {
  return JSON.stringify(
    holds.map((hold) => ({
      ip: FAMILIES[hold.family].format(hold.address),
      pool: hold.pool,
      source: hold.source,
      reason: hold.reason,
      first: hold.firstSeen,
      last: hold.lastSeen,
    })),
  );
}

/** The holds in `value` (parsed JSON), at `at` for the message; a hold twice, or out of order, is refused. */
export function decodeHolds(r: Reader, value: unknown, at: string): Hold[] {
  const holds: Hold[] = [];
  r.list(value, at).forEach((entry, i) => {
    const here = `${at}[${i}]`;
    const o = r.object(entry, here);
    for (const key in o) if (!KEYS.has(key)) throw r.fail(here, o[key], key);
    const text = r.text(o.ip, here, 'ip');
    const family = familyOf(text);
    if (family === undefined) throw r.fail(here, o.ip, 'ip');
    const address = FAMILIES[family].parse(text)!;
    const source = r.text(o.source, here, 'source');
    if (!SOURCES.has(source)) throw r.fail(here, o.source, 'source');
    const time = (field: 'first' | 'last') => {
      const t = r.text(o[field], here, field);
      if (!ISO.test(t)) throw r.fail(here, t, field);
      return t;
    };
    const hold: Hold = {
      family,
      address,
      pool: r.text(o.pool, here, 'pool'),
      source: source as HoldSource,
      reason: r.text(o.reason, here, 'reason'),
      firstSeen: time('first'),
      lastSeen: time('last'),
    };
    const before = holds[holds.length - 1];
    // Sorted by family, then address (holds.ts), each once: holdAt finds one hold per address.
    if (before && (before.family > family || (before.family === family && before.address >= address)))
      throw r.fail(here, o.ip, 'ip');
    holds.push(hold);
  });
  return holds;
}

/**
 * The book's VM entries (core/book/vms.ts): `[{"ip":"10.0.0.7","id":42,"name":"web-1"},...]`; an
 * entry found by MAC only (a NIC with no IP) has `"mac"` in place of `"ip"`.
 */
export function encodeVms(vms: readonly VmAddress[]): string {
  return JSON.stringify(
    vms.map((vm) =>
      vm.space === 'mac'
        ? { mac: vmAddressText(vm), id: vm.id, name: vm.name }
        : { ip: vmAddressText(vm), id: vm.id, name: vm.name },
    ),
  );
}

const VM_KEYS: ReadonlySet<string> = new Set(['ip', 'mac', 'id', 'name']);

export function decodeVms(r: Reader, value: unknown, at: string): VmAddress[] {
  const vms: VmAddress[] = [];
  r.list(value, at).forEach((entry, i) => {
    const here = `${at}[${i}]`;
    const o = r.object(entry, here);
    for (const key in o) if (!VM_KEYS.has(key)) throw r.fail(here, o[key], key);
    // One address per entry: an IP, or (a NIC with no IP) a MAC.
    if (o.mac !== undefined && o.ip !== undefined) throw r.fail(here, o.mac, 'mac');
    const key = o.mac === undefined ? 'ip' : 'mac';
    const text = r.text(o[key], here, key);
    const space = key === 'mac' ? (parseMac(text) === undefined ? undefined : 'mac') : familyOf(text);
    if (space === undefined) throw r.fail(here, o[key], key);
    const address = space === 'mac' ? parseMac(text)! : FAMILIES[space].parse(text)!;
    const before = vms[vms.length - 1];
    if (before && compareVmAddresses(before, { space, address }) >= 0) throw r.fail(here, o[key], key);
    vms.push({ space, address, id: r.count(o.id, here, 'id'), name: r.text(o.name, here, 'name') });
  });
  return vms;
}
