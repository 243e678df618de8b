/**
 * Turns the text of a config file into a validated `Config`, or one error naming the file, the
 * key and the value. Pure: the file is read in `load-config.ts`.
 */
import { FAMILIES, familyOf } from '../core/address/family.ts';
import { formatPrefix, parsePrefix, prefixInterval, type Prefix } from '../core/address/prefix.ts';
import { covers, overlaps } from '../core/intervals/interval.ts';
import { IpamError, shown } from '../core/errors.ts';
import { parseBackend, type BackendConfig } from '../store/backend-config.ts';
import {
  DEFAULT_LOCK_TIMEOUT_MS,
  DEFAULT_RECONCILE_MARGIN_MS,
  DEFAULT_REGISTRY_OWNER,
  DEFAULT_REGISTRY_PREFIX,
  type Config,
  type GatewayRule,
  type Pool,
  type SyncTarget,
} from '../core/config/config.ts';
import { parseDhcp, parseDnsNames, parseProbe } from './parse-pool-sync.ts';
import { parseTargets } from './parse-targets.ts';
import { parseObserve, parseOned } from './parse-observe.ts';
import { parseOnedVersion, type OnedVersion } from '../core/oned/oned-version.ts';
import { unknownKey } from '../core/unknown-key.ts';
import { jsonErrorPlace } from './json-error-place.ts';

const TOP_KEYS = new Set([
  'store',
  'backend',
  'lockTimeoutMs',
  'refuseOutsidePools',
  'onedVersion',
  'reconcileMarginSeconds',
  'pools',
  'targets',
  'oned',
  'observe',
  'registryPrefix',
  'registryOwner',
]);
const POOL_KEYS = new Set([
  'name',
  'network',
  'subnetPrefix',
  'gateway',
  'dns',
  'mtu',
  'searchDomain',
  'exclude',
  'default',
  'dnsNames',
  'dhcp',
  'probe',
]);
const POOL_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
// Values end up inside oned's template text; keep them to what survives it unchanged.
const SAFE_TEXT = /^[^\u0000-\u001f\u007f"\\]{1,253}$/;
/** Below oned's own 90 s request timeout, with room for the action itself. */
const MAX_LOCK_TIMEOUT_MS = 60_000;
/** A day: a margin beyond that means the clocks are not synchronised at all. */
const MAX_RECONCILE_MARGIN_SECONDS = 86_400;

/** The config as loaded: with its backend's part as the store parsed it. */
export type LoadedConfig = Config<BackendConfig>;

export function parseConfig(text: string, source: string): LoadedConfig {
  const fail = (key: string, why: string): never => {
    throw new IpamError('config', `Cannot load config ${source}: ${key} ${why}`);
  };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    const place = jsonErrorPlace(text);
    // The engine's own words only when the walk finds nothing (it agrees with JSON.parse).
    return fail(
      '(file)',
      place
        ? `is not valid JSON at line ${place.line}, column ${place.column}: expected ${place.expected}`
        : `is not valid JSON (${(error as Error).message})`,
    );
  }
  if (!isObject(raw)) return fail('(file)', 'must hold a JSON object');
  for (const key of Object.keys(raw)) if (!TOP_KEYS.has(key)) fail(key, unknownKey(key, TOP_KEYS));

  let store: string | undefined;
  if (raw.store !== undefined) {
    if (typeof raw.store !== 'string' || !raw.store.startsWith('/') || raw.store.includes('\0')) {
      fail('store', `must be an absolute path, not ${JSON.stringify(raw.store)}`);
    }
    store = raw.store as string;
  }

  const backend: BackendConfig | undefined = raw.backend === undefined ? undefined : parseBackend(raw.backend, fail);
  if (backend?.type === 'etcd' && store !== undefined)
    fail('store', 'is a file path, but backend.type is "etcd"; remove one of them');

  let lockTimeoutMs = DEFAULT_LOCK_TIMEOUT_MS;
  if (raw.lockTimeoutMs !== undefined) {
    const value = raw.lockTimeoutMs;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_LOCK_TIMEOUT_MS) {
      fail(
        'lockTimeoutMs',
        `must be a whole number of milliseconds from 1 to ${MAX_LOCK_TIMEOUT_MS} (oned gives up after 90 s), not ${JSON.stringify(value)}`,
      );
    }
    lockTimeoutMs = value as number;
  }

  // Before the pools: a pool's dnsNames and dhcp name targets.
  const targets = raw.targets === undefined ? [] : parseTargets(raw.targets, fail);
  const oned = raw.oned === undefined ? undefined : parseOned(raw.oned, fail);
  const observe = raw.observe === undefined ? undefined : parseObserve(raw.observe, oned, fail);
  const registryPrefix = registryLabel(
    raw,
    'registryPrefix',
    DEFAULT_REGISTRY_PREFIX,
    REGISTRY_PREFIX,
    "1-63 letters, digits, '_' or '-' (one DNS label)",
    fail,
  );
  const registryOwner = registryLabel(
    raw,
    'registryOwner',
    DEFAULT_REGISTRY_OWNER,
    REGISTRY_OWNER,
    "1-64 letters, digits, '_', '.' or '-'",
    fail,
  );

  const rawPools = raw.pools ?? [];
  if (!Array.isArray(rawPools)) return fail('pools', 'must be a list');
  const pools = rawPools.map((entry: unknown, i: number) => parsePool(entry, `pools[${i}]`, targets, fail));

  const seen = new Set<string>();
  for (const [i, pool] of pools.entries()) {
    if (seen.has(pool.name)) fail(`pools[${i}].name`, `${shown(pool.name)} is used by two pools`);
    seen.add(pool.name);
    for (const other of pools.slice(0, i)) {
      if (other.family === pool.family && overlaps(prefixInterval(other.network), prefixInterval(pool.network))) {
        fail(`pools[${i}].network`, `overlaps pool ${shown(other.name)}`);
      }
      if (other.family === pool.family && other.isDefault && pool.isDefault) {
        fail(
          `pools[${i}].default`,
          `is set on two ${pool.family} pools (${shown(other.name)} and ${shown(pool.name)})`,
        );
      }
    }
  }
  if (raw.refuseOutsidePools !== undefined && typeof raw.refuseOutsidePools !== 'boolean') {
    fail('refuseOutsidePools', `must be true or false, not ${JSON.stringify(raw.refuseOutsidePools)}`);
  }
  const refuseOutsidePools = raw.refuseOutsidePools === true;

  let onedVersion: OnedVersion | undefined;
  if (raw.onedVersion !== undefined) {
    onedVersion = typeof raw.onedVersion === 'string' ? parseOnedVersion(raw.onedVersion) : undefined;
    if (!onedVersion)
      fail(
        'onedVersion',
        `must be OpenNebula's release as "MAJOR.MINOR" from "5.2" on (e.g. "6.6", "7.0", "7.4"), not ${JSON.stringify(raw.onedVersion)}`,
      );
  }

  let reconcileMarginMs = DEFAULT_RECONCILE_MARGIN_MS;
  if (raw.reconcileMarginSeconds !== undefined) {
    const value = raw.reconcileMarginSeconds;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_RECONCILE_MARGIN_SECONDS) {
      fail(
        'reconcileMarginSeconds',
        `must be a whole number of seconds from 0 to ${MAX_RECONCILE_MARGIN_SECONDS}, not ${JSON.stringify(value)}`,
      );
    }
    reconcileMarginMs = (value as number) * 1000;
  }
  return {
    source,
    ...(store === undefined ? {} : { store }),
    ...(backend === undefined ? {} : { backend }),
    lockTimeoutMs,
    ...(refuseOutsidePools ? { refuseOutsidePools } : {}),
    ...(onedVersion === undefined ? {} : { onedVersion }),
    reconcileMarginMs,
    pools,
    targets,
    ...(oned === undefined ? {} : { oned }),
    ...(observe === undefined ? {} : { observe }),
    registryPrefix,
    registryOwner,
  };
}

