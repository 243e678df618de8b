/**
 * NEBULA_IPAM_RANGE alone never decides which range an action touches (issue 8 item 4).
 * `onevnet updatear` lets whoever manages a network rewrite every AR attribute but TYPE, MAC,
 * IP, IP6, IPAM_MAD and AR_ID (docs/oned-contract.md 3.2): here one network's AR gets the other's range id,
 * as the AR XML oned sends then carries it, and every action is run through the bundle.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { test } from 'node:test';
import { decodeBook } from '../../../src/store/encoding/codec.ts';
import { expectFailure, expectQuietSuccess, expectReply } from '../../support/driver-assert.ts';
import { OnedAr, createSandbox, registerXml, type Attrs, type DriverSandbox } from '../../support/driver-harness.ts';

const MAD = { IPAM_MAD: 'mydrv' };

function withSandbox(body: (sandbox: DriverSandbox) => void): void {
  const sandbox = createSandbox({
    config: { pools: [{ name: 'public6', network: '2001:db8:100::/48', subnetPrefix: 64, default: true }] },
  });
  try {
    body(sandbox);
  } finally {
    sandbox.cleanup();
  }
}

/** Registers `ar` as one network's AR; `mac` is the MAC oned gives it when the reply has none. */
function register(sandbox: DriverSandbox, ar: Attrs, mac: string, arId: number): OnedAr {
  const reply = expectReply(sandbox.run('register_address_range', registerXml(ar)), 'AR');
  return new OnedAr(reply.has('MAC') ? reply : new Map([...reply, ['MAC', mac]]), { arId });
}

/** The AR as oned sends it after `onevnet updatear` set its NEBULA_IPAM_RANGE to `id`. */
/** The AR after `onevnet updatear` set its NEBULA_IPAM_RANGE: oned keeps its leases (and its count). */
function edited(ar: OnedAr, id: string): OnedAr {
  return ar.edited({ NEBULA_IPAM_RANGE: id });
}

/** Range id -> its leased indices, as the product reads the book. */
function bookState(sandbox: DriverSandbox): Record<string, string> {
  const book = decodeBook(sandbox.bookBytes()!, sandbox.bookPath);
  return Object.fromEntries(book.ranges.map((r) => [r.id, r.leases.map((l) => `${l.first}-${l.last}`).join(',')]));
}

function lastAudit(sandbox: DriverSandbox): { action: string; result: string; range?: string; detail?: string } {
  const lines = fs.readFileSync(`${sandbox.bookPath}.audit.jsonl`, 'utf8').trim().split('\n');
  return JSON.parse(lines.at(-1)!);
}

for (const type of ['ETHER', 'IP6', 'IP4'] as const) {
  test(`${type}: an AR whose range id was edited to another network's touches nothing of that network`, () => {
    withSandbox((sandbox) => {
      const attrs = (n: number): Attrs =>
        type === 'IP4'
          ? { ...MAD, TYPE: 'IP4', IP: `10.0.${n}.10`, SIZE: '16' }
          : type === 'IP6'
            ? { ...MAD, TYPE: 'IP6', GLOBAL_PREFIX: `2001:db8:${n}::`, SIZE: '16' }
            : { ...MAD, TYPE: 'ETHER', SIZE: '16' };
      const a = register(sandbox, attrs(1), '02:00:5e:00:01:00', 0);
      const b = register(sandbox, attrs(2), '02:00:5e:00:02:00', 0);
      const idB = b.attrs.NEBULA_IPAM_RANGE!;
      expectQuietSuccess(sandbox.run('allocate_address', a.allocateXml(1n)));
      a.noteLeased(1n);
      expectQuietSuccess(sandbox.run('allocate_address', b.allocateXml(3n, 2)));
      b.noteLeased(3n, 2);
      const before = sandbox.bookBytes();
      const state = bookState(sandbox);

      const forged = edited(a, idB);
      expectQuietSuccess(sandbox.run('free_address', forged.freeXml(3n)));
      assert.deepEqual(lastAudit(sandbox), {
        ...lastAudit(sandbox),
        action: 'free_address',
        result: 'unchanged',
        range: idB,
      });
      assert.match(lastAudit(sandbox).detail ?? '', /not the range registered under that id/);
      expectFailure(sandbox.run('allocate_address', forged.allocateXml(5n)), 5, [idB, 'updatear']);
      if (type === 'IP4')
        expectFailure(sandbox.run('get_address', forged.getXml(1)), 5, [idB, '10.0.1.10', '10.0.2.10']);
      for (const shape of ['rmar', 'delete'] as const) {
        expectQuietSuccess(sandbox.run('unregister_address_range', forged.unregisterXml(shape)));
        const audit = lastAudit(sandbox);
        assert.deepEqual([audit.action, audit.result, audit.range], ['unregister_address_range', 'unchanged', idB]);
        assert.match(audit.detail ?? '', /kept the range/);
      }
      assert.deepEqual(bookState(sandbox), state, "the other network's range and leases are intact");
      assert.deepEqual(sandbox.bookBytes(), before, 'nothing was written');

      // Its own AR still works, and so does the other network's.
      expectQuietSuccess(sandbox.run('free_address', b.freeXml(3n)));
      expectQuietSuccess(sandbox.run('unregister_address_range', a.unregisterXml('rmar')));
      assert.deepEqual(Object.keys(bookState(sandbox)), [idB]);
    });
  });
}

test('IP6 ranges no action has written yet: the prefixes pin them, so a forged id cannot drop a delegated /64', () => {
  withSandbox((sandbox) => {
    const a = register(sandbox, { ...MAD, TYPE: 'IP6', SIZE: '16' }, '02:00:5e:00:01:00', 0);
    const b = register(sandbox, { ...MAD, TYPE: 'IP6', SIZE: '16' }, '02:00:5e:00:02:00', 0);
    assert.notEqual(a.attrs.GLOBAL_PREFIX, b.attrs.GLOBAL_PREFIX, 'each was delegated its own /64');
    const forged = edited(a, b.attrs.NEBULA_IPAM_RANGE!);
    expectQuietSuccess(sandbox.run('unregister_address_range', forged.unregisterXml('rmar')));
    assert.equal(Object.keys(bookState(sandbox)).length, 2, 'both ranges are still there');
    // The /64 stays taken: the next range gets a third one.
    const c = register(sandbox, { ...MAD, TYPE: 'IP6', SIZE: '16' }, '02:00:5e:00:03:00', 0);
    assert.ok(![a.attrs.GLOBAL_PREFIX, b.attrs.GLOBAL_PREFIX].includes(c.attrs.GLOBAL_PREFIX));
  });
});

test('the MAC is pinned by the first action that writes a range, and checked ever after', () => {
  withSandbox((sandbox) => {
    const a = register(sandbox, { ...MAD, TYPE: 'ETHER', SIZE: '16' }, '02:00:5e:00:01:00', 0);
    expectQuietSuccess(sandbox.run('allocate_address', a.allocateXml(0n)));
    const other = new OnedAr({ ...a.attrs, MAC: '02:00:5e:00:09:00' });
    expectFailure(sandbox.run('allocate_address', other.allocateXml(1n)), 5, [
      '02:00:5e:00:09:00',
      '02:00:5e:00:01:00',
    ]);
    expectQuietSuccess(sandbox.run('unregister_address_range', other.unregisterXml('rmar')));
    assert.equal(Object.keys(bookState(sandbox)).length, 1);
  });
});
