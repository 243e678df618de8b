/** The operator's configuration: where the book lives and which pools ranges are carved from. */
import type { Family } from '../address/family.ts';
import type { Prefix } from '../address/prefix.ts';
import { didYouMean } from '../did-you-mean.ts';
import { type ErrorKind, IpamError } from '../errors.ts';
import type { OnedVersion } from '../oned/oned-version.ts';
import type { NamePattern } from '../dns/name-pattern.ts';
import type { ReverseZone } from '../dns/reverse-zone.ts';

/**
 * Where a subnet's gateway is: network + 1, broadcast - 1 (IPv4) or the last address (IPv6),
 * none, or one explicit address (a router already on the pool's network), which is then the
 * gateway of the subnet that holds it and of no other.
 */
export type GatewayRule = 'first' | 'last' | 'none' | bigint;

export interface Pool {
  readonly name: string;
  readonly family: Family;
  readonly network: Prefix;
  /** Prefix length of the subnets carved; undefined means "smallest that holds SIZE". */
  readonly subnetPrefix?: number;
  readonly gateway: GatewayRule;
  readonly dns: readonly string[];
  readonly mtu?: number;
  readonly searchDomain?: string;
  readonly exclude: readonly Prefix[];
  readonly isDefault: boolean;
  /** DNS names for the pool's leases (`dnsNames`): absent, sync writes no DNS records for it. */
  readonly dnsNames?: PoolDnsNames;
  /** DHCP entries for the pool's leases that have a MAC (`dhcp`): absent, none. */
  readonly dhcp?: PoolDhcp;
  /** `probe`: sync asks the next free addresses before they are handed out (src/sync/probe.ts); absent, never. */
  readonly probe?: PoolProbe;
}

/** `pools[].probe`: a TCP connect to `port` of each of the next `next` free addresses of each range. */
export interface PoolProbe {
  readonly port: number;
  readonly next: number;
  /** How long one connect may wait for an answer. */
  readonly timeoutMs: number;
}

/**
 * `pools[].dnsNames`. (`dns` was taken: it is the pool's list of DNS servers.) Names are normal:
 * lower case, without the final dot.
 */
export interface PoolDnsNames {
  readonly forwardZone: string;
  /** The zones the PTR records go to: the one `reverseZone` names, or those derived from the network. */
  readonly reverseZones: readonly ReverseZone[];
  /** The text as written, for messages; the name is it filled in, then `.forwardZone`. */
  readonly name: string;
  readonly pattern: NamePattern;
  readonly ttl: number;
  /** The name of an rfc2136 target. */
  readonly server: string;
}

/** `pools[].dhcp`. */
export interface PoolDhcp {
  /** The name of a kea target. */
  readonly server: string;
  /** The lifetime of the leases sync adds; it puts each again when less than half is left. */
  readonly lifetimeSeconds: number;
}

/**
 * The TSIG algorithms (RFC 8945 6) a target's key may use: HMAC-SHA256 is the one to use, the rest
 * for keys an operator already has. MD5 is refused: RFC 8945 deprecates it and FIPS builds lack it.
 */
export const TSIG_ALGORITHMS = ['hmac-sha256', 'hmac-sha384', 'hmac-sha512', 'hmac-sha224', 'hmac-sha1'] as const;
export type TsigAlgorithm = (typeof TSIG_ALGORITHMS)[number];

/** A DNS server taking RFC 2136 dynamic updates (BIND, PowerDNS, Knot). */
export interface Rfc2136Target {
  readonly name: string;
  readonly type: 'rfc2136';
  readonly host: string;
  readonly port: number;
  /** TSIG: all three, or (a server that allows updates by address) none. */
  readonly tsig?: { readonly keyName: string; readonly algorithm: TsigAlgorithm; readonly secretFile: string };
  readonly timeoutMs: number;
}

/** A Kea control agent (with the lease_cmds hook, or host_cmds). */
export interface KeaTarget {
  readonly name: string;
  readonly type: 'kea';
  /** As written, e.g. "http://127.0.0.1:8000/". */
  readonly url: string;
  readonly timeoutMs: number;
}

export type SyncTarget = Rfc2136Target | KeaTarget;

/**
 * `oned`: how nebula-ipam reaches oned's XML-RPC API (sync's guest-agent addresses, `install
 * --hook`): the endpoint (as ONE_XMLRPC) and the file holding `user:password` (as ONE_AUTH).
 */
