/**
 * `oned` (the connection to oned's XML-RPC API) and `observe` (the sources of addresses in use
 * outside the book that sync reads besides its targets, issue 18 item 5). Pure, in
 * parse-config's style: one error naming the key and the value.
 */
import type { ObserveConfig, OnedConnection } from '../core/config/config.ts';
import { unknownKey } from '../core/unknown-key.ts';

type Fail = (key: string, why: string) => never;

const ONED_KEYS = new Set(['endpoint', 'authFile', 'timeoutMs']);
const OBSERVE_KEYS = new Set(['oned']);
const OBSERVE_ONED_KEYS = new Set(['fromFile']);
/** oned's own default (ONE_XMLRPC unset). */
const DEFAULT_ONED_ENDPOINT = 'http://localhost:2633/RPC2';
/** `one.vmpool.infoextended` of a large cloud takes seconds: oned builds every VM's full body. */
const DEFAULT_ONED_TIMEOUT_MS = 30_000;
const MAX_ONED_TIMEOUT_MS = 300_000;

export function parseOned(raw: unknown, fail: Fail): OnedConnection {
  const entry = objectOf(raw, 'oned', '{ "authFile": "/var/lib/one/.one/one_auth" }', fail);
  for (const key of Object.keys(entry)) if (!ONED_KEYS.has(key)) fail(`oned.${key}`, unknownKey(key, ONED_KEYS));
  const endpoint = entry.endpoint ?? DEFAULT_ONED_ENDPOINT;
  const url = typeof endpoint === 'string' ? parseUrl(endpoint) : undefined;
  if (url?.protocol !== 'http:' || url.username !== '' || url.password !== '')
    fail(
      'oned.endpoint',
      `must be oned's http:// XML-RPC URL without credentials (as ONE_XMLRPC), e.g. "${DEFAULT_ONED_ENDPOINT}", not ${JSON.stringify(endpoint)}`,
    );
  const authFile = entry.authFile;
  if (typeof authFile !== 'string' || !authFile.startsWith('/') || authFile.includes('\0'))
    fail(
      'oned.authFile',
      `must be the absolute path of a file holding user:password (as ONE_AUTH, e.g. /var/lib/one/.one/one_auth), not ${JSON.stringify(authFile)}`,
    );
  const timeoutMs = entry.timeoutMs ?? DEFAULT_ONED_TIMEOUT_MS;
  if (typeof timeoutMs !== 'number' || !Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_ONED_TIMEOUT_MS)
    fail(
      'oned.timeoutMs',
      `must be a whole number of milliseconds from 1 to ${MAX_ONED_TIMEOUT_MS}, not ${JSON.stringify(timeoutMs)}`,
    );
  return { endpoint: endpoint as string, authFile: authFile as string, timeoutMs: timeoutMs as number };
}

/** `oned` is the parsed connection, if any: `observe.oned: true` reads through it, so needs it. */
export function parseObserve(raw: unknown, oned: OnedConnection | undefined, fail: Fail): ObserveConfig {
  const entry = objectOf(raw, 'observe', '{ "oned": true }', fail);
  for (const key of Object.keys(entry))
    if (!OBSERVE_KEYS.has(key)) fail(`observe.${key}`, unknownKey(key, OBSERVE_KEYS));
  const value = entry.oned;
  if (value === undefined || value === false) return {};
  if (value === true) {
    if (!oned)
      fail(
        'observe.oned',
        'reads the VMs through oned\'s API, so the config needs "oned": { "authFile": ... } too (or give { "fromFile": FILE })',
      );
    return { oned: {} };
  }
  const given = objectOf(value, 'observe.oned', 'true or { "fromFile": "/path/vms.xml" }', fail);
  for (const key of Object.keys(given))
    if (!OBSERVE_ONED_KEYS.has(key)) fail(`observe.oned.${key}`, unknownKey(key, OBSERVE_ONED_KEYS));
  const file = given.fromFile;
  if (typeof file !== 'string' || !file.startsWith('/') || file.includes('\0'))
    fail(
      'observe.oned.fromFile',
      `must be the absolute path of a file holding onevm list -x --extended's XML, not ${JSON.stringify(file)}`,
    );
  return { oned: { fromFile: file as string } };
}

function objectOf(raw: unknown, key: string, example: string, fail: Fail): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return fail(key, `must be an object such as ${example}, not ${JSON.stringify(raw)}`);
  return raw as Record<string, unknown>;
}

function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}
