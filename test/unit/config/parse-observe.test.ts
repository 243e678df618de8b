/** Config `oned` (the XML-RPC connection) and `observe` (issue 18 item 5): parsed, or one error naming the key and value. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../../src/config/parse-config.ts';
import { expectIpamError } from '../../support/expect-ipam-error.ts';
import { CONFIG_FILE } from '../../support/sample-config.ts';

const parse = (raw: object) => parseConfig(JSON.stringify(raw), CONFIG_FILE);
const AUTH = '/etc/nebula-ipam/one_auth';

test("oned: the endpoint defaults to oned's own (ONE_XMLRPC unset), the auth file has no default, a timeout", () => {
  assert.deepEqual(parse({ oned: { authFile: AUTH } }).oned, {
    endpoint: 'http://localhost:2633/RPC2',
    authFile: AUTH,
    timeoutMs: 30_000,
  });
  assert.deepEqual(parse({ oned: { endpoint: 'http://10.0.0.1:2633/RPC2', authFile: AUTH, timeoutMs: 5000 } }).oned, {
    endpoint: 'http://10.0.0.1:2633/RPC2',
    authFile: AUTH,
    timeoutMs: 5000,
  });
  assert.equal(parse({}).oned, undefined);
});

test('observe.oned: true (through oned), { fromFile }, or false/absent', () => {
  assert.deepEqual(parse({ oned: { authFile: AUTH }, observe: { oned: true } }).observe, { oned: {} });
  assert.deepEqual(parse({ observe: { oned: { fromFile: '/run/vms.xml' } } }).observe, {
    oned: { fromFile: '/run/vms.xml' },
  });
  assert.deepEqual(parse({ observe: { oned: false } }).observe, {});
  assert.equal(parse({}).observe, undefined);
});

test('a bad oned or observe is one error naming the key and the value', () => {
  expectIpamError(() => parse({ oned: {} }), 'config', [CONFIG_FILE, 'oned.authFile', 'user:password', 'undefined']);
  expectIpamError(() => parse({ oned: { authFile: 'one_auth' } }), 'config', ['oned.authFile', '"one_auth"']);
  expectIpamError(() => parse({ oned: { authFile: AUTH, endpoint: 'https://x/RPC2' } }), 'config', [
    'oned.endpoint',
    'http://',
    '"https://x/RPC2"',
  ]);
  expectIpamError(() => parse({ oned: { authFile: AUTH, endpoint: 'http://u:p@x/RPC2' } }), 'config', [
    'oned.endpoint',
    'without credentials',
  ]);
  expectIpamError(() => parse({ oned: { authFile: AUTH, timeoutMs: 0 } }), 'config', [
    'oned.timeoutMs',
    'from 1 to 300000',
  ]);
  expectIpamError(() => parse({ oned: { authFile: AUTH, auth: 'x' } }), 'config', ['oned.auth', 'not a known key']);
  expectIpamError(() => parse({ observe: { oned: true } }), 'config', ['observe.oned', '"oned": { "authFile"']);
  expectIpamError(() => parse({ observe: { onde: true } }), 'config', ['observe.onde', 'known: oned']);
  expectIpamError(() => parse({ observe: { oned: 'yes' } }), 'config', ['observe.oned', '"yes"']);
  expectIpamError(() => parse({ observe: { oned: { fromFile: 'vms.xml' } } }), 'config', [
    'observe.oned.fromFile',
    '"vms.xml"',
  ]);
  expectIpamError(() => parse({ observe: [] }), 'config', ['observe', 'must be an object']);
});
