/**
 * oned's count wins on what is held (issue 15 item 6; docs/oned-contract.md 3.4), through the
 * built bundle with the requests oned sends: every get, allocate and free carries the AR's
 * USED_LEASES, which `OnedAr` counts as oned does once the test says what oned holds.
 *
 * `onevnet release` of an address a VM holds: oned calls free_address with the AR it has (the
 * VM's lease counted), the driver succeeds, and oned keeps the lease (its free_allocated_addr
 * refuses a holder that is not the hold). So the test sends that free and does not tell `OnedAr`
 * the address was freed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createCliSandbox, type CliSandbox } from '../../support/cli-harness.ts';
import { expectFailure, expectQuietSuccess, expectReply } from '../../support/driver-assert.ts';
import type { OnedAr } from '../../support/driver-harness.ts';

function withSandbox(body: (sandbox: CliSandbox) => void): void {
  const sandbox = createCliSandbox({ config: {} });
  try {
    body(sandbox);
  } finally {
    sandbox.cleanup();
  }
}

/** get_address as oned runs it; oned takes the answer (unless `refused`) and counts it. */
function get(sandbox: CliSandbox, ar: OnedAr, refused = false): string {
  const ip = expectReply(sandbox.run('get_address', ar.getXml(1)), 'ADDRESS').get('IP')!;
  if (!refused) ar.noteLeased(ar.indexOf(ip));
  return ip;
}

/** The range's leases as `nebula-ipam leases` lists them: `10.0.0.10`, or `10.0.0.12-10.0.0.13` for a block. */
function leased(sandbox: CliSandbox, range = 'r1'): string[] {
  return sandbox.json<{ leases: { addresses: string }[] }>(['leases', '--range', range]).leases.map((l) => l.addresses);
}

test('onevnet release, then the cursor wraps: the released address is never offered while oned holds it; verify and status say so', () => {
  withSandbox((sandbox) => {
    const ar = sandbox.register({ TYPE: 'IP4', IP: '10.0.0.10', SIZE: '4' });
    assert.deepEqual([get(sandbox, ar), get(sandbox, ar), get(sandbox, ar)], ['10.0.0.10', '10.0.0.11', '10.0.0.12']);
    // onevnet release 10.0.0.11: the free succeeds, oned keeps the VM's lease (USED_LEASES stays 3).
    expectQuietSuccess(sandbox.run('free_address', ar.freeXml(1n)));
    assert.equal(get(sandbox, ar), '10.0.0.13');
    // The cursor wraps: only 10.0.0.11 is free in the book, and oned holds it (USED_LEASES 4, the book 3).
    const result = sandbox.run('get_address', ar.getXml(1));
    expectFailure(result, 255, [
      'r1',
      'no free block of 1 left',
      '1 address is held back',
      'USED_LEASES 4',
      "the book's (3)",
      'onevnet release',
    ]);
    assert.deepEqual(
      leased(sandbox),
      ['10.0.0.10', '10.0.0.12', '10.0.0.13'],
      'nothing leased that oned never granted',
    );

    // As recorded after the get of 10.0.0.13 (it saw USED_LEASES 3, the book 2, and both grew by one).
    const verify = sandbox.cli(['verify']);
    assert.equal(verify.code, 1, verify.stdout + verify.stderr);
    assert.match(
      verify.stdout,
      /oned holds more than the book +r1 +oned counted 4 leases \(USED_LEASES\), the book 3, since [0-9T:.Z-]+: an address freed here is still a VM's/,
    );
    const status = sandbox.cli(['status']);
    assert.equal(status.code, 0, status.stderr);
    assert.match(
      status.stdout,
      /Range r1: oned counted 4 leases at its last request, the book 3 \(since [^)]+\); 1 address held back from get_address\./,
    );

    // The released VM goes: oned frees 10.0.0.11 for real. Its next request shows the counts agree.
    expectQuietSuccess(sandbox.run('free_address', ar.freeXml(1n)));
    ar.noteFreed(1n);
    assert.equal(get(sandbox, ar), '10.0.0.11', 'once oned no longer holds it, it is handed out again');
    assert.equal(sandbox.cli(['verify']).code, 0);
  });
});

