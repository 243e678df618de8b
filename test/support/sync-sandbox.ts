/**
 * A CLI sandbox whose config keeps one pool (192.0.2.0/26, the test DNS servers' classless
 * reverse zone) in step with a real DNS server under test, for the `sync` tests: the TSIG key in
 * a file of its own (mode 0600, as the operator's), leases made through the action links as oned
 * makes them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type CliSandbox, createCliSandbox } from './cli-harness.ts';
import { type DnsTestServer, HOST, ZONES } from './dns-test-server.ts';
import { expectReply } from './driver-assert.ts';
import type { OnedAr } from './driver-harness.ts';

export const POOL = '192.0.2.0/26';

export interface SyncSandbox extends CliSandbox {
  readonly ar: OnedAr;
  /** get_address through the link, as oned sends it; the address. */
  lease(): string;
  /** free_address of `ip` through the link. */
  free(ip: string): void;
  /** The name sync gives `ip` (the pattern vm-{ip}). */
  nameOf(ip: string): string;
  /** The PTR owner of `ip` in the classless zone. */
  ptrOf(ip: string): string;
}

export interface SyncSandboxOptions {
  /** The key the config gives (default: the server's). */
  readonly secret?: Buffer;
  readonly timeoutMs?: number;
  /** Also a Kea target and the pool's dhcp. */
  readonly keaUrl?: string;
}

export function createSyncSandbox(server: DnsTestServer, options: SyncSandboxOptions = {}): SyncSandbox {
  const s0 = createCliSandbox({ config: {} });
  const keyFile = path.join(s0.dir, 'tsig.key');
  fs.writeFileSync(keyFile, `${(options.secret ?? server.key.secret).toString('base64')}\n`, { mode: 0o600 });
  const config = {
    targets: {
      dns: {
        type: 'rfc2136',
        host: HOST,
        port: server.port,
        tsigKeyName: server.key.name,
        tsigSecretFile: keyFile,
        timeoutMs: options.timeoutMs ?? 1000,
      },
      ...(options.keaUrl ? { kea: { type: 'kea', url: options.keaUrl } } : {}),
    },
    pools: [
      {
        name: 'p',
        network: POOL,
        gateway: 'first',
        dns: ['198.51.100.53'],
        default: true,
        dnsNames: { forwardZone: ZONES.forward, reverseZone: ZONES.classless, server: 'dns' },
        ...(options.keaUrl ? { dhcp: { server: 'kea' } } : {}),
      },
    ],
  };
  fs.writeFileSync(s0.configPath!, JSON.stringify(config));
  const ar = s0.register({ SIZE: '50' });
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
    nameOf: (ip) => `vm-${ip.replaceAll('.', '-')}.${ZONES.forward}`,
    ptrOf: (ip) => `${ip.split('.')[3]}.${ZONES.classless}`,
  };
  return s;
}
