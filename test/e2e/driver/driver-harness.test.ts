/**
 * The harness itself: its builders must write what oned writes (the fixtures hold docs/oned-contract.md's
 * samples byte for byte), and its reply checker must refuse what oned refuses, or every other
 * driver test proves less than it claims.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { createCliSandbox } from '../../support/cli-harness.ts';
import {
  OnedAr,
  REPO_ROOT,
  childEnv,
  encodeRequest,
  formatIpv6,
  parseIpv6,
  parseTemplateReply,
  registerXml,
  slaacAddress,
} from '../../support/driver-harness.ts';

const fixture = (name: string) => fs.readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'oned', name), 'utf8');

const SAMPLE_AR = {
  GATEWAY: '10.0.0.1',
  IP: '10.0.0.10',
  IPAM_MAD: 'mydrv',
  NETWORK_MASK: '255.255.255.0',
  SIZE: '10',
  TYPE: 'IP4',
};
const SAMPLE_AR6 = { GLOBAL_PREFIX: '2001:db8::', IP: '10.0.0.10', IPAM_MAD: 'mydrv', SIZE: '10', TYPE: 'IP4_6' };

test('register requests are built exactly as the docs/oned-contract.md samples', () => {
  assert.equal(
    registerXml({ TYPE: 'IP4', IP: '10.0.0.10', SIZE: '10', IPAM_MAD: 'mydrv', GATEWAY: '10.0.0.1' }),
    fixture('register-ip4-gateway.xml'),
  );
  assert.equal(registerXml({ SIZE: '21', IPAM_MAD: 'mydrv' }), fixture('register-minimal.xml'));
  assert.equal(
    registerXml({ TYPE: 'IP4_6', IP: '10.0.0.10', SIZE: '10', IPAM_MAD: 'mydrv', GLOBAL_PREFIX: '2001:db8::' }),
    fixture('register-ip4_6-global.xml'),
  );
});

test('requests on a stored AR carry its attributes, computed elements and USED_LEASES as oned sends them', () => {
  const ar = new OnedAr(SAMPLE_AR);
  assert.equal(ar.getXml(1), fixture('get-address-ip4.xml'));
  ar.noteLeased(0n);
  assert.equal(ar.allocateXml(5n), fixture('allocate-ip4.xml'));
  ar.noteLeased(5n);
  ar.noteLeased(1n, 2);
  assert.equal(ar.freeXml(2n), fixture('free-ip4.xml'));
  ar.noteFreed(2n);
  assert.equal(ar.unregisterXml('rmar'), fixture('unregister-rmar-ip4.xml'));
  assert.equal(ar.unregisterXml('delete'), fixture('unregister-delete-ip4.xml'));

  const ar6 = new OnedAr(SAMPLE_AR6);
  assert.equal(ar6.getXml(1), fixture('get-address-ip4_6.xml'));
  ar6.noteLeased(0n, 3);
  assert.equal(ar6.freeXml(2n), fixture('free-ip4_6.xml'));

  const static6 = new OnedAr({
    IP6: '2001:db8:200::10',
    IPAM_MAD: 'mydrv',
    NEBULA_IPAM_RANGE: 'r1',
    PREFIX_LENGTH: '64',
    SIZE: '16',
    TYPE: 'IP6_STATIC',
    MAC: '02:00:0e:50:4c:f0',
  });
  assert.equal(static6.allocateXml(11n), fixture('allocate-ip6_static.xml'));
  static6.noteLeased(11n);
  assert.equal(static6.freeXml(11n), fixture('free-ip6_static.xml'));
  assert.ok(
    fixture('free-ip6_static.xml').endsWith(
      '<ADDRESS><MAC>02:00:0e:50:4c:fb</MAC><IP6>0</IP6><SIZE>1</SIZE></ADDRESS></IPAM_DRIVER_ACTION_DATA>',
    ),
    'the docs/oned-contract.md 2.3 sample',
  );
});

test('stdin is plain base64 with padding and no newline', () => {
  const encoded = encodeRequest(fixture('register-minimal.xml'));
  assert.match(encoded, /^[A-Za-z0-9+/]+={0,2}$/);
  assert.equal(Buffer.from(encoded, 'base64').toString('utf8'), fixture('register-minimal.xml'));
});

test('IPv6 helpers agree with the docs/oned-contract.md SLAAC sample', () => {
  assert.equal(slaacAddress('2001:db8::', 0x02000a00000cn), '2001:db8::aff:fe00:c');
  assert.equal(formatIpv6(parseIpv6('2001:0db8:0000:0000:0001:0000:0000:0001')), '2001:db8::1:0:0:1');
  assert.equal(formatIpv6(parseIpv6('::')), '::');
  assert.equal(formatIpv6(parseIpv6('fe80::1:2:3:4:5:6')), 'fe80:0:1:2:3:4:5:6');
});

test("the reply checker accepts oned's grammar and returns the values unescaped", () => {
  const reply = parseTemplateReply(
    'AR = [\n  IP = "10.0.0.10",\n  X_NOTE = "say \\"hi\\" & <b>",\n  size = "10"\n]\n',
    'AR',
  );
  assert.equal(reply.attrs.get('X_NOTE'), 'say "hi" & <b>');
  assert.equal(reply.attrs.get('SIZE'), '10');
  assert.deepEqual(parseTemplateReply('ADDRESS=[IP="10.0.0.1",SIZE="1"]').pairs, [
    ['IP', '10.0.0.1'],
    ['SIZE', '1'],
  ]);
});

test('the reply checker refuses everything oned would reject or misread', () => {
  const refused: Record<string, string> = {
    'trailing comma': 'AR = [ IP = "1.2.3.4", ]',
    'duplicate key': 'AR = [ IP = "1.2.3.4", ip = "1.2.3.5" ]',
    'NAME = [ split': 'AR =\n[ IP = "1.2.3.4" ]',
    'unquoted value': 'AR = [ IP = 1.2.3.4 ]',
    'stray text before': 'debug\nAR = [ IP = "1.2.3.4" ]',
    'stray text after': 'AR = [ IP = "1.2.3.4" ]\nok',
    xml: '<AR><IP>1.2.3.4</IP></AR>',
    'empty vector': 'AR = [ ]',
    'newline in a value': 'AR = [ X = "a\nb" ]',
    ']]> in a value': 'AR = [ X = "a]]>b" ]',
    'unclosed value': 'AR = [ X = "a\\" ]',
    'empty output': '',
  };
  for (const [why, text] of Object.entries(refused)) {
    assert.throws(() => parseTemplateReply(text), /violates oned's template grammar/, why);
  }
  assert.throws(() => parseTemplateReply('ADDRESS = [ IP = "1.2.3.4" ]', 'AR'), /not AR/);
});

test("no child the harness starts reaches the host's /etc/one, /var/lib/one or ONE_LOCATION (issue 15 item 9)", () => {
  const saved = process.env.ONE_LOCATION;
  process.env.ONE_LOCATION = '/var/lib/one-of-the-host';
  try {
    const env = childEnv('default');
    const location = env.ONE_LOCATION ?? '';
    assert.ok(location.startsWith(os.tmpdir()), `ONE_LOCATION ${location}`);
    assert.deepEqual(fs.readdirSync(location), [], 'an empty OpenNebula: no config, book, ipamrc or driver');
  } finally {
    if (saved === undefined) delete process.env.ONE_LOCATION;
    else process.env.ONE_LOCATION = saved;
  }
  const s = createCliSandbox({ config: 'none' });
  try {
    assert.equal(s.env().ONE_LOCATION, s.oneLocation);
    // With every NEBULA_IPAM_* setting gone, the action and the CLI fall back to the defaults:
    // they look under the sandbox's ONE_LOCATION, and say so.
    const bare = { NEBULA_IPAM_STORE: undefined, NEBULA_IPAM_CONFIG: undefined };
    const action = s.run('register_address_range', registerXml({ IPAM_MAD: 'mydrv', SIZE: '4' }), { env: bare });
    const cli = s.cli(['status'], { env: bare });
    for (const run of [action, cli]) {
      assert.equal(run.code, 5, run.stderr);
      assert.ok(run.stderr.includes(path.join(s.oneLocation, 'etc', 'nebula-ipam')), run.stderr);
      assert.doesNotMatch(run.stderr, /\/etc\/one|\/var\/lib\/one/);
    }
  } finally {
    s.cleanup();
  }
});
