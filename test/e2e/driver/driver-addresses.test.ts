/**
 * allocate_address and free_address with the ADDRESS oned really sends (docs/oned-contract.md 2.1, 2.3):
 * every IPv6 field holds the literal `0`, so an address is known by IP on IPv4-bearing types and
 * by MAC − AR.MAC on the others. Built bundle, through its symlinks, exact bytes.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { decodeBook } from '../../../src/store/encoding/codec.ts';
import { expectFailure, expectQuietSuccess, expectReply } from '../../support/driver-assert.ts';
import {
  OnedAr,
  REPO_ROOT,
  addressXml,
  createSandbox,
  registerXml,
  requestXml,
  type Attrs,
  type DriverSandbox,
} from '../../support/driver-harness.ts';

const fixture = (name: string) => fs.readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'oned', name), 'utf8');
const MAD = { IPAM_MAD: 'mydrv' };

function withSandbox(body: (sandbox: DriverSandbox) => void): void {
  const sandbox = createSandbox();
  try {
    body(sandbox);
  } finally {
    sandbox.cleanup();
  }
}

/** Registers `ar`; oned then stores the reply, with `mac` as the MAC it derived when the reply has none. */
function register(sandbox: DriverSandbox, ar: Attrs, mac?: string): OnedAr {
  const reply = expectReply(sandbox.run('register_address_range', registerXml(ar)), 'AR');
  return new OnedAr(mac === undefined || reply.has('MAC') ? reply : new Map([...reply, ['MAC', mac]]));
}

/** The leased indices of range `id`, as the product reads its book (the file format is the codec's business). */
function leased(sandbox: DriverSandbox, id: string): number[] {
  const range = decodeBook(sandbox.bookBytes()!, sandbox.bookPath).ranges.find((r) => r.id === id);
  assert.ok(range, `range ${id} is in the book`);
  return range.leases.flatMap((l) =>
    Array.from({ length: Number(l.last - l.first) + 1 }, (_, i) => Number(l.first) + i),
  );
}

test('the verbatim IP6_STATIC free of docs/oned-contract.md 2.3 (<IP6>0</IP6>) frees the address its MAC names', () => {
  withSandbox((sandbox) => {
    const ar = register(
      sandbox,
      { ...MAD, TYPE: 'IP6_STATIC', IP6: '2001:db8:200::10', PREFIX_LENGTH: '64', SIZE: '16' },
      '02:00:0e:50:4c:f0',
    );
    expectQuietSuccess(sandbox.run('allocate_address', fixture('allocate-ip6_static.xml')));
    assert.deepEqual(leased(sandbox, 'r1'), [11]);
    expectFailure(sandbox.run('allocate_address', fixture('allocate-ip6_static.xml')), 5, [
      '02:00:0e:50:4c:fb',
      '2001:db8:200::1b',
    ]);
    expectQuietSuccess(sandbox.run('free_address', fixture('free-ip6_static.xml')));
    assert.deepEqual(leased(sandbox, 'r1'), []);
    assert.equal(ar.allocateXml(11n), fixture('allocate-ip6_static.xml'));
  });
});

test('allocate and free on every type, with the IPv6 fields oned sends as 0', () => {
  withSandbox((sandbox) => {
    const cases: [string, OnedAr][] = [
      [
        'IP6_STATIC',
        register(
          sandbox,
          { ...MAD, TYPE: 'IP6_STATIC', IP6: '2001:db8:2::10', PREFIX_LENGTH: '64', SIZE: '16' },
          '02:00:5e:10:00:00',
        ),
      ],
      [
        'IP6',
        register(
          sandbox,
          { ...MAD, TYPE: 'IP6', GLOBAL_PREFIX: '2001:db8:1::', ULA_PREFIX: 'fd00:1::', SIZE: '16' },
          '02:00:5e:20:00:00',
        ),
      ],
      ['ETHER', register(sandbox, { ...MAD, TYPE: 'ETHER', SIZE: '16' }, '02:00:5e:30:00:00')],
      [
        'IP4_6',
        register(sandbox, { ...MAD, TYPE: 'IP4_6', IP: '10.0.0.10', GLOBAL_PREFIX: '2001:db8:3::', SIZE: '16' }),
      ],
      [
        'IP4_6_STATIC',
        register(sandbox, {
          ...MAD,
          TYPE: 'IP4_6_STATIC',
          IP: '10.0.1.10',
          IP6: '2001:db8:4::10',
          PREFIX_LENGTH: '64',
          SIZE: '16',
        }),
      ],
    ];
    for (const [type, ar] of cases) {
      const id = ar.attrs.NEBULA_IPAM_RANGE!;
      const xml = ar.allocateXml(5n, 2);
      assert.doesNotMatch(
        xml.slice(xml.indexOf('<ADDRESS>')),
        /<IP6(_GLOBAL|_ULA)?>(?!0<)/,
        `${type}: every IPv6 field of ADDRESS is 0`,
      );
      expectQuietSuccess(sandbox.run('allocate_address', xml));
      ar.noteLeased(5n, 2);
      assert.deepEqual(leased(sandbox, id), [5, 6], type);
      expectFailure(sandbox.run('allocate_address', ar.allocateXml(6n)), 5, [ar.address(6n).IP ?? ar.address(6n).MAC]);
      expectQuietSuccess(sandbox.run('free_address', ar.freeXml(5n)));
      ar.noteFreed(5n);
      assert.deepEqual(leased(sandbox, id), [6], `${type}: the free took the address it names, only`);
      expectQuietSuccess(sandbox.run('free_address', ar.freeXml(5n)));
      expectQuietSuccess(sandbox.run('free_address', ar.freeXml(6n)));
      ar.noteFreed(6n);
      assert.deepEqual(leased(sandbox, id), [], type);
    }
  });
});

test('a MAC outside the AR, or below AR.MAC, is refused by allocate in one line and is a quiet no-op for free', () => {
  withSandbox((sandbox) => {
    const ranges = [
      register(
        sandbox,
        { ...MAD, TYPE: 'IP6_STATIC', IP6: '2001:db8:2::10', PREFIX_LENGTH: '64', SIZE: '16' },
        '02:00:5e:10:00:10',
      ),
      register(sandbox, { ...MAD, TYPE: 'ETHER', SIZE: '16' }, '02:00:5e:30:00:10'),
      register(sandbox, { ...MAD, TYPE: 'IP6', GLOBAL_PREFIX: '2001:db8:1::', SIZE: '16' }, '02:00:5e:20:00:10'),
    ];
    for (const ar of ranges) {
      expectQuietSuccess(sandbox.run('allocate_address', ar.allocateXml(0n)));
      ar.noteLeased(0n);
      expectQuietSuccess(sandbox.run('allocate_address', ar.allocateXml(15n)));
      ar.noteLeased(15n);
      const before = sandbox.bookBytes();
      const at = (mac: string) => requestXml(ar.storedInner(), addressXml({ ...ar.address(0n), MAC: mac }));
      const first = BigInt(`0x${ar.attrs.MAC!.replaceAll(':', '')}`);
      const hex = (n: bigint) => n.toString(16).padStart(12, '0').match(/../g)!.join(':');
      for (const mac of [hex(first - 1n), hex(first + 16n), hex(first + (1n << 32n)), hex(first ^ (1n << 40n))]) {
        expectFailure(sandbox.run('allocate_address', at(mac)), 5, [mac, 'outside']);
        expectQuietSuccess(sandbox.run('free_address', at(mac)));
      }
      assert.deepEqual(sandbox.bookBytes(), before, 'nothing changed');
    }
  });
});
