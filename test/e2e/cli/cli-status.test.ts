/** status / show / leases tell the truth about a book oned and operators both wrote; global options. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { expectReply } from '../../support/driver-assert.ts';
import { createCliSandbox, expectCliFailure, expectOk, type CliSandbox } from '../../support/cli-harness.ts';
import { SAMPLE_CONFIG } from '../../support/sample-config.ts';

interface StatusJson {
  generation: number;
  pools: {
    name: string;
    size: number | string;
    excluded: number | string;
    carved: number | string;
    free: number | string;
    ranges: number;
  }[];
  ranges: {
    id: string;
    managedBy: string;
    pool?: string;
    network?: string;
    type: string;
    first: string;
    size: number;
    used: number;
    free: number;
  }[];
  totals: { ranges: number; size: number; used: number; held: number; free: number };
}

describe('nebula-ipam status, show, leases', () => {
  let s: CliSandbox;
  before(() => {
    s = createCliSandbox({ config: SAMPLE_CONFIG });
    const ar = s.register({ SIZE: '20' }, '1');
    // oned takes each answer: its count (USED_LEASES) grows by the block.
    ar.noteLeased(
      ar.indexOf(expectReply(s.run('get_address', ar.getXml(1), { requestId: '2' }), 'ADDRESS').get('IP')!),
    );
    ar.noteLeased(
      ar.indexOf(expectReply(s.run('get_address', ar.getXml(4), { requestId: '3' }), 'ADDRESS').get('IP')!),
      4,
    );
    expectOk(s.cli(['lease', '--pool', 'private', '--count', '2', '--owner', 'bm-01']));
  });
  after(() => s.cleanup());

  it('status counts pools and ranges as they are', () => {
    const status = s.json<StatusJson>(['status']);
    assert.equal(status.generation, 4);
    const [priv, six] = status.pools;
    assert.deepEqual(priv, {
      name: 'private',
      family: 'ipv4',
      network: '10.20.0.0/16',
      size: 65536,
      excluded: 256,
      carved: 512,
      free: 64768,
      ranges: 2,
      held: 0,
    } as unknown);
    assert.equal(six!.size, '1208925819614629174706176');
    assert.deepEqual(
      status.ranges.map((r) => [r.id, r.managedBy, r.pool, r.network, r.type, r.first, r.size, r.used, r.free]),
      [
        ['r1', 'opennebula', 'private', '10.20.0.0/24', 'IP4', '10.20.0.3', 20, 5, 15],
        ['r2', 'operator', 'private', '10.20.1.0/24', 'IP4', '10.20.1.2', 253, 2, 251],
      ],
    );
    assert.deepEqual(status.totals, { ranges: 2, size: 273, used: 7, held: 0, free: 266 });
  });

  it('status prints aligned tables with bars and no colour off a terminal', () => {
    const out = expectOk(s.cli(['status']));
    assert.ok(!out.includes('\u001b['), 'no colour codes in a pipe');
    assert.match(out, /^POOL +NETWORK +SIZE +EXCLUDED +CARVED +FREE +RANGES +UTILISATION$/m);
    // A little use is "<1%", not a rounded-up "1%".
    assert.match(out, /^private +10\.20\.0\.0\/16 +65536 +256 +512 +64768 +2 +\[#\.{19}\] +<1%$/m);
    // IPv4 and IPv6 apart, each column in one notation.
    assert.match(out, /^IPv4 pools\n/m);
    assert.match(out, /^public6 +2001:db8:100::\/48 +1\.21e24 +0 +0 +1\.21e24 +0 +\[\.{20}\] +0%$/m);
    assert.match(
      out,
      /^r1 +OpenNebula +private +10\.20\.0\.0\/24 +IP4 +10\.20\.0\.3 +20 +5 +15 +\[#####\.{15}\] +25%$/m,
    );
    const lines = out.split('\n').filter((l) => l.startsWith('r1 ') || l.startsWith('r2 ') || l.startsWith('RANGE'));
    assert.equal(
      new Set(lines.map((l) => (l.indexOf('IP4') === -1 ? l.indexOf('TYPE') : l.indexOf('IP4')))).size,
      1,
      'columns line up',
    );
  });

  it('show RANGE lists the range, its subnet and its leases', () => {
    const out = expectOk(s.cli(['show', 'r1']));
    assert.match(out, /^Range r1 \(OpenNebula's, registered by request 1/);
    assert.match(out, /gateway +10\.20\.0\.1\n/);
    assert.match(out, /used +5 \(OpenNebula 5, operators 0\)/);
    assert.match(out, /^r1 +10\.20\.0\.4-10\.20\.0\.7 +4 +OpenNebula \(req 3\)/m);
    expectCliFailure(s.cli(['show', 'r9']), 5, ['"r9"']);
  });

  it('show ADDRESS says who holds it, or what it is', () => {
    assert.match(
      expectOk(s.cli(['show', '10.20.0.5'])),
      /^10\.20\.0\.5 is leased to OpenNebula \(request 3\) as part of 10\.20\.0\.4-10\.20\.0\.7/,
    );
    assert.match(expectOk(s.cli(['show', '10.20.1.3'])), /^10\.20\.1\.3 is leased to "bm-01" \(operator lease\)/);
    assert.match(expectOk(s.cli(['show', '10.20.0.9'])), /^10\.20\.0\.9 is free \(range r1, pool private\)/);
    assert.match(expectOk(s.cli(['show', '10.20.0.1'])), /is the gateway of 10\.20\.0\.0\/24/);
    assert.match(expectOk(s.cli(['show', '10.20.77.7'])), /free space of pool private/);
    assert.equal(s.json<{ status: string }>(['show', '10.20.0.3']).status, 'leased');
    expectCliFailure(s.cli(['show', '192.0.2.1']), 5, ['192.0.2.1', 'no range and no pool']);
    expectCliFailure(s.cli(['show', 'nonsense']), 2, ['"nonsense"']);
  });

  it('leases filters by range, owner and holder', () => {
    assert.equal(s.json<{ leases: unknown[] }>(['leases']).leases.length, 3);
    assert.equal(s.json<{ leases: unknown[] }>(['leases', '--range', 'r1']).leases.length, 2);
    assert.deepEqual(
      s.json<{ leases: { addresses: string }[] }>(['leases', '--owner', 'bm-01']).leases.map((l) => l.addresses),
      ['10.20.1.2-10.20.1.3'],
    );
    assert.equal(s.json<{ leases: unknown[] }>(['leases', '--holder', 'opennebula']).leases.length, 2);
    expectCliFailure(s.cli(['leases', '--range', 'r7']), 5, ['"r7"']);
    expectCliFailure(s.cli(['leases', '--holder', 'vm']), 2, ['"vm"']);
  });

  // The CLI under Node 18, 22 and 24: test/runtimes/runtimes.test.ts (`npm run test:runtimes`).

  it('takes --config and --store over the environment, and --driver keys the default paths', () => {
    const other = path.join(s.dir, 'other', 'leases.json');
    // A book that is not there is said so, naming the setting that chose the path.
    expectCliFailure(s.cli(['status', '--store', other]), 5, [
      `Cannot use the lease book ${other}: there is no lease book there (chosen by --store; config ${s.configPath}`,
    ]);
    fs.mkdirSync(path.dirname(other), { recursive: true });
    fs.copyFileSync(s.bookPath, other);
    const viaFlag = s.json<{ book: string; ranges: unknown[] }>(['status', '--store', other]);
    assert.equal(viaFlag.book, other);
    const configFile = path.join(s.dir, 'other.json');
    fs.writeFileSync(configFile, JSON.stringify({ pools: [{ name: 'lab', network: '192.168.0.0/24' }] }));
    assert.deepEqual(
      s.json<StatusJson>(['--config', configFile, 'status']).pools.map((p) => p.name),
      ['lab'],
    );
    // The defaults follow ONE_LOCATION (the sandbox's: never the host's /etc/one).
    const defaultConfig = path.join(s.oneLocation, 'etc', 'nebula-ipam', 'mydrv.json');
    fs.mkdirSync(path.dirname(defaultConfig), { recursive: true });
    fs.copyFileSync(s.configPath!, defaultConfig);
    const defaults = s.cli(['status', '--driver', 'mydrv'], {
      env: { NEBULA_IPAM_STORE: undefined, NEBULA_IPAM_CONFIG: undefined },
    });
    expectCliFailure(defaults, 5, [
      `Cannot use the lease book ${path.join(s.oneLocation, 'var', 'nebula-ipam', 'mydrv', 'leases.json')}`,
      'the default for driver "mydrv"',
      `config ${defaultConfig}`,
    ]);
    fs.rmSync(defaultConfig);
  });

  it('fails on a bad config with exit 4 naming the file and key (a missing one: 5, as every missing file), and a locked-out store never changes', () => {
    const broken = path.join(s.dir, 'broken.json');
    fs.writeFileSync(broken, JSON.stringify({ pools: [{ name: 'x', network: '10.0.0.1/8' }] }));
    const bytes = s.bookBytes();
    expectCliFailure(s.cli(['lease', '--pool', 'x', '--owner', 'y', '--config', broken]), 4, [
      broken,
      'pools[0].network',
    ]);
    expectCliFailure(s.cli(['status', '--config', path.join(s.dir, 'absent.json')]), 5, [
      'absent.json',
      'no such file',
    ]);
    assert.deepEqual(s.bookBytes(), bytes);
  });
});
