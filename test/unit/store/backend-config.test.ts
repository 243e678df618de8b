/** The `backend` key: etcd's settings read and checked, every bad value named; a readable password refused. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../../src/config/load-config.ts';
import { parseConfig } from '../../../src/config/parse-config.ts';
import { expectIpamError } from '../../support/expect-ipam-error.ts';
import { CONFIG_FILE } from '../../support/sample-config.ts';

const parse = (doc: unknown) => parseConfig(JSON.stringify(doc), CONFIG_FILE);
const etcd = (extra: object = {}) => ({
  backend: { type: 'etcd', endpoints: ['http://127.0.0.1:2379', 'https://10.0.0.2:2379'], ...extra },
});

test('an etcd backend is read with its defaults and every key', () => {
  assert.deepEqual(parse(etcd()).backend, {
    type: 'etcd',
    endpoints: ['http://127.0.0.1:2379', 'https://10.0.0.2:2379'],
    timeoutMs: 2000,
  });
  const full = parse(
    etcd({
      prefix: '/nebula-ipam/zone1',
      timeoutMs: 500,
      tls: { ca: '/etc/one/ca.pem', cert: '/etc/one/c.pem', key: '/etc/one/k.pem' },
      user: 'one',
      password: 's3cret',
    }),
  );
  assert.deepEqual(full.backend, {
    type: 'etcd',
    endpoints: ['http://127.0.0.1:2379', 'https://10.0.0.2:2379'],
    prefix: '/nebula-ipam/zone1',
    timeoutMs: 500,
    tls: { ca: '/etc/one/ca.pem', cert: '/etc/one/c.pem', key: '/etc/one/k.pem' },
    user: 'one',
    password: 's3cret',
  });
  assert.deepEqual(parse({ backend: { type: 'file' } }).backend, { type: 'file' });
});

test('each bad backend value is named with the file, the key and the value', () => {
  const refused = (doc: unknown, mentions: string[]) =>
    expectIpamError(() => parse(doc), 'config', [CONFIG_FILE, ...mentions]);
  refused({ backend: 'etcd' }, ['backend']);
  refused({ backend: { type: 'consul' } }, ['backend.type', '"consul"']);
  refused({ backend: { type: 'etcd' } }, ['backend.endpoints', 'undefined']);
  refused({ backend: { type: 'etcd', endpoints: [] } }, ['backend.endpoints', '[]']);
  refused(etcd({ endpoints: ['127.0.0.1:2379'] }), ['backend.endpoints[0]', '127.0.0.1:2379']);
  refused(etcd({ endpoints: ['http://127.0.0.1:2379/v3'] }), ['backend.endpoints[0]', '/v3']);
  refused(etcd({ prefix: 'nebula' }), ['backend.prefix', '"nebula"']);
  refused(etcd({ prefix: '/nebula/' }), ['backend.prefix', '"/nebula/"']);
  refused(etcd({ prefix: '/neb ula' }), ['backend.prefix']);
  refused(etcd({ timeoutMs: 0 }), ['backend.timeoutMs', '0']);
  refused(etcd({ tls: { ca: 'ca.pem' } }), ['backend.tls.ca', 'ca.pem']);
  refused(etcd({ tls: { cert: '/c.pem' } }), ['backend.tls', 'key']);
  refused(etcd({ tls: { crt: '/c.pem' } }), ['backend.tls.crt']);
  refused(etcd({ user: 'one' }), ['backend.user', 'password']);
  refused(etcd({ endpoint: 'x' }), ['backend.endpoint', 'not a known key']);
  refused({ store: '/var/lib/one/leases.json', ...etcd() }, ['store', 'etcd']);
  refused({ backend: { type: 'file', path: '/x' } }, ['backend.path']);
});

test('a config holding an etcd password is refused while group or others can read it', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nebula-config-'));
  try {
    const file = path.join(dir, 'one.json');
    fs.writeFileSync(file, JSON.stringify(etcd({ user: 'one', password: 's3cret' })), { mode: 0o640 });
    fs.chmodSync(file, 0o640);
    expectIpamError(() => loadConfig(file, true), 'config', [file, 'backend.password', '0640', 'chmod 600']);
    fs.chmodSync(file, 0o600);
    assert.equal(loadConfig(file, true).backend?.type, 'etcd');
    fs.writeFileSync(file, JSON.stringify(etcd()));
    fs.chmodSync(file, 0o644);
    assert.equal(loadConfig(file, true).backend?.type, 'etcd', 'no password, no secret to keep');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
