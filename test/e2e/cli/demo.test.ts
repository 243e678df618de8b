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
