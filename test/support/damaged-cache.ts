/**
 * A code cache damaged on disk never breaks an action (issue 8 item 12): one flipped byte at
 * eleven places of the get_address cache, and each time get_address still answers with an
 * address of the range, free_address takes it back, and the damaged file is replaced. Run under the Node running the tests
 * (test/e2e/install/boot-loader.test.ts) and under each Node of test/runtimes.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expectQuietSuccess, expectReply } from './driver-assert.ts';
import { BUNDLE, createSandbox, OnedAr, registerXml, type NodeVersion } from './driver-harness.ts';

export async function damagedCacheIsRejected(node: NodeVersion): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nebula-cache-'));
  try {
    const copy = path.join(dir, 'nebula-ipam.cjs');
    fs.copyFileSync(BUNDLE, copy);
    fs.chmodSync(copy, 0o755);
    const cacheDir = path.join(dir, 'cache');
    const env = { NEBULA_IPAM_CODE_CACHE: cacheDir };
    // The cache is used only for a bundle older than the process (its ctime cannot be set back).
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const sandbox = createSandbox({ config: {}, bundle: copy, node });
    try {
      const ar = new OnedAr(
        expectReply(
          sandbox.run(
            'register_address_range',
            registerXml({ TYPE: 'IP4', IP: '10.0.0.10', SIZE: '10', IPAM_MAD: 'mydrv' }),
            { env },
          ),
          'AR',
        ),
      );
      /** get_address answers with an address of the range (freed ones come back last), then frees it. */
      const leaseAndFree = (what: string) => {
        const ip = expectReply(sandbox.run('get_address', ar.getXml(1), { env }), 'ADDRESS').get('IP') ?? '';
        const index = ar.indexOf(ip);
        assert.ok(index >= 0n && index < 10n, `${what}: ${ip} is not in 10.0.0.10-10.0.0.19`);
        expectQuietSuccess(sandbox.run('free_address', ar.freeXml(index), { env }));
      };
      leaseAndFree('with no cache yet');
      const cache = fs.readdirSync(cacheDir).find((name) => name.includes('-get_address-'));
      assert.ok(cache, `a get_address cache was made: ${fs.readdirSync(cacheDir).join(', ')}`);
      const file = path.join(cacheDir, cache);
      const good = fs.readFileSync(file);
      for (const at of [0.02, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.97]) {
        const damaged = Buffer.from(good);
        const index = Math.floor(damaged.length * at);
        damaged[index]! ^= 0x10;
        fs.writeFileSync(file, damaged, { mode: 0o600 });
        leaseAndFree(`byte ${index} of ${damaged.length} flipped`);
        assert.notDeepEqual(fs.readFileSync(file), damaged, `byte ${index} flipped: the damaged cache was replaced`);
      }
    } finally {
      sandbox.cleanup();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