test('a free followed by a request whose count did not drop holds every address freed since the counts agreed', () => {
  withSandbox((sandbox) => {
    const ar = sandbox.register({ TYPE: 'IP4', IP: '10.0.0.10', SIZE: '6' });
    for (let i = 0; i < 4; i++) get(sandbox, ar);
    // 10.0.0.11 released (oned keeps it); 10.0.0.12's VM goes for real. Which free was final the count cannot tell.
    expectQuietSuccess(sandbox.run('free_address', ar.freeXml(1n)));
    expectQuietSuccess(sandbox.run('free_address', ar.freeXml(2n)));
    ar.noteFreed(2n);
    const offered = [get(sandbox, ar), get(sandbox, ar)];
    assert.deepEqual(offered, ['10.0.0.14', '10.0.0.15']);
    expectFailure(sandbox.run('get_address', ar.getXml(1)), 255, ['2 addresses are held back']);
  });
});

test('an answer oned refused is not left in the book: the next request, whose USED_LEASES did not grow, drops it', () => {
  withSandbox((sandbox) => {
    const ar = sandbox.register({ TYPE: 'IP4', IP: '10.0.0.10', SIZE: '4' });
    get(sandbox, ar);
    get(sandbox, ar);
    // oned refuses 10.0.0.12 ("Address returned by IPAM are not within AR or in use") and frees nothing.
    assert.equal(get(sandbox, ar, true), '10.0.0.12');
    assert.deepEqual(leased(sandbox), ['10.0.0.10', '10.0.0.11', '10.0.0.12']);
    // The next request on the AR (a VM's NIC with an explicit IP) carries USED_LEASES 2, as before the offer.
    expectQuietSuccess(sandbox.run('allocate_address', ar.allocateXml(3n)));
    ar.noteLeased(3n);
    assert.deepEqual(
      leased(sandbox),
      ['10.0.0.10', '10.0.0.11', '10.0.0.13'],
      'the refused offer is gone from the book',
    );
    const audit = sandbox.cli(['log', '--ip', '10.0.0.12']);
    assert.match(audit.stdout, /dropped: oned did not take what get_address offered \(USED_LEASES still 2\)/);
  });
});

test('a refused offer dropped by a free that frees nothing is in the audit log', () => {
  withSandbox((sandbox) => {
    const ar = sandbox.register({ TYPE: 'IP4', IP: '10.0.0.10', SIZE: '4' });
    get(sandbox, ar);
    assert.equal(get(sandbox, ar, true), '10.0.0.11');
    // `onevnet release` of an address the book has free, with USED_LEASES 1, as before the offer.
    expectQuietSuccess(sandbox.run('free_address', ar.freeXml(3n)));
    assert.deepEqual(leased(sandbox), ['10.0.0.10'], 'the refused offer is gone from the book');
    const audit = sandbox.cli(['log', '--ip', '10.0.0.11']);
    assert.match(
      audit.stdout,
      /free_address.*dropped: oned did not take what get_address offered \(USED_LEASES still 1\)/,
    );
  });
});

test('a free through an AR whose NEBULA_IPAM_RANGE was edited to another range frees in the range it is, leaving no stale lease', () => {
  withSandbox((sandbox) => {
    const first = sandbox.register({ TYPE: 'IP4', IP: '10.0.0.10', SIZE: '4' });
    sandbox.register({ TYPE: 'IP4', IP: '10.0.1.10', SIZE: '4' });
    get(sandbox, first);
    // onevnet updatear on the first AR set its NEBULA_IPAM_RANGE to r2; the VM then goes.
    const edited = first.edited({ NEBULA_IPAM_RANGE: 'r2' });
    expectQuietSuccess(sandbox.run('free_address', edited.freeXml(0n)));
    first.noteFreed(0n);
    assert.deepEqual(leased(sandbox), [], "r1's lease is freed");
    // An id naming no range at all: the same.
    get(sandbox, first);
    expectQuietSuccess(sandbox.run('free_address', first.edited({ NEBULA_IPAM_RANGE: 'r77' }).freeXml(1n)));
    assert.deepEqual(leased(sandbox), []);
  });
});
