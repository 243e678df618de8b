/**
 * The README's "DNS and DHCP" examples work as written: every block marked
 * `<!-- dns-example: NAME -->` is read from README.md and run for real. BIND 9 gets the README's
 * key (its `tsig-keygen` commands), zone stanzas and zone file; PowerDNS its pdns.conf lines and
 * `pdnsutil` commands; Kea its kea-dhcp4.conf and kea-ctrl-agent.conf; the built bundle the
 * README's nebula-ipam config. Only what is the test machine's is replaced (SUBSTITUTED below):
 * the servers' addresses and ports (all 127.0.0.1 here), paths (a temp dir per server),
 * the user (oneadmin is the test's user), Kea's interface (loopback, UDP sockets, reached
 * through a relay on 127.0.0.2) and the hook's path; each replaced value must be in the README as the table says, so a README edit
 * cannot silently escape the test. Then the README's migration runs: a zone with somebody
 * else's records, `sync --dry-run`, `sync` (conflict and hold, nothing foreign touched), the
 * adopt block, `sync` again; records are checked with dig, Kea's lease with lease4-get; then
 * PowerDNS is stopped and the other targets go on. The systemd unit shown is the shipped one.
 * Every packet goes to 127.0.0.1; the README's addresses are data in the payloads only.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { tsigSecret } from '../../../src/targets/dns/tsig-key-file.ts';
import { dropTest } from '../../../src/targets/kea/subnet-options.ts';
import { launchNamed, namedOptions } from '../../support/bind-server.ts';
import { type CliSandbox, createCliSandbox } from '../../support/cli-harness.ts';
import { freeDnsPort, requireBinary, run } from '../../support/dns-server-process.ts';
import { clientTools, HOST } from '../../support/dns-test-server.ts';
import { openRelayedClient } from '../../support/dhcp-client.ts';
import { expectReply } from '../../support/driver-assert.ts';
import { type OnedAr, REPO_ROOT } from '../../support/driver-harness.ts';
import {
  freeKeaPorts,
  type KeaServer,
  launchKea,
  leaseCommandsHook,
  LOOPBACK_INTERFACES,
} from '../../support/kea-server.ts';
import { launchPdns, writePdnsConf } from '../../support/pdns-server.ts';

const README = path.join(REPO_ROOT, 'README.md');
const MARKED = /^<!-- dns-example: ([a-z0-9-]+) -->\n```[a-z]*\n([\s\S]*?)\n```$/gm;
const NAMES = [
  'nebula-ipam-config',
  'bind-key',
  'bind-zones',
  'bind-zone-file',
  'pdns-conf',
  'pdns-key',
  'kea-dhcp4',
  'kea-ctrl-agent',
  'sync-unit',
  'adopt',
  'status',
] as const;
type Name = (typeof NAMES)[number];

/** The marked blocks of README.md by name; a name twice, unknown or missing is an error. */
function dnsExamples(text: string): Record<Name, string> {
  const found: Partial<Record<Name, string>> = {};
  for (const [, name, body] of text.matchAll(MARKED)) {
    assert.ok((NAMES as readonly string[]).includes(name!), `README.md marks an unknown dns-example ${name}`);
    assert.equal(found[name as Name], undefined, `README.md marks dns-example ${name} twice`);
    found[name as Name] = body!;
  }
  for (const name of NAMES) assert.ok(found[name] !== undefined, `README.md has no block marked dns-example ${name}`);
  return found as Record<Name, string>;
}

/** `text` with each [from, to] replaced everywhere; a `from` the block does not hold fails the test. */
function substitute(block: Name, text: string, pairs: readonly (readonly [string, string])[]): string {
  let out = text;
  for (const [from, to] of pairs) {
    assert.ok(out.includes(from), `README.md's dns-example ${block} no longer holds ${JSON.stringify(from)}`);
    out = out.replaceAll(from, to);
  }
  return out;
}

