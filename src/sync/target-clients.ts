/**
 * The config's targets as the edges talk to them: a DNS server with its TSIG secret read from its
 * file (refused when others may read it, as the etcd key is), a Kea control agent.
 */
import type { Config, KeaTarget, Rfc2136Target } from '../core/config/config.ts';
import { refuseOpenSecret } from '../access/secret-modes.ts';
import { readRegularFile } from '../access/regular-file.ts';
import { IpamError } from '../core/errors.ts';
import { noSuchFile } from '../core/no-such-file.ts';
import type { DnsServer } from '../targets/dns/index.ts';
import { tsigSecret } from '../targets/dns/index.ts';
import { type Kea, openKea } from '../targets/kea/open-kea.ts';
import type { GuestReport } from '../core/sync/guest-holds.ts';

/** A key file is a few lines; anything bigger is not one. */
const MAX_KEY_FILE_BYTES = 16 * 1024;

export interface TargetClients {
  dns(name: string): DnsServer;
  kea(name: string): Kea;
  /** What the VMs' guest agents report (oned's VM pool, `observe.oned` or `sync --vms`); absent when nothing asks. */
  readonly guests?: () => Promise<readonly GuestReport[]>;
}

/** Opened on first use, so a pass touches (and a broken key fails) only targets it has work for. */
export function targetClients(config: Config, guests?: () => Promise<readonly GuestReport[]>): TargetClients {
  const dns = new Map<string, DnsServer>();
  const kea = new Map<string, Kea>();
  const target = <T extends 'rfc2136' | 'kea'>(name: string, type: T) => {
    const found = config.targets.find((t) => t.name === name);
    if (found?.type !== type)
      throw new IpamError(
        'config',
        `Cannot sync with target ${JSON.stringify(name)}: the config ${config.source} has no ${type} target of that name`,
      );
    return found as T extends 'rfc2136' ? Rfc2136Target : KeaTarget;
  };
  return {
    ...(guests ? { guests } : {}),
    dns(name) {
      let server = dns.get(name);
      if (!server) {
        server = dnsServerOf(target(name, 'rfc2136'));
        dns.set(name, server);
      }
      return server;
    },
    kea(name) {
      let client = kea.get(name);
      if (!client) {
        const { url, timeoutMs } = target(name, 'kea');
        // Only the servers (dhcp4, dhcp6) some pool sends leases to are asked.
        const families = [...new Set(config.pools.filter((p) => p.dhcp?.server === name).map((p) => p.family))];
        client = openKea({ url, timeoutMs, families, owner: config.registryOwner });
        kea.set(name, client);
      }
      return client;
    },
  };
}

function dnsServerOf(target: Rfc2136Target): DnsServer {
  const base = { host: target.host, port: target.port, timeoutMs: target.timeoutMs };
  if (!target.tsig) return base;
  const { keyName, algorithm, secretFile } = target.tsig;
  const what = `targets.${target.name}.tsigSecretFile`;
  const read = readRegularFile(secretFile, { what, kind: 'config', maxBytes: MAX_KEY_FILE_BYTES });
  if (!read) throw noSuchFile(what, secretFile, 'config');
  refuseOpenSecret(secretFile, what, read.stat.mode);
  return {
    ...base,
    tsig: { name: keyName, algorithm, secret: tsigSecret(read.bytes.toString('utf8'), secretFile, keyName, algorithm) },
  };
}
