/**
 * A real PowerDNS Authoritative for the DNS edge's tests: `pdns_server` with the gsqlite3
 * backend in a temp dir of its own (schema from Debian's pdns-backend-sqlite3), on 127.0.0.1
 * and a free port above 24000, no guardian, no daemon, no security poll. The zones of ZONES,
 * a TSIG key in `tsigkeys`, and per zone TSIG-ALLOW-DNSUPDATE and TSIG-ALLOW-AXFR naming it;
 * updates allowed from 127.0.0.0/8 only when signed with that key. Stopped by its PID.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freeDnsPort, requireBinary, run, type ServerProcess, startProcess } from './dns-server-process.ts';
import type { TsigKey } from '../../src/targets/dns/tsig-algorithm.ts';
import { awaitDnsServer, type DnsTestServer, dnsTestServer, HOST, ZONES } from './dns-test-server.ts';

const PDNS = '/usr/sbin/pdns_server';
const SQLITE3 = '/usr/bin/sqlite3';
const SCHEMA = '/usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql';
export const KEY_NAME = 'nebula';

const quote = (text: string) => `'${text.replace(/'/g, "''")}'`;

function seedSql(secret: string, zones: readonly string[]): string {
  const lines = [
    `INSERT INTO tsigkeys (name, algorithm, secret) VALUES ('${KEY_NAME}', 'hmac-sha256', ${quote(secret)});`,
  ];
  zones.forEach((zone, i) => {
    const id = i + 1;
    const soa = `ns1.${ZONES.forward} hostmaster.${ZONES.forward} 1 3600 600 86400 300`;
    lines.push(
      `INSERT INTO domains (id, name, type) VALUES (${id}, ${quote(zone)}, 'NATIVE');`,
      `INSERT INTO records (domain_id, name, type, content, ttl, prio, disabled, auth) VALUES (${id}, ${quote(zone)}, 'SOA', ${quote(soa)}, 300, 0, 0, 1);`,
      `INSERT INTO records (domain_id, name, type, content, ttl, prio, disabled, auth) VALUES (${id}, ${quote(zone)}, 'NS', 'ns1.${ZONES.forward}', 300, 0, 0, 1);`,
      `INSERT INTO domainmetadata (domain_id, kind, content) VALUES (${id}, 'TSIG-ALLOW-DNSUPDATE', '${KEY_NAME}');`,
      `INSERT INTO domainmetadata (domain_id, kind, content) VALUES (${id}, 'TSIG-ALLOW-AXFR', '${KEY_NAME}');`,
    );
    // The name server's own address lies outside the sync tests' pool (192.0.2.0/26): there it would be held.
    if (zone === ZONES.forward)
      lines.push(
        `INSERT INTO records (domain_id, name, type, content, ttl, prio, disabled, auth) VALUES (${id}, 'ns1.${zone}', 'A', '198.51.100.53', 300, 0, 0, 1);`,
      );
  });
  return `${lines.join('\n')}\n`;
}

/** `zones`: the zones it serves (default those of ZONES; the benchmark's are bigger). */
export async function startPdns(zones: readonly string[] = Object.values(ZONES)): Promise<DnsTestServer> {
  requireBinary(PDNS, 'pdns-server');
  const sqlite3 = requireBinary(SQLITE3, 'sqlite3');
  requireBinary(SCHEMA, 'pdns-backend-sqlite3', fs.constants.R_OK);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nebula-pdns-'));
  const secret = randomBytes(32);
  const key = { name: KEY_NAME, algorithm: 'hmac-sha256', secret } as const;
  const database = path.join(dir, 'pdns.sqlite3');
  const created = await run(
    sqlite3,
    [database],
    `${fs.readFileSync(SCHEMA, 'utf8')}\n${seedSql(secret.toString('base64'), zones)}`,
  );
  if (created.code !== 0) throw new Error(`sqlite3 could not create ${database}: ${created.stderr}`);
  const port = await freeDnsPort();
  const settings = [
    'dnsupdate=yes',
    'allow-dnsupdate-from=127.0.0.0/8',
    'allow-axfr-ips=127.0.0.0/8',
    'disable-axfr=no',
  ];
  return dnsTestServer('PowerDNS', dir, port, key, await launchPdns(dir, database, port, settings, zones[0]!, key));
}

/**
 * pdns.conf in `dir` for the gsqlite3 `database`, listening on 127.0.0.1:`port`: the test-only
 * settings (no daemon, guardian, security poll, caches), then `settings` (what DNS updates and
 * transfers need). pdnsutil reads it too (`pdnsutil --config-dir=DIR`).
 */
export function writePdnsConf(dir: string, database: string, port: number, settings: readonly string[]): void {
  fs.writeFileSync(
    path.join(dir, 'pdns.conf'),
    [
      'launch=gsqlite3',
      `gsqlite3-database=${database}`,
      `local-address=${HOST}`,
      `local-port=${port}`,
      `socket-dir=${dir}`,
      'daemon=no',
      'guardian=no',
      'security-poll-suffix=',
      'disable-syslog=yes',
      'loglevel=4',
      'webserver=no',
      'api=no',
      'distributor-threads=1',
      'receiver-threads=1',
      'cache-ttl=0',
      'query-cache-ttl=0',
      'negquery-cache-ttl=0',
      'zone-cache-refresh-interval=0',
      ...settings,
      '',
    ].join('\n'),
  );
}

/**
 * `pdns_server` with writePdnsConf's file, waited for until `zone`'s SOA answers a query signed
 * with `key` (bounded: 15 s); stop() ends it by PID and removes `dir`.
 */
export async function launchPdns(
  dir: string,
  database: string,
  port: number,
  settings: readonly string[],
  zone: string,
  key: TsigKey,
): Promise<{ process: ServerProcess; stop(): Promise<void> }> {
  writePdnsConf(dir, database, port, settings);
  const process = startProcess(requireBinary(PDNS, 'pdns-server'), [`--config-dir=${dir}`], dir);
  return awaitDnsServer('pdns_server', dir, process, port, zone, key);
}
