/**
 * The one resolver of config and book (issue 15 items 2 and 9), pure: the sources in their
 * order (command line, environment, ipamrc, config, default), the defaults following
 * ONE_LOCATION, and ipamrc read as the shell would assign its plain values.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../../src/config/parse-config.ts';
import { parseIpamrc, type Ipamrc } from '../../../src/config/ipamrc.ts';
import { defaultPaths } from '../../../src/config/paths.ts';
import { chooseBook, chooseConfig, type BookSources } from '../../../src/config/resolve-book.ts';
import { expectIpamError } from '../../support/expect-ipam-error.ts';

const RC = '/opt/one/etc/ipam/ipamrc';
const rc =
  (vars: Record<string, string> = {}): (() => Ipamrc) =>
  () => ({ file: RC, vars });
const sources = (over: Partial<BookSources> = {}): BookSources => ({
  driverName: 'nebula',
  env: { ONE_LOCATION: '/opt/one' },
  ipamrc: rc(),
  cwd: '/home/op',
  ...over,
});
const fileConfig = parseConfig(
  JSON.stringify({ store: '/srv/books/nebula.json', pools: [] }),
  '/opt/one/etc/nebula-ipam/nebula.json',
);
const bareConfig = parseConfig('{}', '/opt/one/etc/nebula-ipam/nebula.json');
const etcdConfig = parseConfig(
  JSON.stringify({ backend: { type: 'etcd', endpoints: ['http://127.0.0.1:24999'] } }),
  '/c.json',
);

test('the defaults follow ONE_LOCATION, every one of them; without it they are OpenNebula system paths', () => {
  assert.deepEqual(defaultPaths({ ONE_LOCATION: '/opt/one' }), {
    configDir: '/opt/one/etc/nebula-ipam',
    storeDir: '/opt/one/var/nebula-ipam',
    ipamrc: '/opt/one/etc/ipam/ipamrc',
    remotesIpam: '/opt/one/var/remotes/ipam',
    onedConf: '/opt/one/etc/oned.conf',
  });
  assert.deepEqual(defaultPaths({}), {
    configDir: '/etc/one/nebula-ipam',
    storeDir: '/var/lib/one/nebula-ipam',
    ipamrc: '/etc/one/ipam/ipamrc',
    remotesIpam: '/var/lib/one/remotes/ipam',
    onedConf: '/etc/one/oned.conf',
  });
  assert.deepEqual(defaultPaths({ ONE_LOCATION: '' }), defaultPaths({}), 'empty is unset');
  assert.equal(chooseConfig(sources()).file, '/opt/one/etc/nebula-ipam/nebula.json');
  assert.deepEqual(chooseBook(bareConfig, sources()), {
    backend: 'file',
    file: '/opt/one/var/nebula-ipam/nebula/leases.json',
    setting: 'the default for driver "nebula"',
  });
});

test('config: command line, then environment, then ipamrc, then the default; only the default may be the first run', () => {
  const all = sources({
    flags: { config: 'site.json' },
    env: { ONE_LOCATION: '/opt/one', NEBULA_IPAM_CONFIG: '/env.json' },
    ipamrc: rc({ NEBULA_IPAM_CONFIG: '/rc.json' }),
  });
  assert.deepEqual(chooseConfig(all), { file: '/home/op/site.json', explicit: true, setting: '--config' });
  assert.deepEqual(chooseConfig({ ...all, flags: {} }), {
    file: '/env.json',
    explicit: true,
    setting: 'NEBULA_IPAM_CONFIG',
  });
  assert.deepEqual(chooseConfig({ ...all, flags: {}, env: { NEBULA_IPAM_CONFIG: '' } }), {
    file: '/rc.json',
    explicit: true,
    setting: `NEBULA_IPAM_CONFIG in ${RC}`,
  });
  assert.equal(chooseConfig(sources()).explicit, false);
});

test('book: command line, then environment, then ipamrc, then the config, then the default', () => {
  const rcStore = rc({ NEBULA_IPAM_STORE: '/rc/leases.json' });
  const env = { ONE_LOCATION: '/opt/one', NEBULA_IPAM_STORE: '/env/leases.json' };
  assert.deepEqual(chooseBook(fileConfig, sources({ flags: { store: 'b.json' }, env, ipamrc: rcStore })), {
    backend: 'file',
    file: '/home/op/b.json',
    setting: '--store',
  });
  assert.deepEqual(chooseBook(fileConfig, sources({ env, ipamrc: rcStore })), {
    backend: 'file',
    file: '/env/leases.json',
    setting: 'NEBULA_IPAM_STORE',
  });
  assert.deepEqual(chooseBook(fileConfig, sources({ ipamrc: rcStore })), {
    backend: 'file',
    file: '/rc/leases.json',
    setting: `NEBULA_IPAM_STORE in ${RC}`,
  });
  assert.deepEqual(chooseBook(fileConfig, sources()), {
    backend: 'file',
    file: '/srv/books/nebula.json',
    setting: '"store" in /opt/one/etc/nebula-ipam/nebula.json',
  });
  const etcd = chooseBook(etcdConfig, sources());
  assert.equal(etcd.backend, 'etcd');
  assert.equal(etcd.backend === 'etcd' && etcd.prefix, '/nebula-ipam/nebula');
  assert.equal(
    chooseBook(etcdConfig, sources({ flags: { store: '/f.json' } })).backend,
    'file',
    '--store names a file book over an etcd config',
  );
});

test('ipamrc is read only when the command line and the environment leave a question open', () => {
  let reads = 0;
  const counted = () => {
    reads++;
    return { file: RC, vars: {} };
  };
  const env = { NEBULA_IPAM_CONFIG: '/c.json', NEBULA_IPAM_STORE: '/b.json' };
  chooseConfig(sources({ env, ipamrc: counted }));
  chooseBook(bareConfig, sources({ env, ipamrc: counted }));
  assert.equal(reads, 0);
  chooseBook(bareConfig, sources({ ipamrc: counted }));
  assert.equal(reads, 1);
});

test('contradictions and relative variables are refused, naming the setting', () => {
  expectIpamError(() => chooseBook(bareConfig, sources({ env: { NEBULA_IPAM_STORE: 'leases.json' } })), 'config', [
    'NEBULA_IPAM_STORE',
    'absolute',
  ]);
  expectIpamError(() => chooseBook(bareConfig, sources({ ipamrc: rc({ NEBULA_IPAM_STORE: 'x.json' }) })), 'config', [
    `NEBULA_IPAM_STORE in ${RC}`,
    'absolute',
  ]);
  expectIpamError(() => chooseBook(etcdConfig, sources({ ipamrc: rc({ NEBULA_IPAM_STORE: '/b.json' }) })), 'config', [
    '/b.json',
    'etcd',
    '/c.json',
  ]);
});

test('ipamrc: the NEBULA_IPAM_* lines as the shell assigns plain values; the last one wins; expansions are refused', () => {
  const text = [
    '# comment',
    'ONE_MAD_DEBUG=1',
    'NEBULA_IPAM_STORE=/first.json',
    'NEBULA_IPAM_STORE="/var/lib/one/books/leases.json"   # the real one',
    "NEBULA_IPAM_CONFIG='/etc/one/nebula-ipam/site.json'",
    '  NEBULA_IPAM_IGNORED=/indented/is/not/exported',
    'NEBULA_IPAM_CODE_CACHE=\r',
  ].join('\n');
  assert.deepEqual(parseIpamrc(text, RC), {
    file: RC,
    vars: {
      NEBULA_IPAM_STORE: '/var/lib/one/books/leases.json',
      NEBULA_IPAM_CONFIG: '/etc/one/nebula-ipam/site.json',
      NEBULA_IPAM_CODE_CACHE: '',
    },
  });
  for (const bad of [
    'NEBULA_IPAM_STORE=$HOME/x.json',
    'NEBULA_IPAM_STORE="$' + '{ONE}/x"',
    'NEBULA_IPAM_STORE=/a b',
    'NEBULA_IPAM_STORE=`pwd`',
    'NEBULA_IPAM_STORE=/a\\ b',
  ]) {
    expectIpamError(() => parseIpamrc(`# x\n${bad}\n`, RC), 'config', [RC, 'line 2', 'NEBULA_IPAM_STORE']);
  }
});
