/**
 * The hooks' VMs matched to the book's leases (issue 18 item 6), over VM XML as oned's hook
 * manager passes it (test/support/opennebula-hook-messages.ts) and books the real actions made.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ACTIONS } from '../../../../src/core/actions/index.ts';
import { FAMILIES } from '../../../../src/core/address/family.ts';
import { formatMac } from '../../../../src/core/address/mac.ts';
import type { Book, RangeRecord } from '../../../../src/core/book/book.ts';
import { vmAddressText, vmFacts } from '../../../../src/core/book/vms.ts';
import { ipv6At } from '../../../../src/core/operator/locate-address.ts';
import { matchNics, recordVm, renameVm } from '../../../../src/core/operator/record-vm.ts';
import { leaseVms } from '../../../../src/core/view/lease-vms.ts';
import { decodeRequest } from '../../../../src/oned/request.ts';
import { decodeHookVm } from '../../../../src/oned/vm-xml.ts';
import { emptyBook, NOW, registered, testConfig } from '../../../support/operator-fixtures.ts';
import {
  aliasAttrs,
  type Attrs,
  hookArgument,
  nicAttrs,
  pciAttrs,
  vmXml,
} from '../../../support/opennebula-hook-messages.ts';

const config = testConfig();

/** oned's allocate_address of index `index` of `range`, with the ADDRESS fields oned sends (MAC, IP, IPv6 as `0`). */
function allocate(book: Book, range: RangeRecord, index: bigint): Book {
  const ar: Record<string, string> = { NEBULA_IPAM_RANGE: range.id, TYPE: range.type, SIZE: String(range.size) };
  if (range.ip !== undefined) ar.IP = FAMILIES.ipv4.format(range.ip);
  if (range.ip6 !== undefined) ar.IP6 = FAMILIES.ipv6.format(range.ip6);
  if (range.mac !== undefined) ar.MAC = formatMac(range.mac);
  if (range.globalPrefix !== undefined) ar.GLOBAL_PREFIX = FAMILIES.ipv6.format(range.globalPrefix);
  if (range.ulaPrefix !== undefined) ar.ULA_PREFIX = FAMILIES.ipv6.format(range.ulaPrefix);
  const fields = [
    range.mac === undefined ? '' : `<MAC>${formatMac(range.mac + index)}</MAC>`,
    range.ip === undefined ? '' : `<IP>${FAMILIES.ipv4.format(range.ip + index)}</IP>`,
    range.globalPrefix === undefined ? '' : '<IP6_GLOBAL>0</IP6_GLOBAL>',
    range.ulaPrefix === undefined ? '' : '<IP6_ULA>0</IP6_ULA>',
    range.type === 'IP6_STATIC' ? '<IP6>0</IP6>' : '',
  ].join('');
  const inner = Object.keys(ar)
    .sort()
    .map((k) => `<${k}><![CDATA[${ar[k]}]]></${k}>`)
    .join('');
  const xml = `<IPAM_DRIVER_ACTION_DATA><AR>${inner}</AR><ADDRESS>${fields}<SIZE>1</SIZE></ADDRESS></IPAM_DRIVER_ACTION_DATA>`;
  return ACTIONS.allocate_address(book, decodeRequest(Buffer.from(xml).toString('base64')), {
    config,
    now: NOW,
    requestId: '2',
  }).book!;
}

/** A book with index 1 of four ranges leased: IP4, ETHER, IP6_STATIC and IP4_6 (SLAAC). */
function fourRanges() {
  let book = emptyBook();
  const made = [
    { TYPE: 'IP4', SIZE: '10', MAC: '02:00:0a:14:00:03' },
    { TYPE: 'ETHER', SIZE: '4', MAC: '02:00:c0:ff:ee:05' },
    { TYPE: 'IP6_STATIC', SIZE: '4', MAC: '02:00:0e:50:4c:f0', IPAM_POOL6: 'public6' },
    { TYPE: 'IP4_6', SIZE: '4', MAC: '02:00:0a:14:01:05', IPAM_POOL6: 'public6', ULA_PREFIX: 'fd00:1234:5678:9abc::' },
  ].map((ar) => {
    const r = registered(book, config, ar);
    book = r.book;
    return r.range;
  });
  for (const range of made) book = allocate(book, range, 1n);
  const [ip4, ether, static6, dual] = made.map((r) => book.ranges.find((x) => x.id === r.id)!);
  const at = (range: RangeRecord, i: bigint) => ({
    ip: range.ip === undefined ? undefined : FAMILIES.ipv4.format(range.ip + i),
    ip6: ipv6At(range, i) === undefined ? undefined : FAMILIES.ipv6.format(ipv6At(range, i)!),
    mac: formatMac(range.mac! + i),
    ula:
      range.ulaPrefix === undefined
        ? undefined
        : FAMILIES.ipv6.format(ipv6At({ ...range, globalPrefix: range.ulaPrefix }, i)!),
  });
  return {
    book,
    ip4: at(ip4!, 1n),
    ether: at(ether!, 1n),
    static6: at(static6!, 1n),
    dual: at(dual!, 1n),
    ranges: made,
  };
}

const vm = (nics: readonly Attrs[], extra: { aliases?: Attrs[]; pcis?: Attrs[]; state?: number; name?: string } = {}) =>
  decodeHookVm(
    hookArgument(
      vmXml({
        id: 7,
        name: extra.name ?? 'web-1',
        state: extra.state ?? 3,
        nics,
        ...(extra.aliases ? { aliases: extra.aliases } : {}),
        ...(extra.pcis ? { pcis: extra.pcis } : {}),
      }),
    ),
  );

