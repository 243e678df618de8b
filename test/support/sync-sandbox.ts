/**
 * A CLI sandbox whose config keeps one pool (192.0.2.0/26, the test DNS servers' classless
 * reverse zone) in step with a real DNS server under test, a real Kea, or both, for the `sync`
 * tests: the TSIG key in a file of its own (mode 0600, as the operator's), leases made through
 * the action links as oned makes them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type CliSandbox, createCliSandbox } from './cli-harness.ts';
import { type DnsTestServer, HOST, ZONES } from './dns-test-server.ts';
import { expectFailure, expectReply } from './driver-assert.ts';
import type { OnedAr, RunResult } from './driver-harness.ts';

export const POOL = '192.0.2.0/26';

export interface SyncSandbox extends CliSandbox {
  readonly ar: OnedAr;
  /** get_address through the link, as oned sends it; the address. */
  lease(): string;
  /** free_address of `ip` through the link. */
  free(ip: string): void;
  /** allocate_address of `ip` through the link, as oned sends it; the result (noted as leased when it succeeds). */
  allocate(ip: string): RunResult;
  /**
   * get_address through the link until the range has nothing left (bounded by its size): every
   * address handed out, in order; the last call's failure is checked to be the one of a full range.
   */
  exhaust(): string[];
  /** The name sync gives `ip` (the pattern vm-{ip}). */
  nameOf(ip: string): string;
  /** The PTR owner of `ip` in the classless zone. */
  ptrOf(ip: string): string;
}

export interface SyncSandboxOptions {
  /** The AR's SIZE (default 50). */
  readonly size?: number;
  /** The key the config gives (default: the server's). */
  readonly secret?: Buffer;
  readonly timeoutMs?: number;
  /** Also a Kea target and the pool's dhcp. */
  readonly keaUrl?: string;
  /** The pool's dhcp.lifetimeSeconds (with keaUrl). */
  readonly lifetimeSeconds?: number;
  /** More pools of the config, after pool p. */
  readonly morePools?: readonly object[];
}

/** The pool's gateway (`gateway: first`) and DNS server, as DHCP hands them out. */
export const GATEWAY = '192.0.2.1';
export const DNS_SERVER = '198.51.100.53';

/** `server` undefined: no DNS target (a Kea-only config, with `keaUrl`). */
export function createSyncSandbox(server: DnsTestServer | undefined, options: SyncSandboxOptions = {}): SyncSandbox {
  const s0 = createCliSandbox({ config: {} });
  const keyFile = path.join(s0.dir, 'tsig.key');
  if (server)
    fs.writeFileSync(keyFile, `${(options.secret ?? server.key.secret).toString('base64')}\n`, { mode: 0o600 });
  const config = {
    targets: {
      ...(server
        ? {
            dns: {
              type: 'rfc2136',
              host: HOST,
              port: server.port,
              tsigKeyName: server.key.name,
              tsigSecretFile: keyFile,
              timeoutMs: options.timeoutMs ?? 1000,
            },
          }
        : {}),
      ...(options.keaUrl ? { kea: { type: 'kea', url: options.keaUrl, timeoutMs: options.timeoutMs ?? 2000 } } : {}),
    },
    pools: [
      {
        name: 'p',
        network: POOL,
        // One subnet: the AR's, whatever its SIZE (the Kea tests' subnet is the pool).
        subnetPrefix: 26,
        gateway: 'first',
        dns: [DNS_SERVER],
        default: true,
        ...(server ? { dnsNames: { forwardZone: ZONES.forward, reverseZone: ZONES.classless, server: 'dns' } } : {}),
        ...(options.keaUrl
          ? {
              dhcp: {
                server: 'kea',
                ...(options.lifetimeSeconds === undefined ? {} : { lifetimeSeconds: options.lifetimeSeconds }),
              },
            }
          : {}),
      },
      ...(options.morePools ?? []),
    ],
  };
  fs.writeFileSync(s0.configPath!, JSON.stringify(config));
  const ar = s0.register({ SIZE: String(options.size ?? 50) });
  const s: SyncSandbox = {
    ...s0,
    ar,
    lease() {
      const ip = expectReply(s0.run('get_address', ar.getXml(1)), 'ADDRESS').get('IP')!;
      ar.noteLeased(ar.indexOf(ip));
      return ip;
    },
    free(ip) {
      const result = s0.run('free_address', ar.freeXml(ar.indexOf(ip)));
      if (result.code !== 0) throw new Error(`free_address ${ip} exited ${result.code}: ${result.stderr}`);
      ar.noteFreed(ar.indexOf(ip));
    },
    allocate(ip) {
      const result = s0.run('allocate_address', ar.allocateXml(ar.indexOf(ip)));
      if (result.code === 0) ar.noteLeased(ar.indexOf(ip));
      return result;
    },
    exhaust() {
      const handed: string[] = [];
      for (let round = 0; round <= Number(ar.size); round++) {
        const result = s0.run('get_address', ar.getXml(1));
        if (result.code !== 0) {
          expectFailure(result, 255, ['no free block of 1 left']);
          return handed;
        }
        const ip = expectReply(result, 'ADDRESS').get('IP')!;
        ar.noteLeased(ar.indexOf(ip));
        handed.push(ip);
      }
      throw new Error(`get_address handed out more than the range's ${ar.size} addresses: ${handed.join(' ')}`);
    },
    nameOf: (ip) => `vm-${ip.replaceAll('.', '-')}.${ZONES.forward}`,
    ptrOf: (ip) => `${ip.split('.')[3]}.${ZONES.classless}`,
  };
  return s;
}