/** Sets `object.at[0].at[1]...` to `to`, after checking the README gave it `from`. */
function replaceValue(block: Name, object: unknown, at: readonly string[], from: unknown, to: unknown): void {
  let parent = object as Record<string, unknown>;
  for (const key of at.slice(0, -1)) parent = parent[key] as Record<string, unknown>;
  const last = at[at.length - 1]!;
  assert.deepEqual(
    parent?.[last],
    from,
    `README.md's dns-example ${block} has ${at.join('.')} ${JSON.stringify(from)}`,
  );
  parent[last] = to;
}

/** A README shell block, as an operator pastes it: bash (run() drops NODE_EXTRA_CA_CERTS), stopping at the first failing command. */
async function shell(block: Name, script: string): Promise<void> {
  const result = await run('/bin/bash', ['-e', '-o', 'pipefail', '-c', script], undefined, 30_000);
  assert.equal(result.code, 0, `README.md's dns-example ${block} failed (${result.code}): ${result.stderr}`);
}

const blocks = dnsExamples(fs.readFileSync(README, 'utf8'));
const me = os.userInfo().username;

let sandbox: CliSandbox;
let bind: { stop(): Promise<void> } | undefined;
let pdns: { process: { stop(): Promise<void> }; stop(): Promise<void> } | undefined;
let kea: KeaServer | undefined;
let bindPort: number;
let bindTools: ReturnType<typeof clientTools>;
let pdnsTools: ReturnType<typeof clientTools>;
let lan: OnedAr;
let dmz: OnedAr;

const lease = (ar: OnedAr) => {
  const ip = expectReply(sandbox.run('get_address', ar.getXml(1)), 'ADDRESS').get('IP')!;
  ar.noteLeased(ar.indexOf(ip));
  return ip;
};

