/** Where sync reads oned's VM pool (issue 18 item 5): under --follow, oned is asked at most once per interval. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { guestSource } from '../../../src/cli/vm-pool-source.ts';
import { parseConfig } from '../../../src/config/parse-config.ts';
import { REPO_ROOT } from '../../support/driver-harness.ts';
import { startFakeOned } from '../../support/fake-oned.ts';

test('with reuse, a second read within the interval uses the last answer; after it, oned is asked again', async () => {
  const oned = await startFakeOned();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vm-pool-source-'));
  try {
    const authFile = path.join(dir, 'one_auth');
    fs.writeFileSync(authFile, 'oneadmin:x\n', { mode: 0o600 });
    oned.answer('one.vmpool.infoextended', {
      ok: fs.readFileSync(path.join(REPO_ROOT, 'test/fixtures/onevm/list-extended.xml'), 'utf8'),
    });
    const config = parseConfig(
      JSON.stringify({ oned: { endpoint: oned.endpoint, authFile }, observe: { oned: true } }),
      path.join(dir, 'config.json'),
    );
    let now = 1_000_000;
    const read = guestSource(config, undefined, { ms: 60_000, now: () => now })!;
    const first = await read();
    assert.equal(first.length, 4);
    now += 59_999;
    assert.equal(await read(), first);
    assert.equal(oned.calls.length, 1);
    now += 1;
    await read();
    assert.equal(oned.calls.length, 2);
    // Without reuse (one sync), every read asks.
    const plain = guestSource(config, undefined)!;
    await plain();
    await plain();
    assert.equal(oned.calls.length, 4);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await oned.stop();
  }
});