const texts = (entries: readonly { space: string; address: bigint }[]) =>
  entries.map((e) => vmAddressText(e as Parameters<typeof vmAddressText>[0]));

describe('matchNics', () => {
  it('matches NIC, NIC_ALIAS and PCI interfaces by address, IPv4 and IPv6 (static, SLAAC global and ULA), and an ETHER NIC by its MAC', () => {
    const { book, ip4, ether, static6, dual } = fourRanges();
    const seen = vm([nicAttrs(0, { IP: ip4.ip!, MAC: ip4.mac }), nicAttrs(1, { MAC: ether.mac })], {
      aliases: [aliasAttrs(3, 0, 0, { IP6: static6.ip6!, MAC: static6.mac })],
      pcis: [pciAttrs(4, { IP: dual.ip!, IP6_GLOBAL: dual.ip6!, IP6_ULA: dual.ula!, MAC: dual.mac }), pciAttrs(5)],
    });
    const match = matchNics(book, config, seen);
    assert.deepEqual(
      texts(match.entries),
      [ip4.ip, dual.ip, static6.ip6, dual.ip6, dual.ula, ether.mac],
      'in book order: IPv4, IPv6, MAC',
    );
    assert.deepEqual(match.skipped, []);
    assert.ok(match.entries.every((e) => e.id === 7 && e.name === 'web-1'));
  });

  it("an address leased for another MAC is not this NIC's lease; an address the book has not leased is not recorded", () => {
    const { book, ip4 } = fourRanges();
    const match = matchNics(
      book,
      config,
      vm([
        nicAttrs(0, { IP: ip4.ip!, MAC: '02:00:0a:14:00:99' }),
        nicAttrs(1, { IP: '10.20.0.7', MAC: '02:00:0a:14:00:07' }),
      ]),
    );
    assert.deepEqual(match.entries, []);
    assert.deepEqual(
      match.skipped.map((s) => `${s.address} ${s.why}`),
      [`${ip4.ip} leased for MAC ${ip4.mac}, not the NIC's 02:00:0a:14:00:99`, '10.20.0.7 not leased in the book'],
    );
  });

  it('a NIC with an IP is never matched by its MAC alone (the MAC is looked up only when there is no IP)', () => {
    const { book, ether } = fourRanges();
    const match = matchNics(book, config, vm([nicAttrs(0, { IP: '192.0.2.9', MAC: ether.mac })]));
    assert.deepEqual(match.entries, []);
  });
});

describe('recordVm and renameVm', () => {
  it('a detached NIC loses its entry at the next hook run; a rename by state hook follows; DONE forgets all', () => {
    const { book: start, ip4, ether } = fourRanges();
    const both = [nicAttrs(0, { IP: ip4.ip!, MAC: ip4.mac }), nicAttrs(1, { MAC: ether.mac })];
    let book = recordVm(start, config, vm(both)).book!;
    assert.deepEqual(texts(book.vms!), [ip4.ip, ether.mac]);
    assert.equal(recordVm(book, config, vm(both)).book, undefined, 'the same report writes nothing');
    book = recordVm(book, config, vm([both[0]!])).book!;
    assert.deepEqual(texts(book.vms!), [ip4.ip], 'NIC 1 was detached');
    book = recordVm(book, config, vm([both[0]!], { name: 'web-renamed' })).book!;
    assert.equal(book.vms![0]!.name, 'web-renamed');
    book = recordVm(book, config, vm([both[0]!], { state: 6, name: 'web-renamed' })).book!;
    assert.equal(book.vms, undefined, 'a DONE VM leaves no entry (and no empty list)');
  });

  it("a newer VM's report for an address replaces an older VM's entry", () => {
    const { book: start, ip4 } = fourRanges();
    const nic = nicAttrs(0, { IP: ip4.ip!, MAC: ip4.mac });
    const first = recordVm(start, config, vm([nic])).book!;
    const other = decodeHookVm(hookArgument(vmXml({ id: 8, name: 'db-1', state: 3, nics: [nic] })));
    const second = recordVm(first, config, other).book!;
    assert.deepEqual(
      second.vms!.map((e) => `${e.id} ${e.name}`),
      ['8 db-1'],
    );
  });

  it("renameVm renames the VM's entries only; show, leases and {vm} read the new name", () => {
    const { book: start, ip4, ranges } = fourRanges();
    let book = recordVm(start, config, vm([nicAttrs(0, { IP: ip4.ip!, MAC: ip4.mac })])).book!;
    assert.equal(renameVm(book, 99, 'x').book, undefined, 'another VM: nothing changes');
    const renamed = renameVm(book, 7, 'web-2');
    assert.equal(renamed.result, 1);
    book = renamed.book!;
    assert.equal(renameVm(book, 7, 'web-2').book, undefined, 'renamed already: nothing to write');
    assert.deepEqual([...vmFacts(book)], [[ip4.ip, { id: 7, name: 'web-2' }]]);
    const range = book.ranges.find((r) => r.id === ranges[0]!.id)!;
    assert.deepEqual(leaseVms(book, config)(range, range.leases[0]!), { id: 7, name: 'web-2' });
  });
});
