/**
 * A pool's `dnsNames` and `dhcp` blocks: which zones and which DHCP server its leases are kept
 * in step with. Checked here, once, so that sync never meets a pattern that cannot make a host
 * name or a target that does not exist.
 */
import { formatPrefix, prefixInterval, type Prefix } from '../core/address/prefix.ts';
import { normalName, zoneNameProblem } from '../core/dns/dns-name.ts';
import { parseNamePattern, patternProblem } from '../core/dns/name-pattern.ts';
import { parseReverseZone, reverseZoneFor } from '../core/dns/reverse-zone.ts';
import { didYouMean } from '../core/did-you-mean.ts';
import { covers } from '../core/intervals/interval.ts';
import type { PoolDhcp, PoolDnsNames, PoolProbe, SyncTarget } from '../core/config/config.ts';
import { unknownKey } from '../core/unknown-key.ts';

type Fail = (key: string, why: string) => never;

const DNS_KEYS = new Set(['forwardZone', 'reverseZone', 'name', 'ttl', 'server']);
const DHCP_KEYS = new Set(['server', 'lifetimeSeconds']);
const DEFAULT_NAME_PATTERN = 'vm-{ip}';
const DEFAULT_TTL = 300;
export const DEFAULT_DHCP_LIFETIME_SECONDS = 3600;
/** RFC 2181 section 8. */
const MAX_TTL = 2_147_483_647;
/** A minute (sync renews at half of it) to a year; Kea keeps lifetimes in 32 bits. */
const MIN_LIFETIME = 60;
const MAX_LIFETIME = 31_536_000;

export function parseDnsNames(
  raw: unknown,
  at: string,
  network: Prefix,
  targets: readonly SyncTarget[],
  fail: Fail,
): PoolDnsNames {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return fail(at, 'must be an object such as { "forwardZone": "cloud.example.com", "server": "bind" }');
  const entry = raw as Record<string, unknown>;
  for (const key of Object.keys(entry)) if (!DNS_KEYS.has(key)) fail(`${at}.${key}`, unknownKey(key, DNS_KEYS));

  if (typeof entry.forwardZone !== 'string')
    return fail(
      `${at}.forwardZone`,
      `must be the zone the names go in, e.g. "cloud.example.com", not ${JSON.stringify(entry.forwardZone)}`,
    );
  const forwardZone = normalName(entry.forwardZone);
  const zoneProblem = zoneNameProblem(forwardZone);
  if (zoneProblem !== undefined) fail(`${at}.forwardZone`, `${JSON.stringify(entry.forwardZone)} ${zoneProblem}`);

  let reverseZones = reverseZoneFor(network);
  if (entry.reverseZone !== undefined) {
    const text = entry.reverseZone;
    const zone = typeof text === 'string' ? parseReverseZone(normalName(text)) : undefined;
    const suggestion = reverseZoneFor(network)
      .map((z) => z.name)
      .slice(0, 2)
      .join('", "');
    if (!zone || zone.prefix.family !== network.family) {
      fail(
        `${at}.reverseZone`,
        `must be an ${network.family === 'ipv4' ? 'in-addr.arpa' : 'ip6.arpa'} zone (classless: BASE/LENGTH.c.b.a.in-addr.arpa, RFC 2317), e.g. "${suggestion}", not ${JSON.stringify(text)}`,
      );
    }
    if (!covers(prefixInterval(zone!.prefix), prefixInterval(network))) {
      fail(
        `${at}.reverseZone`,
        `${JSON.stringify(text)} does not hold the PTR names of the whole network ${formatPrefix(network)}; leave it out to use "${suggestion}"${reverseZoneFor(network).length > 2 ? ', ...' : ''}`,
      );
    }
    reverseZones = [zone!];
  }

  const name = entry.name ?? DEFAULT_NAME_PATTERN;
  if (typeof name !== 'string')
    return fail(`${at}.name`, `must be a name pattern such as "vm-{ip}", not ${JSON.stringify(name)}`);
  if (normalName(name).endsWith(`.${forwardZone}`) || name.endsWith('.')) {
    fail(
      `${at}.name`,
      `${JSON.stringify(name)} is relative to forwardZone ${JSON.stringify(forwardZone)}: write it without the zone and the final dot`,
    );
  }
  const parsed = parseNamePattern(name);
  if (!parsed.ok) return fail(`${at}.name`, `${JSON.stringify(name)} ${parsed.why}`);
  const problem = patternProblem(parsed.pattern, network.family, forwardZone);
  if (problem !== undefined) fail(`${at}.name`, `${JSON.stringify(name)} ${problem}`);

  const ttl = entry.ttl ?? DEFAULT_TTL;
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TTL)
    fail(`${at}.ttl`, `must be a whole number of seconds from 1 to ${MAX_TTL}, not ${JSON.stringify(ttl)}`);

  const server = targetOf(entry.server, 'rfc2136', `${at}.server`, targets, fail);
  return { forwardZone, reverseZones, name, pattern: parsed.pattern, ttl: ttl as number, server };
}

