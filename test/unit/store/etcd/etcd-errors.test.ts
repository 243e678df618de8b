/** etcd's refusals mapped to exit-code kinds by etcd's own error descriptions, not by gRPC code alone. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { refusalOf } from '../../../../src/store/etcd/etcd-errors.ts';

test('InvalidArgument (3) is the config when etcd says auth wants a user, the request otherwise', () => {
  const noUser = refusalOf(3, 'etcdserver: user name is empty', '/v3/kv/range');
  assert.equal(noUser.kind, 'config');
  assert.match(noUser.advice ?? '', /backend\.user/);
  assert.equal(refusalOf(3, 'etcdserver: too many operations in txn request', '/v3/kv/txn').kind, 'store-io');
  assert.equal(
    refusalOf(3, 'etcdserver: authentication failed, invalid user ID or password', '/v3/auth/authenticate').kind,
    'config',
  );
});

test('permission and token codes, and any refused login, are the config; a compacted revision is not-found', () => {
  assert.equal(refusalOf(7, 'etcdserver: permission denied', '/v3/kv/txn').kind, 'config');
  assert.equal(refusalOf(16, 'something new', '/v3/kv/range').kind, 'config');
  assert.equal(refusalOf(2, 'unknown', '/v3/auth/authenticate').kind, 'config');
  assert.equal(
    refusalOf(11, 'etcdserver: mvcc: required revision has been compacted', '/v3/kv/range').kind,
    'not-found',
  );
  assert.equal(refusalOf(13, 'internal', '/v3/kv/range').kind, 'store-io');
});
