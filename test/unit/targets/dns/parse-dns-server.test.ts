/** A DNS server in the config, and its TSIG key file (tsig-keygen's output or the bare secret), checked purely. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IpamError } from '../../../../src/core/errors.ts';
import { dnsServer, parseDnsServer } from '../../../../src/targets/dns/parse-dns-server.ts';
import { tsigSecret } from '../../../../src/targets/dns/tsig-key-file.ts';
import { expectIpamError } from '../../../support/expect-ipam-error.ts';

const fail = (key: string, why: string): never => {
  throw new IpamError('config', `Cannot load config /etc/one/ipam.json: ${key} ${why}`);
};
const parse = (raw: unknown) => parseDnsServer(raw, 'dns.servers[0]', fail);

test('a server is read with its defaults, and with a TSIG key', () => {
  assert.deepEqual(parse({ host: '192.0.2.53' }), { host: '192.0.2.53', port: 53, timeoutMs: 2000 });
  assert.deepEqual(
    parse({
      host: '::1',
      port: 5353,
      timeoutMs: 500,
      tsig: { name: 'Nebula.', secretFile: '/etc/nebula-ipam/nebula.key' },
    }),
    {
      host: '::1',
      port: 5353,
      timeoutMs: 500,
      tsig: { name: 'nebula', algorithm: 'hmac-sha256', secretFile: '/etc/nebula-ipam/nebula.key' },
    },
  );
});

test('every bad value is named with its key', () => {
  const cases: [unknown, string][] = [
    [[], 'dns.servers[0] must be an object'],
    [{ host: 'ns1.example.com' }, 'dns.servers[0].host must be'],
    [{ host: '10.0.0.1', port: 0 }, 'dns.servers[0].port must be'],
    [{ host: '10.0.0.1', timeoutMs: 60_000 }, 'dns.servers[0].timeoutMs must be'],
    [{ host: '10.0.0.1', prot: 53 }, 'dns.servers[0].prot'],
    [
      { host: '10.0.0.1', tsig: { name: 'k', algorithm: 'hmac-md5', secretFile: '/k' } },
      'dns.servers[0].tsig.algorithm must be one of hmac-sha256',
    ],
    [
      { host: '10.0.0.1', tsig: { name: 'k', secretFile: 'k.key' } },
      'dns.servers[0].tsig.secretFile must be the absolute path',
    ],
    [{ host: '10.0.0.1', tsig: { name: 'a b', secretFile: '/k' } }, 'dns.servers[0].tsig.name must be'],
  ];
  for (const [raw, mention] of cases) expectIpamError(() => parse(raw), 'config', [mention]);
});

const SECRET = 'bmVidWxhLWlwYW0gdGVzdCB2ZWN0b3Iga2V5IDMyYiE=';
const KEYGEN = `key "nebula" {\n\talgorithm hmac-sha256;\n\tsecret "${SECRET}";\n};\n`;

test("tsig-keygen's file and a bare secret give the same key; a disagreeing file is refused", () => {
  const bytes = Buffer.from(SECRET, 'base64');
  assert.deepEqual(tsigSecret(KEYGEN, '/k', 'nebula', 'hmac-sha256'), bytes);
  assert.deepEqual(tsigSecret(`${SECRET}\n`, '/k', 'nebula', 'hmac-sha256'), bytes);
  expectIpamError(() => tsigSecret(KEYGEN, '/k', 'other', 'hmac-sha256'), 'config', [
    '/k',
    'holds key "nebula"',
    '"other"',
  ]);
  expectIpamError(() => tsigSecret(KEYGEN, '/k', 'nebula', 'hmac-sha512'), 'config', ['hmac-sha256', 'hmac-sha512']);
  expectIpamError(() => tsigSecret('not base64!', '/k', 'nebula', 'hmac-sha256'), 'config', ['/k', 'neither']);
  expectIpamError(() => tsigSecret('c2hvcnQ=', '/k', 'nebula', 'hmac-sha256'), 'config', ['5 bytes']);
  const config = parse({ host: '127.0.0.1', tsig: { name: 'nebula', secretFile: '/k' } });
  assert.deepEqual(dnsServer(config, bytes), {
    host: '127.0.0.1',
    port: 53,
    timeoutMs: 2000,
    tsig: { name: 'nebula', algorithm: 'hmac-sha256', secret: bytes },
  });
});
