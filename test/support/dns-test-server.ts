/**
 * A real DNS server under test (BIND in bind-server.ts, PowerDNS in pdns-server.ts), seen the
 * same way by the tests: its zones, its TSIG key, the edge's view of it, and BIND's own tools
 * (`dig`, `nsupdate`) pointed at it with that key, so what the edge did is checked by a client
 * that is not ours. Every packet goes to 127.0.0.1.
 */
import type { DnsServer } from '../../src/targets/dns/dns-server.ts';
import type { TsigKey } from '../../src/targets/dns/tsig-algorithm.ts';
import * as fs from 'node:fs';
import { type RunResult, requireBinary, run, type ServerProcess, waitFor } from './dns-server-process.ts';

/** The zones every test server serves: forward, RFC 2317 classless IPv4 reverse (192.0.2.0/26), nibble IPv6 reverse (2001:db8::/64). */
export const ZONES = {
  forward: 'cloud.example.com',
  classless: '0/26.2.0.192.in-addr.arpa',
  nibble: '0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa',
} as const;

export const HOST = '127.0.0.1';

export interface DnsTestServer {
  readonly kind: 'BIND' | 'PowerDNS';
  readonly port: number;
  readonly key: TsigKey;
  readonly dir: string;
  readonly process: ServerProcess;
  /** The edge's view of it (timeout 2 s unless given). */
  server(timeoutMs?: number, key?: TsigKey): DnsServer;
  /** `dig` with the key; stdout. */
  dig(...args: string[]): Promise<string>;
  /** `dig +short` of one rrset, lines sorted. */
  lookup(name: string, type: string): Promise<string[]>;
  /** The zone as `dig AXFR` shows it: [name, ttl, type, data] of every record, SOA excepted, sorted. */
  axfr(zone: string): Promise<string[][]>;
  /** `nsupdate` with the key: somebody else changing the zone. */
  nsupdate(zone: string, commands: readonly string[]): Promise<RunResult>;
  stop(): Promise<void>;
}

/** The started server as the tests see it: its process, the edge's view of it and the client tools. */
export function dnsTestServer(
  kind: DnsTestServer['kind'],
  dir: string,
  port: number,
  key: TsigKey,
  started: { process: ServerProcess; stop(): Promise<void> },
): DnsTestServer {
  return {
    kind,
    port,
    key,
    dir,
    process: started.process,
    server: (timeoutMs = 2_000, other = key) => ({ host: HOST, port, timeoutMs, tsig: other }),
    ...clientTools(port, key),
    stop: started.stop,
  };
}

const DIG = '/usr/bin/dig';
const NSUPDATE = '/usr/bin/nsupdate';

export function clientTools(port: number, key: TsigKey): Pick<DnsTestServer, 'dig' | 'lookup' | 'axfr' | 'nsupdate'> {
  requireBinary(DIG, 'bind9-dnsutils');
  requireBinary(NSUPDATE, 'bind9-dnsutils');
  const keyArg = `${key.algorithm}:${key.name}:${key.secret.toString('base64')}`;
  const dig = async (...args: string[]) => {
    const result = await run(DIG, [
      `@${HOST}`,
      '-p',
      String(port),
      '-y',
      keyArg,
      '+time=2',
      '+tries=1',
      '+norecurse',
      ...args,
    ]);
    if (result.code !== 0)
      throw new Error(`dig ${args.join(' ')} exited ${result.code}: ${result.stdout}${result.stderr}`);
    return result.stdout;
  };
  return {
    dig,
    async lookup(name, type) {
      return (await dig('+short', name, type))
        .split('\n')
        .filter(Boolean)
        .map((line) => line.replace(/\.$/, '').replace(/^"(.*)"$/, '$1'))
        .sort();
    },
    async axfr(zone) {
      const text = await dig('+nocomments', '+nocmd', '+nostats', '+noquestion', zone, 'AXFR');
      if (/Transfer failed|; Transfer failed/.test(text)) throw new Error(`dig AXFR ${zone} failed: ${text}`);
      return text
        .split('\n')
        .filter((line) => line && !line.startsWith(';'))
        .map((line) => line.split(/\s+/))
        .filter((fields) => fields[3] !== 'SOA' && fields[3] !== 'TSIG')
        .map(([name, ttl, , type, ...data]) => [
          name!.replace(/\.$/, '').toLowerCase(),
          ttl!,
          type!,
          data
            .join(' ')
            .replace(/\.$/, '')
            .replace(/^"(.*)"$/, '$1'),
        ])
        .sort((a, b) => a.join(' ').localeCompare(b.join(' ')));
    },
    nsupdate(zone, commands) {
      const script = [`server ${HOST} ${port}`, `zone ${zone}`, ...commands, 'send', ''].join('\n');
      return run(NSUPDATE, ['-y', keyArg, '-t', '5'], script);
    },
  };
}

/**
 * A started DNS server `process` (its files in `dir`), waited for until `zone`'s SOA answers a
 * query signed with `key` on 127.0.0.1:`port` (bounded: 15 s); stop() ends it by PID and
 * removes `dir`. A server that exits or never answers is stopped and the error carries its output.
 */
export async function awaitDnsServer(
  what: string,
  dir: string,
  process: ServerProcess,
  port: number,
  zone: string,
  key: TsigKey,
): Promise<{ process: ServerProcess; stop(): Promise<void> }> {
  const tools = clientTools(port, key);
  const stop = async () => {
    await process.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      `${what} in ${dir} did not answer on ${HOST}:${port}`,
      15_000,
      async () => {
        if (process.child.exitCode !== null)
          throw new Error(`${what} exited ${process.child.exitCode} at start: ${process.output().slice(-2000)}`);
        return (await tools.lookup(zone, 'SOA').catch(() => [])).length === 1;
      },
      () => `its output: ${process.output().slice(-2000)}`,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { process, stop };
}
