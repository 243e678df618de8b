/**
 * What the production bundle (dist/nebula-ipam.cjs) must not carry, checked on all of its program
 * text (both parts are stored as text: build.mjs). No way to spawn a process, and no test hook
 * (issue 10 items 1 and 2).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { test } from 'node:test';
import { expectQuietSuccess, expectReply } from '../../support/driver-assert.ts';
import { readBookView } from '../../torture/book-view.ts';
import { BUNDLE, createSandbox, OnedAr, registerXml, TEST_BUNDLE } from '../../support/driver-harness.ts';

const programText = (file: string) => fs.readFileSync(file, 'latin1');

/** Strings only the CLI's code holds: seeing them proves the search reached the CLI half. */
const CLI_ONLY = ['--as-of', '--owner', 'onevnet'];

test('the search below reaches both parts: driver and CLI code are both found', () => {
  const all = programText(BUNDLE);
  for (const marker of ['get_address', 'free_address', ...CLI_ONLY])
    assert.ok(all.includes(marker), `${marker} is nowhere in the program text found`);
});

test('no shell or child process can be spawned: neither part even loads child_process', () => {
  const text = programText(BUNDLE);
  for (const needle of ['child_process', 'spawn_sync', 'process_wrap', 'execSync', 'execFile'])
    assert.ok(!text.includes(needle), `${needle} in the bundle`);
});

test('the production bundle holds no test hook in either part; the test bundle does', () => {
  assert.ok(!programText(BUNDLE).includes('NEBULA_IPAM_TEST_'), 'a test hook in the bundle');
  assert.ok(programText(TEST_BUNDLE).includes('NEBULA_IPAM_TEST_CRASH_AT'), 'the test bundle has its hooks');
});

test('a test hook set on a front-end does nothing to the production bundle: the action succeeds and lands', () => {
  const sandbox = createSandbox({ config: {} });
  try {
    const ar = new OnedAr(
      expectReply(
        sandbox.run(
          'register_address_range',
          registerXml({ TYPE: 'IP4', IP: '10.0.0.10', SIZE: '10', IPAM_MAD: 'mydrv' }),
        ),
        'AR',
      ),
    );
    expectQuietSuccess(
      sandbox.run('allocate_address', ar.allocateXml(2n), {
        env: { NEBULA_IPAM_TEST_CRASH_AT: 'temp-written', NEBULA_IPAM_TEST_FAIL_AT: 'renamed' },
      }),
    );
    assert.deepEqual([...[...readBookView(sandbox.bookPath).ranges.values()][0]!.leased.keys()], [2]);
  } finally {
    sandbox.cleanup();
  }
});
