/**
 * A real BIND 9 for the DNS edge's tests: `named -g` on 127.0.0.1 and a free port above 24000,
 * in a temp dir of its own, with a TSIG key made by `tsig-keygen` and the zones of ZONES, each
 * allowing updates and transfers only with that key. Started and waited for (bounded: 15 s),
 * stopped by its PID.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freeDnsPort, requireBinary, run, type ServerProcess, startProcess } from './dns-server-process.ts';
import { awaitDnsServer, type DnsTestServer, dnsTestServer, HOST, ZONES } from './dns-test-server.ts';
import type { TsigKey } from '../../src/targets/dns/tsig-algorithm.ts';
import { tsigSecret } from '../../src/targets/dns/tsig-key-file.ts';

const NAMED = '/usr/sbin/named';
const TSIG_KEYGEN = '/usr/sbin/tsig-keygen';
export const KEY_NAME = 'nebula';

function zoneFile(zone: string): string {
  const forward = zone === ZONES.forward;
  return [
    '$TTL 300',
    `@ IN SOA ns1.${ZONES.forward}. hostmaster.${ZONES.forward}. 1 3600 600 86400 300`,
    `@ IN NS ns1.${ZONES.forward}.`,
    // The name server's own address lies outside the sync tests' pool (192.0.2.0/26): there it would be held.
    ...(forward ? ['ns1 IN A 198.51.100.53'] : []),
    '',
  ].join('\n');
}

/** `zones`: the zones it serves (default those of ZONES; the benchmark's are bigger). */
export async function startBind(zones: readonly string[] = Object.values(ZONES)): Promise<DnsTestServer> {
  requireBinary(NAMED, 'bind9');
  requireBinary(TSIG_KEYGEN, 'bind9');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nebula-bind-'));
  const keygen = await run(TSIG_KEYGEN, ['-a', 'hmac-sha256', KEY_NAME]);
  if (keygen.code !== 0) throw new Error(`tsig-keygen failed: ${keygen.stderr}`);
  fs.writeFileSync(path.join(dir, 'nebula.key'), keygen.stdout, { mode: 0o600 });
  const key = {
    name: KEY_NAME,
    algorithm: 'hmac-sha256',
    secret: tsigSecret(keygen.stdout, 'nebula.key', KEY_NAME, 'hmac-sha256'),
  } as const;
  const port = await freeDnsPort();
  const stanzas = zones.map((zone, i) => {
    const file = `zone-${i}.db`;
    fs.writeFileSync(path.join(dir, file), zoneFile(zone));
    return `zone "${zone}" { type primary; file "${file}"; allow-update { key ${KEY_NAME}; }; allow-transfer { key ${KEY_NAME}; }; };`;
  });
  fs.writeFileSync(
    path.join(dir, 'named.conf'),
    [...namedOptions(dir, port), `include "${dir}/nebula.key";`, ...stanzas, ''].join('\n'),
  );
  return dnsTestServer(
    'BIND',
    dir,
    port,
    key,
    await launchNamed(dir, path.join(dir, 'named.conf'), port, zones[0]!, key),
  );
}

/** named.conf's test-only part: everything in `dir`, listening on 127.0.0.1:`port` only, no rndc. */
export function namedOptions(dir: string, port: number): string[] {
  return [
    'options {',
    `  directory "${dir}";`,
    `  pid-file "${dir}/named.pid";`,
    `  session-keyfile "${dir}/session.key";`,
    `  managed-keys-directory "${dir}";`,
    `  listen-on port ${port} { ${HOST}; };`,
    '  listen-on-v6 { none; };',
    '  recursion no;',
    '  dnssec-validation no;',
    '  notify no;',
    '};',
    'controls { };',
  ];
}

/**
 * `named -g` with `conf` (which listens on 127.0.0.1:`port`), waited for until `zone`'s SOA
 * answers a query signed with `key` (bounded: 15 s); stop() ends it by PID and removes `dir`.
 */
export async function launchNamed(
  dir: string,
  conf: string,
  port: number,
  zone: string,
  key: TsigKey,
): Promise<{ process: ServerProcess; stop(): Promise<void> }> {
  const process = startProcess(requireBinary(NAMED, 'bind9'), ['-g', '-n', '1', '-c', conf], dir);
  return awaitDnsServer('named', dir, process, port, zone, key);
}