before(async () => {
  requireBinary('/usr/sbin/tsig-keygen', 'bind9');
  requireBinary('/usr/bin/pdnsutil', 'pdns-server');
  const sqlite3 = requireBinary('/usr/bin/sqlite3', 'sqlite3');
  sandbox = createCliSandbox({ driver: 'nebula' });
  const etc = path.dirname(sandbox.configPath!);
  const inEtc = ['/etc/one/nebula-ipam/', `${etc}/`] as const;

  // BIND 9: the README's key commands, zone stanzas and zone file.
  const bindDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nebula-readme-bind-'));
  await shell(
    'bind-key',
    substitute('bind-key', blocks['bind-key'], [['/etc/bind/', `${bindDir}/`], inEtc, ['-o oneadmin', `-o ${me}`]]),
  );
  const bindKey = {
    name: 'nebula-ipam',
    algorithm: 'hmac-sha256',
    secret: tsigSecret(
      fs.readFileSync(path.join(bindDir, 'nebula-ipam.key'), 'utf8'),
      'key',
      'nebula-ipam',
      'hmac-sha256',
    ),
  } as const;
  const zones = substitute('bind-zones', blocks['bind-zones'], [
    ['/etc/bind/', `${bindDir}/`],
    ['/var/lib/bind/', `${bindDir}/`],
  ]);
  for (const [, file] of zones.matchAll(/file "([^"]+)";/g)) fs.writeFileSync(file!, `${blocks['bind-zone-file']}\n`);
  bindPort = await freeDnsPort();
  fs.writeFileSync(path.join(bindDir, 'named.conf'), [...namedOptions(bindDir, bindPort), zones, ''].join('\n'));
  bind = await launchNamed(bindDir, path.join(bindDir, 'named.conf'), bindPort, 'cloud.example.com', bindKey);
  bindTools = clientTools(bindPort, bindKey);

  // PowerDNS: the README's pdns.conf lines and pdnsutil commands, on an empty gsqlite3 database.
  const pdnsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nebula-readme-pdns-'));
  const database = path.join(pdnsDir, 'pdns.sqlite3');
  const schema = fs.readFileSync('/usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql', 'utf8');
  const created = await run(sqlite3, [database], schema);
  assert.equal(created.code, 0, created.stderr);
  const pdnsPort = await freeDnsPort();
  const settings = substitute('pdns-conf', blocks['pdns-conf'], [['192.0.2.10/32', `${HOST}/32`]]).split('\n');
  writePdnsConf(pdnsDir, database, pdnsPort, settings);
  await shell(
    'pdns-key',
    substitute('pdns-key', blocks['pdns-key'], [
      ['pdnsutil ', `pdnsutil --config-dir=${pdnsDir} `],
      inEtc,
      ['chown oneadmin', `chown ${me}`],
    ]),
  );
  const pdnsKey = {
    name: 'nebula-ipam',
    algorithm: 'hmac-sha256',
    secret: tsigSecret(fs.readFileSync(path.join(etc, 'pdns.key'), 'utf8'), 'key', 'nebula-ipam', 'hmac-sha256'),
  } as const;
  pdns = await launchPdns(pdnsDir, database, pdnsPort, settings, 'dmz.example.com', pdnsKey);
  pdnsTools = clientTools(pdnsPort, pdnsKey);

  // Kea: the README's kea-dhcp4.conf and kea-ctrl-agent.conf.
  const keaDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nebula-readme-kea-'));
  const socketDir = ['/run/kea/', `${keaDir}/`] as const;
  const dhcp4 = JSON.parse(
    substitute('kea-dhcp4', blocks['kea-dhcp4'], [
      socketDir,
      ['/var/lib/kea/', `${keaDir}/`],
      ['/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_lease_cmds.so', leaseCommandsHook()],
    ]),
  );
  replaceValue('kea-dhcp4', dhcp4, ['Dhcp4', 'interfaces-config'], { interfaces: ['eth1'] }, LOOPBACK_INTERFACES);
  // Loopback has no VMs' segment: DHCP reaches this Kea through a relay on 127.0.0.2 (the README's `relay`).
  replaceValue('kea-dhcp4', dhcp4, ['Dhcp4', 'subnet4', '0', 'relay'], undefined, { 'ip-addresses': ['127.0.0.2'] });
  const agent = JSON.parse(substitute('kea-ctrl-agent', blocks['kea-ctrl-agent'], [socketDir]));
  const keaPorts = await freeKeaPorts();
  replaceValue('kea-ctrl-agent', agent, ['Control-agent', 'http-port'], 8000, keaPorts.agentPort);
  kea = await launchKea(keaDir, dhcp4, agent, keaPorts);

  // nebula-ipam: the README's config, pointed at these servers and key files.
  const config = JSON.parse(substitute('nebula-ipam-config', blocks['nebula-ipam-config'], [inEtc]));
  replaceValue('nebula-ipam-config', config, ['targets', 'bind', 'host'], '192.0.2.53', HOST);
  replaceValue('nebula-ipam-config', config, ['targets', 'bind', 'port'], 53, bindPort);
  replaceValue('nebula-ipam-config', config, ['targets', 'pdns', 'host'], '192.0.2.54', HOST);
  replaceValue('nebula-ipam-config', config, ['targets', 'pdns', 'port'], 53, pdnsPort);
  replaceValue('nebula-ipam-config', config, ['targets', 'kea', 'url'], 'http://127.0.0.1:8000/', kea.agentUrl);
  fs.writeFileSync(sandbox.configPath!, JSON.stringify(config, null, 2));
  lan = sandbox.register({ IPAM_POOL: 'lan', SIZE: '20' });
  dmz = sandbox.register({ IPAM_POOL: 'dmz', SIZE: '20' });
});

after(async () => {
  await bind?.stop();
  await pdns?.stop();
  await kea?.stop();
  sandbox?.cleanup();
});

const sync = (...args: string[]) => sandbox.cli(['sync', ...args]);

/** A status line with what differs from run to run masked: counts, times, the server's address. */
function maskedStatus(line: string): string {
  return line
    .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z \(\d+ \w+ ago\)/g, '<time>')
    .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, '<time>')
    .replace(/\d+ (desired|in place|pending|conflicting|unverified)/g, 'N $1')
    .replace(/\d+\.\d+\.\d+\.\d+:\d+/g, '<server>');
}

