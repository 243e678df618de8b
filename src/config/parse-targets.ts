/**
 * `targets`: the DNS and DHCP servers `sync` keeps in step, by name. Pure, in parse-config's
 * style: one error naming the key and the value.
 */
import { familyOf } from '../core/address/family.ts';
import { normalName, zoneNameProblem } from '../core/dns/dns-name.ts';
import { TSIG_ALGORITHMS, type TsigAlgorithm } from '../core/config/config.ts';
import type { KeaTarget, Rfc2136Target, SyncTarget } from '../core/config/config.ts';
import { unknownKey } from '../core/unknown-key.ts';

type Fail = (key: string, why: string) => never;

const TARGET_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const TYPES = ['rfc2136', 'kea'] as const;
const RFC2136_KEYS = new Set(['type', 'host', 'port', 'tsigKeyName', 'tsigAlgorithm', 'tsigSecretFile', 'timeoutMs']);
const KEA_KEYS = new Set(['type', 'url', 'timeoutMs']);
const DEFAULT_TARGET_TIMEOUT_MS = 2000;
/** A server that takes longer than 30 s to answer is stuck, not slow (the DNS edge's own bound). */
const MAX_TARGET_TIMEOUT_MS = 30_000;

export function parseTargets(raw: unknown, fail: Fail): SyncTarget[] {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return fail('targets', 'must be an object of targets by name, e.g. { "bind": { "type": "rfc2136", ... } }');
  return Object.entries(raw as Record<string, unknown>).map(([name, entry]) => {
    const at = `targets.${name}`;
    if (!TARGET_NAME.test(name)) fail(at, `is not a target name: use 1-64 letters, digits, '_', '.' or '-'`);
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return fail(at, 'must be an object');
    const target = entry as Record<string, unknown>;
    if (target.type === 'rfc2136') return parseRfc2136(name, target, at, fail);
    if (target.type === 'kea') return parseKea(name, target, at, fail);
    return fail(
      `${at}.type`,
      `must be ${TYPES.map((t) => JSON.stringify(t)).join(' or ')}, not ${JSON.stringify(target.type)}`,
    );
  });
}

function parseRfc2136(name: string, entry: Record<string, unknown>, at: string, fail: Fail): Rfc2136Target {
  for (const key of Object.keys(entry)) if (!RFC2136_KEYS.has(key)) fail(`${at}.${key}`, unknownKey(key, RFC2136_KEYS));
  const host = entry.host;
  // An address, not a name: resolving the DNS server's name would ask DNS first (src/targets/dns takes addresses).
  if (typeof host !== 'string' || familyOf(host) === undefined) {
    fail(`${at}.host`, `must be the DNS server's IP address, such as "127.0.0.1", not ${JSON.stringify(host)}`);
  }
  const port = entry.port ?? 53;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535)
    fail(`${at}.port`, `must be a port number from 1 to 65535, not ${JSON.stringify(port)}`);
  const given = (['tsigKeyName', 'tsigSecretFile'] as const).filter((key) => entry[key] !== undefined);
  if (given.length === 1 || (given.length === 0 && entry.tsigAlgorithm !== undefined)) {
    fail(
      `${at}.${given[0] ?? 'tsigAlgorithm'}`,
      'is given without the rest of the key: give tsigKeyName and tsigSecretFile together (or neither, for a server that allows updates by address)',
    );
  }
  let tsig: Rfc2136Target['tsig'];
  if (given.length === 2) {
    const keyName = entry.tsigKeyName;
    if (typeof keyName !== 'string' || zoneNameProblem(normalName(keyName)) !== undefined) {
      fail(
        `${at}.tsigKeyName`,
        `must be the key's name as the server knows it (a DNS name, e.g. "nebula-ipam"), not ${JSON.stringify(keyName)}`,
      );
    }
    const algorithm = entry.tsigAlgorithm ?? 'hmac-sha256';
    if (typeof algorithm !== 'string' || !(TSIG_ALGORITHMS as readonly string[]).includes(algorithm)) {
      fail(`${at}.tsigAlgorithm`, `must be one of ${TSIG_ALGORITHMS.join(', ')}, not ${JSON.stringify(algorithm)}`);
    }
    const secretFile = entry.tsigSecretFile;
    if (typeof secretFile !== 'string' || !secretFile.startsWith('/') || secretFile.includes('\0')) {
      fail(
        `${at}.tsigSecretFile`,
        `must be the absolute path of the file holding the key (as tsig-keygen writes it), not ${JSON.stringify(secretFile)}`,
      );
    }
    tsig = {
      keyName: normalName(keyName as string),
      algorithm: algorithm as TsigAlgorithm,
      secretFile: secretFile as string,
    };
  }
  return {
    name,
    type: 'rfc2136',
    host: host as string,
    port: port as number,
    ...(tsig === undefined ? {} : { tsig }),
    timeoutMs: timeoutOf(entry, at, fail),
  };
}

function parseKea(name: string, entry: Record<string, unknown>, at: string, fail: Fail): KeaTarget {
  for (const key of Object.keys(entry)) if (!KEA_KEYS.has(key)) fail(`${at}.${key}`, unknownKey(key, KEA_KEYS));
  const url = entry.url;
  let parsed: URL | undefined;
  try {
    parsed = typeof url === 'string' ? new URL(url) : undefined;
  } catch {
    parsed = undefined;
  }
  if (
    !parsed ||
    (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') ||
    parsed.username !== '' ||
    parsed.password !== ''
  ) {
    fail(
      `${at}.url`,
      `must be the Kea control agent's http:// or https:// URL without credentials, e.g. "http://127.0.0.1:8000/", not ${JSON.stringify(url)}`,
    );
  }
  return { name, type: 'kea', url: url as string, timeoutMs: timeoutOf(entry, at, fail) };
}

function timeoutOf(entry: Record<string, unknown>, at: string, fail: Fail): number {
  const value = entry.timeoutMs ?? DEFAULT_TARGET_TIMEOUT_MS;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_TARGET_TIMEOUT_MS) {
    fail(
      `${at}.timeoutMs`,
      `must be a whole number of milliseconds from 1 to ${MAX_TARGET_TIMEOUT_MS}, not ${JSON.stringify(value)}`,
    );
  }
  return value as number;
}
