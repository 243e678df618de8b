/**
 * Prints the operator guide's examples (README.md, "Operator guide") as a transcript of real
 * runs of the built bundle: a scratch front-end in /tmp/guide with the driver installed as
 * "nebula", oned's requests sent as oned sends them, then the commands an operator types.
 * Regenerate the README's examples from its output after a change to what the CLI prints.
 *
 *   node build.mjs && node --import tsx scripts/guide-examples.ts
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expectReply } from '../test/support/driver-assert.ts';
import { BUNDLE, childEnv, encodeRequest, OnedAr, registerXml } from '../test/support/driver-harness.ts';

const ROOT = '/tmp/guide';
fs.rmSync(ROOT, { recursive: true, force: true });
fs.mkdirSync(path.join(ROOT, 'etc'), { recursive: true });
const config = path.join(ROOT, 'etc', 'nebula.json');
fs.writeFileSync(
  config,
  JSON.stringify(
    {
      // The guide's book is made minutes before its onevnet document: judge all of it (README: Reconcile and clocks).
      reconcileMarginSeconds: 0,
      pools: [
        {
          name: 'private',
          network: '10.20.0.0/16',
          subnetPrefix: 24,
          gateway: 'first',
          dns: ['10.20.0.2'],
          exclude: ['10.20.255.0/24'],
          default: true,
        },
        { name: 'public6', network: '2001:db8:100::/48', subnetPrefix: 64 },
      ],
    },
    null,
    2,
  ),
);
const bin = path.join(ROOT, 'bin');
fs.mkdirSync(bin);
fs.copyFileSync(BUNDLE, path.join(bin, 'nebula-ipam'));
fs.chmodSync(path.join(bin, 'nebula-ipam'), 0o755);
const env = childEnv('default', {
  NEBULA_IPAM_CONFIG: config,
  NEBULA_IPAM_STORE: path.join(ROOT, 'store', 'leases.json'),
  PATH: `${bin}:${process.env.PATH}`,
  COLUMNS: undefined,
});
const driverDir = path.join(ROOT, 'remotes', 'ipam', 'nebula');

/** Runs a command line as the operator types it and prints it with its output. */
function $(line: string, show = true): string {
  const child = spawnSync('sh', ['-c', line], { cwd: ROOT, env, encoding: 'utf8' });
  const out = `${child.stdout}${child.stderr}`;
  if (show) process.stdout.write(`$ ${line}\n${out}${child.status === 0 ? '' : `(exit ${child.status})\n`}\n`);
  return child.stdout;
}

function oned(action: string, xml: string, requestId: number) {
  const child = spawnSync(path.join(driverDir, action), [String(requestId)], {
    input: encodeRequest(xml),
    env,
    encoding: 'utf8',
  });
  return { code: child.status ?? 1, stdout: child.stdout, stderr: child.stderr };
}

$(`nebula-ipam install ${driverDir} --bin ${bin}-linked`);
// oned registers an AR and leases two addresses to VMs.
const ar = new OnedAr(
  expectReply(oned('register_address_range', registerXml({ IPAM_MAD: 'nebula', SIZE: '50' }), 12), 'AR'),
);
for (const request of [13, 14]) {
  const reply = expectReply(oned('get_address', ar.getXml(1), request), 'ADDRESS');
  ar.noteLeased(ar.indexOf(reply.get('IP')!));
}
oned(
  'register_address_range',
  registerXml({ IPAM_MAD: 'nebula', TYPE: 'IP4_6', IPAM_POOL: 'private', IPAM_POOL6: 'public6', SIZE: '8' }),
  15,
);
$('nebula-ipam lease --pool private --count 2 --owner bm-web-01 --note "rack 4, U12, the blue cable by the door"');
$('nebula-ipam lease --pool private --ip 10.20.0.40 --owner bm-db-01');
$('nebula-ipam lease --pool private --ip 10.20.0.3 --owner bm-db-02');
$('nebula-ipam lease --pool private --ip 10.20.0.1 --owner bm-db-02');
$('nebula-ipam lease --pool lab --owner x');
$('nebula-ipam lease --pool private --ip 10.99.0.1 --owner x');
$('nebula-ipam range add --pool private --size 16 --owner rack7');
$('nebula-ipam status');
$('nebula-ipam show r2');
$('nebula-ipam show 10.20.2.3');
$('nebula-ipam show 10.20.0.4');
$('nebula-ipam show 10.20.0.255');
$('nebula-ipam range list');
$('nebula-ipam leases --owner bm-web-01');
$('nebula-ipam lease --pool privte --owner x');
$('nebula-ipam stauts');
$('nebula-ipam leases --ownr bm-web-01');
$('nebula-ipam export --format csv');
$('nebula-ipam export > /tmp/guide/export.json', false);
$('nebula-ipam --store /tmp/guide/other.json import /tmp/guide/export.json --dry-run');
$('nebula-ipam --store /tmp/guide/other.json init');
$('nebula-ipam --store /tmp/guide/other.json import /tmp/guide/export.json --dry-run');
$(
  'nebula-ipam --driver nebula metrics | grep -E "^# (HELP|TYPE) nebula_ipam_pool_utilisation|^nebula_ipam_pool_utilisation|nebula_ipam_range_used_addresses.*range=\\"r1\\""',
);
$('nebula-ipam version --json');
$('nebula-ipam release --ip 10.20.0.4');
$('nebula-ipam release --owner bm-web-01');
$('nebula-ipam restore');
$('nebula-ipam restore --yes');
$('nebula-ipam log --limit 3');
$(`nebula-ipam uninstall ${driverDir}`);
$(`nebula-ipam uninstall ${driverDir}`);
