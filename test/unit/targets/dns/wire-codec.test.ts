/**
 * The wire codec: names (escapes, case, compression pointers followed and loops refused), the
 * four record types we write plus SOA, other types kept as bytes, and whole messages read back as
 * written. Messages BIND's own nsupdate wrote (compressed) read as they should.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MalformedMessage } from '../../../../src/targets/dns/malformed.ts';
import { decodeHeader, encodeHeader } from '../../../../src/targets/dns/wire-header.ts';
import { type DnsMessage, decodeMessage, encodeMessage } from '../../../../src/targets/dns/wire-message.ts';
import { decodeName, encodeName } from '../../../../src/targets/dns/wire-name.ts';
import { CLASS, TYPE } from '../../../../src/targets/dns/wire-rdata.ts';
import { NSUPDATE_SHA256 } from './bind-vectors.ts';

test('a name goes to the wire label by label and comes back lower-case without the final dot', () => {
  assert.deepEqual(
    encodeName('Vm-1.Cloud.example.com.'),
    Buffer.from('\x04Vm-1\x05Cloud\x07example\x03com\x00', 'latin1'),
  );
  assert.deepEqual(decodeName(encodeName('Vm-1.Cloud.example.com.'), 0), { name: 'vm-1.cloud.example.com', end: 24 });
  assert.deepEqual(encodeName(''), Buffer.from([0]));
  assert.equal(decodeName(Buffer.from([0]), 0).name, '');
});

test('a classless reverse zone name (RFC 2317) and escaped bytes survive the round trip', () => {
  for (const name of [
    '5.0/26.2.0.192.in-addr.arpa',
    'a\\.b.example.com',
    'x\\032y\\\\z.example.com',
    '\\000\\255.example',
  ])
    assert.equal(decodeName(encodeName(name), 0).name, name);
  assert.deepEqual(encodeName('a\\.b.c'), Buffer.from('\x03a.b\x01c\x00', 'latin1'));
});

test('names DNS cannot carry are refused before anything is sent', () => {
  assert.throws(() => encodeName('a..b'), RangeError);
  assert.throws(() => encodeName(`${'x'.repeat(64)}.example`), /longer than 63/);
  assert.throws(() => encodeName(Array.from({ length: 5 }, () => 'y'.repeat(60)).join('.')), /longer than 255/);
  assert.throws(() => encodeName('a\\'), /lone backslash/);
  assert.throws(() => encodeName('a\\300'), /not a byte/);
});

test('compression pointers are followed backward, and a forward or looping one is refused', () => {
  // "example.com" at 0, then "www" + pointer to 0.
  const message = Buffer.concat([encodeName('example.com'), Buffer.from([3, 0x77, 0x77, 0x77, 0xc0, 0x00])]);
  assert.deepEqual(decodeName(message, 13), { name: 'www.example.com', end: 19 });
  assert.throws(() => decodeName(Buffer.from([0xc0, 0x00]), 0), MalformedMessage);
  assert.throws(() => decodeName(Buffer.from([0xc0, 0x05, 0, 0, 0, 0]), 0), /points forward/);
  assert.throws(() => decodeName(Buffer.from([5, 0x61]), 0), /runs past the end/);
  assert.throws(() => decodeName(Buffer.from([0x80]), 0), /reserved type/);
});

test('the header keeps every flag and count', () => {
  const header = {
    id: 0xbeef,
    qr: true,
    opcode: 5,
    aa: true,
    tc: true,
    rd: false,
    ra: true,
    rcode: 8,
    qdcount: 1,
    ancount: 2,
    nscount: 3,
    arcount: 4,
  };
  assert.deepEqual(decodeHeader(encodeHeader(header)), header);
  assert.equal(decodeHeader(Buffer.alloc(11)), undefined);
});

const sample: DnsMessage = {
  header: { id: 7, qr: true, opcode: 0, aa: true, tc: false, rd: false, ra: false, rcode: 0 },
  questions: [{ name: 'cloud.example.com', type: TYPE.AXFR, class: CLASS.IN }],
  answers: [
    {
      name: 'cloud.example.com',
      type: TYPE.SOA,
      class: CLASS.IN,
      ttl: 3600,
      data: {
        kind: 'soa',
        mname: 'ns1.cloud.example.com',
        rname: 'hostmaster.cloud.example.com',
        serial: 2026120701,
        refresh: 3600,
        retry: 600,
        expire: 86400,
        minimum: 300,
      },
    },
    {
      name: 'vm-10-0-0-5.cloud.example.com',
      type: TYPE.A,
      class: CLASS.IN,
      ttl: 300,
      data: { kind: 'text', text: '10.0.0.5' },
    },
    {
      name: 'vm-6.cloud.example.com',
      type: TYPE.AAAA,
      class: CLASS.IN,
      ttl: 300,
      data: { kind: 'text', text: '2001:db8::5' },
    },
    {
      name: '5.0.0.10.in-addr.arpa',
      type: TYPE.PTR,
      class: CLASS.IN,
      ttl: 300,
      data: { kind: 'text', text: 'vm-10-0-0-5.cloud.example.com' },
    },
    {
      name: 'owner.cloud.example.com',
      type: TYPE.TXT,
      class: CLASS.IN,
      ttl: 300,
      data: { kind: 'text', text: 'heritage=nebula-ipam,owner=one' },
    },
    {
      name: 'cloud.example.com',
      type: TYPE.NS,
      class: CLASS.IN,
      ttl: 300,
      data: { kind: 'raw', bytes: Uint8Array.from(encodeName('ns1.cloud.example.com')) },
    },
  ],
  authority: [],
  additional: [],
};

test('a message is read back as it was written, every record type with its data', () => {
  const decoded = decodeMessage(encodeMessage(sample));
  assert.deepEqual(
    decoded.answers.map(({ offset: _offset, ...record }) => record),
    sample.answers,
  );
  assert.deepEqual(decoded.questions, sample.questions);
  assert.equal(decoded.header.ancount, 6);
});

test('AAAA data reads as RFC 5952 text, and TXT longer than 255 bytes is split and joined', () => {
  const text = 'x'.repeat(600);
  const message: DnsMessage = {
    ...sample,
    answers: [
      {
        name: 'a.example',
        type: TYPE.AAAA,
        class: CLASS.IN,
        ttl: 1,
        data: { kind: 'text', text: '2001:0DB8:0:0:0:0:0:0001' },
      },
      { name: 'a.example', type: TYPE.TXT, class: CLASS.IN, ttl: 1, data: { kind: 'text', text } },
      { name: 'a.example', type: TYPE.TXT, class: CLASS.IN, ttl: 1, data: { kind: 'text', text: '' } },
    ],
  };
  const bytes = encodeMessage(message);
  assert.ok(
    bytes.includes(Buffer.from([255, 0x78])) && bytes.includes(Buffer.from([90, 0x78])),
    'strings of 255, 255 and 90 bytes',
  );
  assert.deepEqual(
    decodeMessage(bytes).answers.map((record) => record.data),
    [
      { kind: 'text', text: '2001:db8::1' },
      { kind: 'text', text },
      { kind: 'text', text: '' },
    ],
  );
});

test('a message cut short, with a lying count or trailing bytes, is malformed, never half read', () => {
  const bytes = encodeMessage(sample);
  for (const cut of [5, 20, bytes.length - 1])
    assert.throws(() => decodeMessage(bytes.subarray(0, cut)), MalformedMessage);
  assert.throws(() => decodeMessage(Buffer.concat([bytes, Buffer.from([0])])), /follow the last record/);
  const lying = Buffer.from(bytes);
  lying.writeUInt16BE(7, 6);
  assert.throws(() => decodeMessage(lying), MalformedMessage);
  const badA = encodeMessage({
    ...sample,
    answers: [{ name: 'a', type: TYPE.A, class: CLASS.IN, ttl: 1, data: { kind: 'raw', bytes: new Uint8Array(5) } }],
  });
  assert.throws(() => decodeMessage(badA), /5 bytes of data, not 4/);
});

test("nsupdate's compressed UPDATE reads as zone, prerequisites and updates with RFC 2136's classes", () => {
  const decoded = decodeMessage(Buffer.from(NSUPDATE_SHA256, 'hex'));
  assert.equal(decoded.header.opcode, 5);
  assert.deepEqual(decoded.questions, [{ name: 'cloud.example.com', type: TYPE.SOA, class: CLASS.IN }]);
  assert.deepEqual(
    decoded.answers.map((r) => [r.name, r.type, r.class, r.ttl]),
    [['vm-1.cloud.example.com', TYPE.ANY, CLASS.NONE, 0]],
  );
  assert.deepEqual(
    decoded.authority.map((r) => [r.name, r.type, r.class, r.ttl, r.data]),
    [
      ['vm-2.cloud.example.com', TYPE.A, CLASS.NONE, 0, { kind: 'text', text: '192.0.2.2' }],
      ['vm-1.cloud.example.com', TYPE.A, CLASS.IN, 300, { kind: 'text', text: '192.0.2.1' }],
      ['vm-1.cloud.example.com', TYPE.AAAA, CLASS.IN, 300, { kind: 'text', text: '2001:db8::1' }],
    ],
  );
  assert.equal(decoded.additional[0]?.type, TYPE.TSIG);
});

test('names are compressed: 1500 PTR records in a nibble zone take less than half the bytes, past 16 KiB too, and read back the same', () => {
  const zone = '0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa';
  const answers = Array.from({ length: 1500 }, (_, i) => ({
    name: `${i.toString(16).padStart(16, '0').split('').reverse().join('.')}.${zone}`,
    type: TYPE.PTR,
    class: CLASS.IN,
    ttl: 300,
    data: { kind: 'text' as const, text: `VM-${i}.Cloud.example.com` },
  }));
  const message: DnsMessage = { ...sample, questions: [{ name: zone, type: TYPE.SOA, class: CLASS.IN }], answers };
  const bytes = encodeMessage(message);
  const plain = answers.reduce((sum, r) => sum + encodeName(r.name).length + 10 + encodeName(r.data.text).length, 0);
  assert.ok(bytes.length < plain / 2, `${bytes.length} bytes compressed, ${plain} plain`);
  assert.ok(bytes.length > 0x4000, 'pointers stop at 16 KiB; names after are still read right');
  assert.deepEqual(
    decodeMessage(bytes).answers.map((r) => [r.name, r.data]),
    answers.map((r) => [r.name, { kind: 'text', text: r.data.text.toLowerCase() }]),
  );
});