const REGISTRY_PREFIX = /^[A-Za-z0-9_-]{1,63}$/;
// The owner goes inside a TXT record's `key=value,...` text: no ',' or '='.
const REGISTRY_OWNER = /^[A-Za-z0-9_.-]{1,64}$/;

function registryLabel(
  raw: Record<string, unknown>,
  key: string,
  fallback: string,
  pattern: RegExp,
  what: string,
  fail: (key: string, why: string) => never,
): string {
  const value = raw[key] ?? fallback;
  if (typeof value !== 'string' || !pattern.test(value)) fail(key, `must be ${what}, not ${JSON.stringify(value)}`);
  return key === 'registryPrefix' ? (value as string).toLowerCase() : (value as string);
}

function parsePool(
  entry: unknown,
  at: string,
  targets: readonly SyncTarget[],
  fail: (key: string, why: string) => never,
): Pool {
  if (!isObject(entry)) return fail(at, 'must be an object');
  for (const key of Object.keys(entry)) if (!POOL_KEYS.has(key)) fail(`${at}.${key}`, unknownKey(key, POOL_KEYS));

  const name = entry.name;
  if (typeof name !== 'string' || !POOL_NAME.test(name)) {
    fail(`${at}.name`, `must be 1-64 letters, digits, '_', '.' or '-', not ${JSON.stringify(name)}`);
  }
  const network = asPrefix(entry.network, `${at}.network`, fail);
  // An IPv4 subnet needs room for network, broadcast and at least one host.
  const longest = network.family === 'ipv4' ? 30 : 127;

  let subnetPrefix: number | undefined;
  if (entry.subnetPrefix !== undefined) {
    const value = entry.subnetPrefix;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < network.length || value > longest) {
      fail(
        `${at}.subnetPrefix`,
        `must be a whole number from ${network.length} to ${longest}, not ${JSON.stringify(value)}`,
      );
    }
    subnetPrefix = value as number;
  }

  const gateway = parseGateway(entry.gateway ?? 'first', network, `${at}.gateway`, fail);

  const dns = entry.dns ?? [];
  if (typeof dns === 'object' && dns !== null && !Array.isArray(dns)) {
    fail(`${at}.dns`, 'is the list of DNS servers the pool gives its hosts; DNS names for its leases go in dnsNames');
  }
  if (!Array.isArray(dns) || dns.some((d) => typeof d !== 'string' || familyOf(d) === undefined)) {
    fail(`${at}.dns`, `must be a list of IP addresses, not ${JSON.stringify(dns)}`);
  }

  let mtu: number | undefined;
  if (entry.mtu !== undefined) {
    if (typeof entry.mtu !== 'number' || !Number.isInteger(entry.mtu) || entry.mtu < 68 || entry.mtu > 65535) {
      fail(`${at}.mtu`, `must be a whole number from 68 to 65535, not ${JSON.stringify(entry.mtu)}`);
    }
    mtu = entry.mtu as number;
  }

  let searchDomain: string | undefined;
  if (entry.searchDomain !== undefined) {
    if (typeof entry.searchDomain !== 'string' || !SAFE_TEXT.test(entry.searchDomain)) {
      fail(
        `${at}.searchDomain`,
        `must be text without quotes, backslashes or control characters, not ${JSON.stringify(entry.searchDomain)}`,
      );
    }
    searchDomain = entry.searchDomain as string;
  }

  const rawExclude = entry.exclude ?? [];
  if (!Array.isArray(rawExclude)) fail(`${at}.exclude`, 'must be a list of prefixes');
  const exclude = (rawExclude as unknown[]).map((text, i) => {
    const prefix = asPrefix(text, `${at}.exclude[${i}]`, fail);
    if (prefix.family !== network.family || !covers(prefixInterval(network), prefixInterval(prefix))) {
      fail(`${at}.exclude[${i}]`, `${JSON.stringify(text)} is not inside the pool's network`);
    }
    return prefix;
  });

  if (entry.default !== undefined && typeof entry.default !== 'boolean') {
    fail(`${at}.default`, `must be true or false, not ${JSON.stringify(entry.default)}`);
  }
  return {
    name: name as string,
    family: network.family,
    network,
    ...(subnetPrefix === undefined ? {} : { subnetPrefix }),
    gateway,
    dns: dns as string[],
    ...(mtu === undefined ? {} : { mtu }),
    ...(searchDomain === undefined ? {} : { searchDomain }),
    exclude,
    isDefault: entry.default === true,
    ...(entry.dnsNames === undefined
      ? {}
      : { dnsNames: parseDnsNames(entry.dnsNames, `${at}.dnsNames`, network, targets, fail) }),
    ...(entry.dhcp === undefined ? {} : { dhcp: parseDhcp(entry.dhcp, `${at}.dhcp`, targets, fail) }),
    ...(entry.probe === undefined ? {} : { probe: parseProbe(entry.probe, `${at}.probe`, network, fail) }),
  };
}

/** A rule, or an address of the pool's network that is neither its network nor (IPv4) its broadcast address. */
function parseGateway(
  value: unknown,
  network: Prefix,
  key: string,
  fail: (key: string, why: string) => never,
): GatewayRule {
  if (value === 'first' || value === 'last' || value === 'none') return value;
  const address = typeof value === 'string' ? FAMILIES[network.family].parse(value) : undefined;
  if (address === undefined)
    return fail(
      key,
      `must be "first", "last", "none" or an ${network.family} address of the pool, not ${JSON.stringify(value)}`,
    );
  const span = prefixInterval(network);
  if (address <= span.first || address > span.last || (network.family === 'ipv4' && address === span.last)) {
    return fail(key, `${JSON.stringify(value)} is not a host address of the pool's network ${formatPrefix(network)}`);
  }
  return address;
}

function asPrefix(value: unknown, key: string, fail: (key: string, why: string) => never): Prefix {
  if (typeof value !== 'string')
    return fail(key, `must be a prefix such as "10.20.0.0/16", not ${JSON.stringify(value)}`);
  const parsed = parsePrefix(value);
  return parsed.ok ? parsed.prefix : fail(key, `${JSON.stringify(value)} ${parsed.why}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
