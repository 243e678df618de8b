/**
 * What an etcd refusal means for the operator, from the gateway's `{code, message}`. gRPC codes
 * alone do not tell: etcd answers InvalidArgument (3) both for "user name is empty" (auth is on
 * and the config names no user: the config is wrong) and for "too many operations in txn
 * request" (the request is). etcd's own client tells them apart by these very descriptions
 * (clientv3's rpctypes.ErrorDesc), which are part of etcd's API; so does this table.
 */
import type { ErrorKind } from '../../core/errors.ts';

/** etcd's descriptions of refusals that the config's user, password or grants explain. */
const AUTH_REFUSALS = new Map<string, string>([
  [
    'etcdserver: user name is empty',
    'authentication is enabled in etcd and the config names no user: set backend.user and backend.password',
  ],
  [
    'etcdserver: authentication failed, invalid user ID or password',
    'the user or password is wrong: check backend.user and backend.password',
  ],
  ['etcdserver: user name not found', 'no such user in etcd: check backend.user'],
  [
    'etcdserver: permission denied',
    "the user lacks a grant on the book's prefix: grant its role readwrite on the prefix",
  ],
  ['etcdserver: invalid auth token', 'the login token was refused (expired or etcd restarted): try again'],
  [
    'etcdserver: authentication is not enabled',
    'backend.user is set but authentication is off in etcd: remove backend.user and backend.password, or enable auth',
  ],
]);

/** gRPC codes: 7 permission denied, 16 unauthenticated. */
const AUTH_CODES = new Set([7, 16]);

export interface Refusal {
  readonly kind: ErrorKind;
  /** What to do, for the auth refusals. */
  readonly advice?: string;
}

export function refusalOf(code: number, message: string, path: string): Refusal {
  const advice = AUTH_REFUSALS.get(message.trim());
  if (advice !== undefined) return { kind: 'config', advice };
  if (path.startsWith('/v3/auth/') || AUTH_CODES.has(code)) return { kind: 'config' };
  // 11 (out of range): a revision etcd has compacted away.
  if (code === 11) return { kind: 'not-found' };
  return { kind: 'store-io' };
}
