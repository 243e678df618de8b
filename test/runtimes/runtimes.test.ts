/**
 * The bundle under every Node of test/runtimes (18, 22, 24 from the npm registry: the Node lines
 * front-ends keep), run by `npm run test:runtimes` after it installs them; `npm test` runs the
 * same black-box checks under the Node that runs it. A runtime listed in package.json but not
 * installed fails here: this suite never reports a pass for a Node it did not run.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { createCliSandbox, expectOk } from '../support/cli-harness.ts';
import { expectReply } from '../support/driver-assert.ts';
import { REPO_ROOT, type NodeVersion } from '../support/driver-harness.ts';
import { damagedCacheIsRejected } from '../support/damaged-cache.ts';
import { shortLifeCycle } from '../support/short-life-cycle.ts';

const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'test', 'runtimes', 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
const versions = Object.keys(manifest.devDependencies).map((name) => name.replace(/^node/, '') as NodeVersion);

test('test/runtimes lists Node 18 (the oldest supported) and newer lines', () => {
  assert.ok(versions.includes('18'), versions.join(', '));
  assert.ok(versions.length >= 2, versions.join(', '));
});

for (const node of versions) {
  test(`a short life-cycle under Node ${node}`, () => shortLifeCycle(node));

  test(`a code cache with one flipped byte is rejected under Node ${node}: the action answers right`, () => damagedCacheIsRejected(node));

  test(`the operator CLI under Node ${node}: status, lease, release on a book oned wrote`, () => {
    const s = createCliSandbox({ config: { pools: [{ name: 'private', network: '10.20.0.0/16', subnetPrefix: 24, default: true }] }, node });
    try {
      const ar = s.register({ SIZE: '20' }, '1');
      expectReply(s.run('get_address', ar.getXml(1), { requestId: '2' }), 'ADDRESS');
      const status = s.json<{ totals: { used: number } }>(['status']);
      assert.equal(status.totals.used, 1);
      const lease = s.json<{ addresses: string }>(['lease', '--pool', 'private', '--owner', `n${node}`]);
      assert.match(lease.addresses, /^10\.20\.\d+\.\d+$/);
      assert.equal(s.json<{ totals: { used: number } }>(['status']).totals.used, 2);
      expectOk(s.cli(['release', '--owner', `n${node}`]));
      assert.equal(s.json<{ totals: { used: number } }>(['status']).totals.used, 1);
    } finally {
      s.cleanup();
    }
  });
}