export interface OnedConnection {
  readonly endpoint: string;
  readonly authFile: string;
  /** Bounds one call as a whole: connect, send and the whole answer. */
  readonly timeoutMs: number;
}

/**
 * `observe`: where sync looks for addresses in use outside the book besides its targets (issue
 * 18 item 5). `oned`: the VM pool (`one.vmpool.infoextended`), whose guest agents report
 * addresses (`GUEST_IP_ADDRESSES`), read through the `oned` connection or, `fromFile`, from a
 * file another host writes.
 */
export interface ObserveConfig {
  readonly oned?: { readonly fromFile?: string };
}

/**
 * `Backend`: what the store made of the `backend` key (store/backend-config.ts: each backend
 * parses its own part); `LoadedConfig` names it. The core never looks at it.
 */
export interface Config<Backend = unknown> {
  /** Where the configuration came from, for messages: a path, or "(no config file)". */
  readonly source: string;
  readonly store?: string;
  /** Where the book lives; absent means the file backend. */
  readonly backend?: Backend;
  readonly lockTimeoutMs: number;
  /**
   * Sites that want every address managed: register refuses an explicit range (or IPv6 prefix)
   * that lies in no pool, instead of recording it outside the pools.
   */
  readonly refuseOutsidePools?: boolean;
  /** The OpenNebula release the driver answers (`onedVersion`); absent: 7.2 or later is assumed. */
  readonly onedVersion?: OnedVersion;
  /**
   * How much earlier than a document's time reconcile stops judging the book
   * (`reconcileMarginSeconds`): front-ends of an HA cloud stamp leases with their own clocks.
   */
  readonly reconcileMarginMs: number;
  readonly pools: readonly Pool[];
  /** `targets`, in the order written: the DNS and DHCP servers sync keeps in step. */
  readonly targets: readonly SyncTarget[];
  /** `oned`: absent, nothing talks to oned's API. */
  readonly oned?: OnedConnection;
  /** `observe`: absent, sync reads only its targets. */
  readonly observe?: ObserveConfig;
  /**
   * `registryPrefix`: the first label of the TXT name that records which DNS names are
   * nebula-ipam's (`<registryPrefix>.<name>`, as external-dns's TXT registry).
   */
  readonly registryPrefix: string;
  /**
   * `registryOwner`: who this book is in those TXT records. Two books writing one zone need two
   * owners; two front-ends sharing one book share one.
   */
  readonly registryOwner: string;
}

export const DEFAULT_REGISTRY_PREFIX = '_nebula-ipam';
export const DEFAULT_REGISTRY_OWNER = 'default';

export const DEFAULT_LOCK_TIMEOUT_MS = 20_000;

/** Five minutes: far more than NTP-synchronised front-ends drift, far less than a reconcile's age. */
export const DEFAULT_RECONCILE_MARGIN_MS = 300_000;

export const NO_CONFIG: Config = {
  source: '(no config file)',
  lockTimeoutMs: DEFAULT_LOCK_TIMEOUT_MS,
  reconcileMarginMs: DEFAULT_RECONCILE_MARGIN_MS,
  pools: [],
  targets: [],
  registryPrefix: DEFAULT_REGISTRY_PREFIX,
  registryOwner: DEFAULT_REGISTRY_OWNER,
};

export function poolNamed(config: Config, name: string): Pool | undefined {
  return config.pools.find((pool) => pool.name === name);
}

/**
 * The pool named `name`, else the one failure line for a name the config does not define, with
 * the nearest real name: `cannot` says what failed (`Cannot lease from pool "x"`), `subject`
 * what is named (`POOL_NAME "x"` where the line does not say it already).
 */
export function requirePool(
  config: Config,
  name: string,
  cannot: string,
  kind: ErrorKind = 'not-found',
  subject = 'it',
): Pool {
  const pool = poolNamed(config, name);
  if (pool) return pool;
  const names = config.pools.map((p) => p.name);
  throw new IpamError(
    kind,
    `${cannot}: ${subject} is not a pool of ${config.source}${didYouMean(name, names)} (pools: ${names.join(', ') || 'none'})`,
  );
}

export function targetNamed(config: Config, name: string): SyncTarget | undefined {
  return config.targets.find((target) => target.name === name);
}