test("the README's servers take the README's config: a zone with somebody else's records moves under nebula-ipam as the README says", async () => {
  assert.equal(lan.attrs.IP, '10.77.0.3', 'the lan range starts after the gateway and the DNS server');
  const first = lease(lan);
  const mac = lan.attrs.MAC!;
  const adopted = sandbox.run('allocate_address', lan.allocateXml(lan.indexOf('10.77.0.5')));
  assert.equal(adopted.code, 0, adopted.stderr);
  lan.noteLeased(lan.indexOf('10.77.0.5'));
  const web = lease(dmz);

  // The zone as it was: an older tool's name for 10.77.0.5 (leased), a host on a free address of the pool.
  const planted = await bindTools.nsupdate('cloud.example.com', [
    'update add vm-10-77-0-5.cloud.example.com 300 A 10.77.0.5',
    'update add www.cloud.example.com 300 A 10.77.0.20',
  ]);
  assert.equal(planted.code, 0, planted.stderr);

  const dry = sync('--dry-run');
  assert.equal(dry.code, 1, `a dry run with changes planned exits 1: ${dry.stdout}${dry.stderr}`);
  assert.deepEqual(await bindTools.lookup(`vm-${first.replaceAll('.', '-')}.cloud.example.com`, 'A'), []);
  assert.match(dry.stdout, /vm-10-77-0-5\.cloud\.example\.com/, `the dry run names the conflict: ${dry.stdout}`);
  assert.match(dry.stdout, /10\.77\.0\.20/, `the dry run names the address to hold: ${dry.stdout}`);
  assert.equal(sandbox.json<{ holds: unknown[] }>(['hold', 'list']).holds.length, 0, 'a dry run holds nothing');

  const pass = sync();
  assert.equal(pass.code, 1, `the conflict is left alone and reported: ${pass.stdout}${pass.stderr}`);
  const name = `vm-${first.replaceAll('.', '-')}.cloud.example.com`;
  assert.deepEqual(await bindTools.lookup(name, 'A'), [first]);
  assert.deepEqual(await bindTools.lookup(`${first.split('.')[3]}.0.77.10.in-addr.arpa`, 'PTR'), [name]);
  assert.deepEqual(await bindTools.lookup(`_nebula-ipam.${name}`, 'TXT'), [
    `heritage=nebula-ipam,owner=cloud-a,lease=${lan.attrs.NEBULA_IPAM_RANGE}/${first}`,
  ]);
  assert.deepEqual(await bindTools.lookup('www.cloud.example.com', 'A'), ['10.77.0.20'], 'a foreign record stays');
  assert.deepEqual(await bindTools.lookup('vm-10-77-0-5.cloud.example.com', 'A'), ['10.77.0.5']);
  assert.deepEqual(await bindTools.lookup('_nebula-ipam.vm-10-77-0-5.cloud.example.com', 'TXT'), []);
  const holds = sandbox.json<{ holds: { address: string }[] }>(['hold', 'list']).holds.map((h) => h.address);
  assert.deepEqual(holds, ['10.77.0.20'], "the foreign record's free address is held");

  const dmzName = `${dmz.attrs.NEBULA_IPAM_RANGE}-${web.replaceAll('.', '-')}.dmz.example.com`;
  assert.deepEqual(await pdnsTools.lookup(dmzName, 'A'), [web]);
  assert.deepEqual(await pdnsTools.lookup(`${web.split('.')[3]}.100.51.198.in-addr.arpa`, 'PTR'), [dmzName]);

  const keaLease = await kea!.command('lease4-get', { 'ip-address': first });
  assert.equal(keaLease.result, 0, keaLease.text);
  const got = keaLease.arguments as Record<string, unknown>;
  assert.equal(got['hw-address'], mac.toLowerCase());
  assert.equal(got['valid-lft'], 3600, "the pool's lifetimeSeconds");
  const client = await openRelayedClient(kea!.dhcp, 1_500);
  try {
    // Kea answers in order: once the VM's OFFER is in, the stranger's would have come.
    const stranger = client.discover('52:54:00:aa:bb:cc');
    const { answer } = await client.obtain(mac);
    assert.equal(answer?.type, 'ack', 'Kea acknowledges the VM');
    assert.equal(answer.yiaddr, first);
    assert.deepEqual(
      [answer.routers, answer.dnsServers, answer.domainName],
      [['10.77.0.1'], ['10.77.0.2'], 'cloud.example.com'],
    );
    assert.equal(await stranger, undefined, "the DROP class: no OFFER to a MAC that is not OpenNebula's");
  } finally {
    await client.close();
  }

  // Adopting the older tool's name: the README's nsupdate block, as the README says to run it.
  assert.equal(lan.attrs.NEBULA_IPAM_RANGE, 'r1', "the README's adopt block names range r1");
  const keyFile = path.join(path.dirname(sandbox.configPath!), 'bind.key');
  await shell(
    'adopt',
    substitute('adopt', blocks.adopt, [
      ['/etc/one/nebula-ipam/bind.key', keyFile],
      ['server 192.0.2.53 53', `server ${HOST} ${bindPort}`],
    ]),
  );
  const adoptedPass = sync();
  assert.equal(
    adoptedPass.code,
    0,
    `every target in step after the adoption: ${adoptedPass.stdout}${adoptedPass.stderr}`,
  );
  assert.deepEqual(await bindTools.lookup('vm-10-77-0-5.cloud.example.com', 'A'), ['10.77.0.5']);
  assert.deepEqual(await bindTools.lookup('5.0.77.10.in-addr.arpa', 'PTR'), ['vm-10-77-0-5.cloud.example.com']);
  assert.equal((await kea!.command('lease4-get', { 'ip-address': '10.77.0.5' })).result, 0, 'its Kea lease');
});