export function parseDhcp(raw: unknown, at: string, targets: readonly SyncTarget[], fail: Fail): PoolDhcp {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return fail(at, 'must be an object such as { "server": "kea", "lifetimeSeconds": 3600 }');
  const entry = raw as Record<string, unknown>;
  for (const key of Object.keys(entry)) if (!DHCP_KEYS.has(key)) fail(`${at}.${key}`, unknownKey(key, DHCP_KEYS));
  const lifetime = entry.lifetimeSeconds ?? DEFAULT_DHCP_LIFETIME_SECONDS;
  if (
    typeof lifetime !== 'number' ||
    !Number.isInteger(lifetime) ||
    lifetime < MIN_LIFETIME ||
    lifetime > MAX_LIFETIME
  ) {
    fail(
      `${at}.lifetimeSeconds`,
      `must be a whole number of seconds from ${MIN_LIFETIME} to ${MAX_LIFETIME}, not ${JSON.stringify(lifetime)}`,
    );
  }
  return { server: targetOf(entry.server, 'kea', `${at}.server`, targets, fail), lifetimeSeconds: lifetime as number };
}

const PROBE_KEYS = new Set(['port', 'next', 'timeoutMs']);
/** ssh: what a front-end's hosts most often listen on; a refused connect is an answer too. */
const DEFAULT_PROBE_PORT = 22;
const DEFAULT_PROBE_NEXT = 8;
/** Per range per pass: a probe must not sweep a segment. */
const MAX_PROBE_NEXT = 64;
const DEFAULT_PROBE_TIMEOUT_MS = 1000;
/** A pass waits for its probes (src/sync/probe.ts bounds the whole of it too). */
const MIN_PROBE_TIMEOUT_MS = 50;
const MAX_PROBE_TIMEOUT_MS = 10_000;

/** `pools[].probe`: `{ "port": 22, "next": 8, "timeoutMs": 1000 }`, each optional; IPv4 pools only. */
export function parseProbe(raw: unknown, at: string, network: Prefix, fail: Fail): PoolProbe {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return fail(at, `must be an object such as { "port": 22, "next": 8 }, not ${JSON.stringify(raw)}`);
  if (network.family !== 'ipv4')
    fail(at, `is for IPv4 pools (their next free addresses are probed); ${formatPrefix(network)} is IPv6`);
  const entry = raw as Record<string, unknown>;
  for (const key of Object.keys(entry)) if (!PROBE_KEYS.has(key)) fail(`${at}.${key}`, unknownKey(key, PROBE_KEYS));
  const whole = (key: string, value: unknown, min: number, max: number, what: string): number => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
      fail(`${at}.${key}`, `must be a whole number${what} from ${min} to ${max}, not ${JSON.stringify(value)}`);
    return value as number;
  };
  return {
    port: whole('port', entry.port ?? DEFAULT_PROBE_PORT, 1, 65_535, ' (a TCP port)'),
    next: whole('next', entry.next ?? DEFAULT_PROBE_NEXT, 1, MAX_PROBE_NEXT, ' of addresses per range'),
    timeoutMs: whole(
      'timeoutMs',
      entry.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS,
      MIN_PROBE_TIMEOUT_MS,
      MAX_PROBE_TIMEOUT_MS,
      ' of milliseconds',
    ),
  };
}

/** The name of a target of `type` in `targets`, or one error naming the key, the value and the targets there are. */
function targetOf(
  value: unknown,
  type: SyncTarget['type'],
  key: string,
  targets: readonly SyncTarget[],
  fail: Fail,
): string {
  const fitting = targets.filter((t) => t.type === type).map((t) => t.name);
  const known = fitting.length ? `${type} targets: ${fitting.join(', ')}` : `there is no ${type} target in targets`;
  if (typeof value !== 'string')
    return fail(key, `must name a ${type} target (${known}), not ${JSON.stringify(value)}`);
  const target = targets.find((t) => t.name === value);
  if (!target) return fail(key, `${JSON.stringify(value)} is not a target (${known})${didYouMean(value, fitting)}`);
  if (target.type !== type)
    return fail(key, `${JSON.stringify(value)} is a ${target.type} target; this needs a ${type} target (${known})`);
  return value;
}
