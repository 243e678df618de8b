/**
 * The README's marked examples are the real output of today's build: the session of
 * scripts/readme-examples.ts is played against the built bundle, and a block whose output is not
 * what the commands print now (times aside) fails here. `npm run readme` rewrites them.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { test } from 'node:test';
import {
  markedBlocks,
  masked,
  playSession,
  README,
  staleBlocks,
  withOutputs,
} from '../../../scripts/readme-examples.ts';

const transcript = playSession();
const readme = fs.readFileSync(README, 'utf8');

test('every marked example block of README.md shows what its commands print now', () => {
  assert.deepEqual(staleBlocks(readme, transcript), [], 'run `npm run readme` and commit README.md');
});

test('the marked blocks cover status, leases, show, verify, doctor, export --format json and reconcile', () => {
  const commands = markedBlocks(readme).flatMap((b) => b.commands);
  for (const wanted of [
    /^nebula-ipam status$/,
    /^nebula-ipam leases /,
    /^nebula-ipam show /,
    /^nebula-ipam verify$/,
    /^nebula-ipam doctor$/,
    /^nebula-ipam export --format json/,
    /^nebula-ipam reconcile --from vnets\.xml$/,
    /^nebula-ipam reconcile .*--apply$/,
    /^nebula-ipam reconcile .*--driver /,
  ])
    assert.ok(
      commands.some((c) => wanted.test(c)),
      `a marked block runs ${wanted}`,
    );
});

test('an edited output line or an unknown command is caught; a different time is not', () => {
  const block = markedBlocks(readme).find((b) => b.commands.includes('nebula-ipam range list'))!;
  const body = readme.slice(block.start, block.end);
  const edited = readme.slice(0, block.start) + body.replace(' 253 ', ' 254 ') + readme.slice(block.end);
  assert.notEqual(edited, readme, 'the range list shows a 253-address range');
  assert.equal(staleBlocks(edited, transcript).length, 1);
  assert.equal(masked(withOutputs(edited, transcript)), masked(readme), 'the rewrite puts the real line back');
  assert.equal(withOutputs(readme, transcript), readme, 'a current README is left as it is, times and all');
  const retimed = readme.replace(/2\d{3}-\d\d-\d\dT\d\d:\d\d:\d\d/, '1999-01-01T00:00:00');
  assert.deepEqual(staleBlocks(retimed, transcript), []);
  assert.equal(masked('since 2026-12-07T16:53:27.877Z (12 ms)'), 'since <time> (<n> ms)');
  const unknown = readme.replace('$ nebula-ipam range list', '$ nebula-ipam range lisst');
  assert.throws(() => withOutputs(unknown, transcript), /`nebula-ipam range lisst` is not a command of the session/);
});
