/**
 * The etcd backend's part of the config (`backend` with `"type": "etcd"`), for HA front-ends that
 * must share one set of books (README, "High availability"):
 *
 *   "backend": { "type": "etcd", "endpoints": ["http://127.0.0.1:2379", ...],
 *                "prefix": "/nebula-ipam/<driver>", "timeoutMs": 2000,
 *                "tls": { "ca": "/path", "cert": "/path", "key": "/path" },
 *                "user": "nebula", "password": "..." }
 *
 * Pure; TLS files are read on the first https connection (tls-files.ts), and a config holding a
 * password or naming a key must be its owner's alone (`etcdSecret`, access/secret-modes.ts).
 */
import { unknownKey } from '../../core/unknown-key.ts';

export interface EtcdBackendConfig {
  readonly type: 'etcd';
  /** Tried in this order: the local member first. */
  readonly endpoints: readonly string[];
  /** Undefined: `/nebula-ipam/<driver name>`. */
  readonly prefix?: string;
  /** Each HTTP call's own timeout. */
  readonly timeoutMs: number;
  /** Absolute paths of PEM files, for https endpoints. */
  readonly tls?: { readonly ca?: string; readonly cert?: string; readonly key?: string };
  readonly user?: string;
  readonly password?: string;
}

const DEFAULT_ETCD_TIMEOUT_MS = 2_000;
const MAX_ETCD_TIMEOUT_MS = 30_000;
const KEYS = new Set(['type', 'endpoints', 'prefix', 'timeoutMs', 'tls', 'user', 'password']);
const TLS_KEYS = ['ca', 'cert', 'key'] as const;
/** ASCII without spaces or control characters, starting with `/`, not ending with one. */
const PREFIX = /^\/[\x21-\x7e]{0,199}$/;

/** `o`: the `backend` object, whose type is "etcd" (store/backend-config.ts). */
export function parseEtcdBackend(
  o: Record<string, unknown>,
  fail: (key: string, why: string) => never,
): EtcdBackendConfig {
  for (const key of Object.keys(o)) if (!KEYS.has(key)) fail(`backend.${key}`, unknownKey(key, KEYS));

  const endpoints = o.endpoints;
  if (!Array.isArray(endpoints) || endpoints.length === 0 || endpoints.length > 9)
    fail(
      'backend.endpoints',
      `must be a list of 1 to 9 URLs such as "http://127.0.0.1:2379", not ${JSON.stringify(endpoints)}`,
    );
  (endpoints as unknown[]).forEach((e, i) => {
    let url: URL | undefined;
    try {
      url = typeof e === 'string' ? new URL(e) : undefined;
    } catch {
      url = undefined;
    }
    if (
      !url ||
      (url.protocol !== 'http:' && url.protocol !== 'https:') ||
      url.pathname !== '/' ||
      url.search ||
      url.username
    ) {
      fail(
        `backend.endpoints[${i}]`,
        `must be an http:// or https:// URL of an etcd member with no path, not ${JSON.stringify(e)}`,
      );
    }
  });

  if (o.prefix !== undefined && (typeof o.prefix !== 'string' || !PREFIX.test(o.prefix) || o.prefix.endsWith('/'))) {
    fail(
      'backend.prefix',
      `must be a key prefix such as "/nebula-ipam/one" (ASCII, no spaces, not ending in "/"), not ${JSON.stringify(o.prefix)}`,
    );
  }
  let timeoutMs = DEFAULT_ETCD_TIMEOUT_MS;
  if (o.timeoutMs !== undefined) {
    if (
      typeof o.timeoutMs !== 'number' ||
      !Number.isInteger(o.timeoutMs) ||
      o.timeoutMs < 50 ||
      o.timeoutMs > MAX_ETCD_TIMEOUT_MS
    ) {
      fail(
        'backend.timeoutMs',
        `must be a whole number of milliseconds from 50 to ${MAX_ETCD_TIMEOUT_MS}, not ${JSON.stringify(o.timeoutMs)}`,
      );
    }
    timeoutMs = o.timeoutMs as number;
  }
  let tls: EtcdBackendConfig['tls'];
  if (o.tls !== undefined) {
    if (typeof o.tls !== 'object' || o.tls === null || Array.isArray(o.tls))
      return fail('backend.tls', 'must be an object with "ca", "cert" and "key" paths');
    const t = o.tls as Record<string, unknown>;
    for (const key of Object.keys(t))
      if (!(TLS_KEYS as readonly string[]).includes(key)) fail(`backend.tls.${key}`, unknownKey(key, TLS_KEYS));
    for (const key of TLS_KEYS) {
      if (t[key] !== undefined && (typeof t[key] !== 'string' || !(t[key] as string).startsWith('/')))
        fail(`backend.tls.${key}`, `must be an absolute path, not ${JSON.stringify(t[key])}`);
    }
    if ((t.cert === undefined) !== (t.key === undefined))
      fail('backend.tls', 'needs both "cert" and "key", or neither');
    tls = t as EtcdBackendConfig['tls'];
  }
  if (o.user !== undefined && (typeof o.user !== 'string' || o.user === ''))
    fail('backend.user', `must be a user name, not ${JSON.stringify(o.user)}`);
  if (o.password !== undefined && typeof o.password !== 'string') fail('backend.password', 'must be text');
  if ((o.user === undefined) !== (o.password === undefined))
    fail(o.user === undefined ? 'backend.password' : 'backend.user', 'needs "user" and "password" together');
  return {
    type: 'etcd',
    endpoints: endpoints as string[],
    ...(o.prefix === undefined ? {} : { prefix: o.prefix as string }),
    timeoutMs,
    ...(tls ? { tls } : {}),
    ...(o.user === undefined ? {} : { user: o.user as string, password: o.password as string }),
  };
}

/** The key of `backend` that holds a secret (the config must then be its owner's alone), if any. */
export function etcdSecret(backend: EtcdBackendConfig): string | undefined {
  return backend.password !== undefined
    ? 'backend.password'
    : backend.tls?.key !== undefined
      ? 'backend.tls.key'
      : undefined;
}
