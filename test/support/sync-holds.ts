/**
 * Holds as an operator meets them after `sync` (issue 18 item 5), for the sync tests: what `hold
 * list` shows, and the life of a hold through the action links until `hold release`.
 */
import assert from 'node:assert/strict';
import { expectFailure, expectReply } from './driver-assert.ts';
import type { SyncSandbox } from './sync-sandbox.ts';

/** What `hold list --json` shows of one hold. */
export interface HoldJson {
  readonly address: string;
  readonly pool: string;
  readonly source: string;
  readonly reason: string;
  readonly firstSeen: string;
  readonly lastSeen: string;
}

/** The hold on `address` that `hold list` shows, checked to be seen by a pass between `since` and now. */
export function expectHold(s: SyncSandbox, address: string, source: string, reason: string, since: number): HoldJson {
  const { holds } = s.json<{ holds: HoldJson[] }>(['hold', 'list']);
  const hold = holds.find((h) => h.address === address);
  assert.ok(hold, `${address} is held: ${JSON.stringify(holds)}`);
  assert.deepEqual([hold.pool, hold.source, hold.reason], ['p', source, reason]);
  const seen = Date.parse(hold.firstSeen);
  assert.ok(seen >= since - 1000 && seen <= Date.now(), `seen at the pass: ${hold.firstSeen}`);
  const text = s.cli(['hold', 'list', '--wide']).stdout;
  assert.match(
    text,
    new RegExp(`^${address.replaceAll('.', '\\.')} +p +${source} +${hold.firstSeen} .*${reason}`, 'm'),
  );
  return hold;
}

/**
 * A held address of the sandbox's range, through the links: allocate_address of it fails in one
 * line naming why; get_address hands out every other address and never it; a pass then changes
 * the rest and leaves the hold; after `hold release` it is the next get_address answer, and the
 * next pass finds the foreign use on a lease (a conflict, exit 1). The two passes' stdout.
 */
export function heldUntilReleased(
  s: SyncSandbox,
  planted: string,
  because: string,
): { filled: string; conflict: string } {
  expectFailure(s.allocate(planted), 5, [planted, 'it is held', because]);
  const handed = s.exhaust();
  assert.equal(handed.length, Number(s.ar.size) - 1, `the range's other addresses: ${handed}`);
  assert.ok(!handed.includes(planted), `${planted} was never handed out: ${handed}`);
  const filled = s.cli(['sync']);
  assert.equal(filled.code, 0, filled.stdout + filled.stderr);
  assert.equal(s.json<{ holds: HoldJson[] }>(['hold', 'list']).holds.length, 1, 'still held');

  const released = s.cli(['hold', 'release', planted]);
  assert.equal(released.code, 0, released.stderr);
  assert.equal(expectReply(s.run('get_address', s.ar.getXml(1)), 'ADDRESS').get('IP'), planted);
  s.ar.noteLeased(s.ar.indexOf(planted));
  const conflict = s.cli(['sync']);
  assert.equal(conflict.code, 1, conflict.stdout + conflict.stderr);
  return { filled: filled.stdout, conflict: conflict.stdout };
}
