/**
 * A DNS server as the config names it, checked purely (for the config code to call, with its own
 * `fail` that says where in which file):
 *
 *   { "host": "127.0.0.1", "port": 53, "timeoutMs": 2000,
 *     "tsig": { "name": "nebula", "algorithm": "hmac-sha256", "secretFile": "/etc/nebula-ipam/nebula.key" } }
 *
 * The secret stays in its own file (mode 0600, refused otherwise, as secret-modes.ts does for
 * the etcd key); `tsig-key-file.ts` reads its text, `dnsServer` puts the two together.
 */
import { isIP } from 'node:net';
import { unknownKey } from '../../core/unknown-key.ts';
import { DEFAULT_DNS_PORT, DEFAULT_DNS_TIMEOUT_MS, type DnsServer } from './dns-server.ts';
import { isTsigAlgorithm, TSIG_ALGORITHMS, type TsigAlgorithm } from './tsig-algorithm.ts';
import { nameLabels } from './wire-name.ts';

export interface DnsServerConfig {
  readonly host: string;
  readonly port: number;
  readonly timeoutMs: number;
  readonly tsig?: { readonly name: string; readonly algorithm: TsigAlgorithm; readonly secretFile: string };
}

const KEYS = new Set(['host', 'port', 'timeoutMs', 'tsig']);
const TSIG_KEYS = new Set(['name', 'algorithm', 'secretFile']);
const MAX_TIMEOUT_MS = 30_000;

/** `raw` at config key `at` (e.g. "dns.servers[0]"); `fail` throws the config's error for a key. */
export function parseDnsServer(raw: unknown, at: string, fail: (key: string, why: string) => never): DnsServerConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return fail(at, 'must be an object such as {"host": "127.0.0.1", "tsig": {...}}');
  const o = raw as Record<string, unknown>;
  for (const key of Object.keys(o)) if (!KEYS.has(key)) fail(`${at}.${key}`, unknownKey(key, KEYS));
  if (typeof o.host !== 'string' || isIP(o.host) === 0)
    fail(`${at}.host`, `must be the server's IP address, such as "192.0.2.53", not ${JSON.stringify(o.host)}`);
  const port = o.port ?? DEFAULT_DNS_PORT;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535)
    fail(`${at}.port`, `must be a port number from 1 to 65535, not ${JSON.stringify(o.port)}`);
  const timeoutMs = o.timeoutMs ?? DEFAULT_DNS_TIMEOUT_MS;
  if (typeof timeoutMs !== 'number' || !Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_TIMEOUT_MS)
    fail(
      `${at}.timeoutMs`,
      `must be a whole number of milliseconds from 1 to ${MAX_TIMEOUT_MS}, not ${JSON.stringify(o.timeoutMs)}`,
    );
  const server = { host: o.host as string, port: port as number, timeoutMs: timeoutMs as number };
  if (o.tsig === undefined) return server;
  return { ...server, tsig: parseTsig(o.tsig, `${at}.tsig`, fail) };
}

function parseTsig(
  raw: unknown,
  at: string,
  fail: (key: string, why: string) => never,
): NonNullable<DnsServerConfig['tsig']> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return fail(at, 'must be an object such as {"name": "nebula", "secretFile": "/etc/nebula-ipam/nebula.key"}');
  const o = raw as Record<string, unknown>;
  for (const key of Object.keys(o)) if (!TSIG_KEYS.has(key)) fail(`${at}.${key}`, unknownKey(key, TSIG_KEYS));
  if (typeof o.name !== 'string' || !isKeyName(o.name))
    fail(
      `${at}.name`,
      `must be the key's name as the server knows it, such as "nebula", not ${JSON.stringify(o.name)}`,
    );
  const algorithm = o.algorithm ?? 'hmac-sha256';
  if (typeof algorithm !== 'string' || !isTsigAlgorithm(algorithm))
    fail(`${at}.algorithm`, `must be one of ${TSIG_ALGORITHMS.join(', ')}, not ${JSON.stringify(o.algorithm)}`);
  if (typeof o.secretFile !== 'string' || !o.secretFile.startsWith('/'))
    fail(
      `${at}.secretFile`,
      `must be the absolute path of the key file (tsig-keygen's output, or the base64 secret alone), not ${JSON.stringify(o.secretFile)}`,
    );
  return {
    name: (o.name as string).toLowerCase().replace(/\.$/, ''),
    algorithm: algorithm as TsigAlgorithm,
    secretFile: o.secretFile as string,
  };
}

function isKeyName(text: string): boolean {
  try {
    return nameLabels(text).length > 0 && /^[\x21-\x7e]+$/.test(text);
  } catch {
    return false;
  }
}

/** The server to talk to, once the secret file has been read. */
export function dnsServer(config: DnsServerConfig, secret: Buffer | undefined): DnsServer {
  const base = { host: config.host, port: config.port, timeoutMs: config.timeoutMs };
  if (config.tsig === undefined || secret === undefined) return base;
  return { ...base, tsig: { name: config.tsig.name, algorithm: config.tsig.algorithm, secret } };
}
