/** Config `observe` (issue 18 item 5): which sources of addresses in use outside the book sync reads. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../../src/config/parse-config.ts';
import { expectIpamError } from '../../support/expect-ipam-error.ts';
import { CONFIG_FILE } from '../../support/sample-config.ts';

const parse = (observe: unknown) => parseConfig(JSON.stringify({ observe }), CONFIG_FILE);

test('observe.onevm: true (default timeout), an object with timeoutMs, or false/absent (nothing)', () => {
  assert.deepEqual(parse({ onevm: true }).observe, { onevm: { timeoutMs: 30_000 } });
  assert.deepEqual(parse({ onevm: { timeoutMs: 5000 } }).observe, { onevm: { timeoutMs: 5000 } });
  assert.deepEqual(parse({ onevm: false }).observe, {});
  assert.equal(parseConfig('{}', CONFIG_FILE).observe, undefined);
});

test('a bad observe is one error naming the key and the value', () => {
  expectIpamError(() => parse([]), 'config', [CONFIG_FILE, 'observe', 'must be an object']);
  expectIpamError(() => parse({ onevn: true }), 'config', ['observe.onevn', 'did you mean "onevm"']);
  expectIpamError(() => parse({ onevm: 'yes' }), 'config', ['observe.onevm', '"yes"']);
  expectIpamError(() => parse({ onevm: { timeoutMs: 0 } }), 'config', ['observe.onevm.timeoutMs', 'from 1 to 300000']);
  expectIpamError(() => parse({ onevm: { timeout: 5 } }), 'config', ['observe.onevm.timeout', 'not a known key']);
});