test('with PowerDNS stopped, leases go on, its records wait (exit 8, one line), BIND and Kea go on, status says so', async () => {
  await pdns!.process.stop();
  lease(dmz);
  const next = lease(lan);
  const pass = sync();
  assert.equal(pass.code, 8, `${pass.stdout}${pass.stderr}`);
  assert.match(pass.stderr, /^Cannot sync target pdns: [^\n]+ is the server up on that port\?/, pass.stderr);
  const name = `vm-${next.replaceAll('.', '-')}.cloud.example.com`;
  assert.deepEqual(await bindTools.lookup(name, 'A'), [next], 'BIND goes on');
  assert.equal((await kea!.command('lease4-get', { 'ip-address': next })).result, 0, 'Kea goes on');
  const status = sandbox.cli(['status']);
  const shown = blocks.status.split('\n').slice(1);
  const real = status.stdout.split('\n');
  for (const line of shown) {
    const target = /^ {2}([\w.-]+) \(/.exec(line)?.[1];
    assert.ok(target, `README.md's status block shows a target line: ${line}`);
    assert.equal(
      maskedStatus(real.find((l) => l.startsWith(`  ${target} (`)) ?? '(no line)'),
      maskedStatus(line),
      `README.md's status line of ${target} is what status prints`,
    );
  }
  assert.match(
    status.stdout,
    /^ {2}pdns \(dns\): [^\n]* 0 pending[^\n]* [1-9]\d* unverified; [^\n]*; down since [^\n]*: /m,
    status.stdout,
  );
  assert.match(status.stdout, /^ {2}bind \(dns\): [^\n]* 0 pending[^\n]*; answering$/m, status.stdout);
  assert.equal(dmz.leased.size, 2, 'the dmz lease was made while PowerDNS was down');
});

test('the systemd unit the README shows is the one `install --system-files` installs', () => {
  const shipped = fs.readFileSync(path.join(REPO_ROOT, 'packaging', 'nebula-ipam-sync@.service'), 'utf8');
  const withoutComments = shipped
    .split('\n')
    .filter((line) => !line.startsWith('#'))
    .join('\n')
    .trim();
  assert.equal(blocks['sync-unit'].trim(), withoutComments);
});

test("the README's DROP class is the guard Kea 2.2 honours, for oned's MAC prefix", () => {
  const classes = JSON.parse(blocks['kea-dhcp4']).Dhcp4['client-classes'];
  assert.deepEqual(classes, [{ name: 'DROP', test: dropTest({ macPrefix: '02:00' }) }]);
});
