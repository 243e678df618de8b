/** `npm start` is the README's first command: the demonstration must keep working as the product changes. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { test } from 'node:test';
import { childEnv, REPO_ROOT } from '../../support/driver-harness.ts';

test('the npm start demonstration runs the whole life-cycle and ends with an empty book', () => {
  const demo = spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'demo.mjs')], {
    cwd: REPO_ROOT,
    env: childEnv('default'),
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(demo.status, 0, demo.stdout + demo.stderr);
  // Installed under the name the README installs it as (the IPAM_MAD is the driver directory's name).
  assert.match(
    demo.stdout,
    /actions {2}\S+\/remotes\/ipam\/nebula\/<action> -> /,
    'the action links are in remotes/ipam/nebula',
  );
  assert.match(demo.stdout, /IPAM_MAD = "nebula",/, 'register answered for the driver "nebula"');
  assert.doesNotMatch(demo.stdout, /IPAM_MAD[ =]+"?nebula-ipam/, 'nothing is registered as nebula-ipam');
  // oned execs the link with argv[0] = its path and argv[1] = the request id; the book records that id.
  assert.match(demo.stdout, /request {2}argv\[1\] = oned's request id/);
  assert.doesNotMatch(demo.stdout, /argv\[2\]/);
  assert.match(
    demo.stdout,
    /request ids the book recorded \(argv\[1\] of each get_address\/allocate_address\): 10\.10\.0\.2:1 10\.10\.0\.3:2 10\.10\.0\.4:3 10\.10\.0\.5:4 10\.10\.0\.14:5$/m,
    'each lease carries the request id it was sent with as argv[1]',
  );
  assert.match(
    demo.stdout,
    /get_address \d+ <- .* -> exit 0 .*ADDRESS = \[ IP = "10\.10\.0\.5", SIZE = "4" \]/,
    'the reservation got a contiguous block',
  );
  assert.match(
    demo.stdout,
    /allocate_address \d+ <- .* -> exit 5 .*stderr: Cannot allocate 10\.10\.0\.2/,
    'a taken address is refused',
  );
  assert.match(
    demo.stdout,
    /^OK: \d+ requests, \d+ distinct addresses handed out, none to two holders at once; the book is empty again\.$/m,
  );
});
