/**
 * TSIG (RFC 8945) against BIND's own signatures (dig and nsupdate, bind-vectors.ts) and against
 * answers signed the way a server signs them: a good answer passes; a changed byte, another key,
 * a MAC cut too short or a time past the fudge fail, each with its own reason; a zone transfer's
 * running MAC holds across unsigned messages, up to 99 of them in a row.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tsigFailure } from '../../../../src/targets/dns/dns-failure.ts';
import type { TsigAlgorithm, TsigKey } from '../../../../src/targets/dns/tsig-algorithm.ts';
import {
  decodeTsigFields,
  encodeTsigFields,
  FUDGE_SECONDS,
  signMessage,
  TsigVerifier,
  tsigRecordOf,
} from '../../../../src/targets/dns/tsig.ts';
import {
  type DnsMessage,
  decodeMessage,
  encodeMessage,
  encodeRecord,
} from '../../../../src/targets/dns/wire-message.ts';
import { CLASS, TYPE } from '../../../../src/targets/dns/wire-rdata.ts';
import { DIG_SHA1, DIG_SHA256, DIG_SHA512, NSUPDATE_SHA256, VECTOR_SECRET } from './bind-vectors.ts';

const key = (algorithm: TsigAlgorithm = 'hmac-sha256', secret = VECTOR_SECRET): TsigKey => ({
  name: 'nebula',
  algorithm,
  secret,
});
const NOW = 1_765_000_000;

/** A message without its TSIG record, as it was before signing. */
function unsigned(bytes: Buffer): { plain: Buffer; timeSigned: number; mac: Buffer } {
  const decoded = decodeMessage(bytes);
  const record = tsigRecordOf(decoded)!;
  assert.equal(record.data.kind, 'raw');
  const fields = decodeTsigFields(record.data.kind === 'raw' ? record.data.bytes : new Uint8Array());
  const plain = Buffer.from(bytes.subarray(0, record.offset));
  plain.writeUInt16BE(plain.readUInt16BE(10) - 1, 10);
  return { plain, timeSigned: fields.timeSigned, mac: fields.mac };
}

for (const [what, hex, algorithm] of [
  ['dig, hmac-sha256', DIG_SHA256, 'hmac-sha256'],
  ['dig, hmac-sha1', DIG_SHA1, 'hmac-sha1'],
  ['dig, hmac-sha512', DIG_SHA512, 'hmac-sha512'],
  ['nsupdate, hmac-sha256', NSUPDATE_SHA256, 'hmac-sha256'],
] as const) {
  test(`a request signed here is byte for byte what BIND signs (${what})`, () => {
    const bytes = Buffer.from(hex, 'hex');
    const { plain, timeSigned, mac } = unsigned(bytes);
    const ours = signMessage(plain, key(algorithm), timeSigned);
    assert.deepEqual(ours.mac, mac);
    assert.deepEqual(ours.bytes, bytes);
  });
}

const answer = (id: number, rcode = 0): Buffer =>
  encodeMessage({
    header: { id, qr: true, opcode: 5, aa: false, tc: false, rd: false, ra: false, rcode },
    questions: [{ name: 'cloud.example.com', type: TYPE.SOA, class: CLASS.IN }],
    answers: [],
    authority: [],
    additional: [],
  });

/** A request signed now and a verifier for its answers. */
function exchange(k = key()) {
  const request = signMessage(answer(0x1234).fill(0, 2, 4), k, NOW);
  return { request, verifier: new TsigVerifier(k, request.mac) };
}

const check = (verifier: TsigVerifier, bytes: Buffer, now = NOW) => verifier.check(bytes, decodeMessage(bytes), now);

test("a server's answer signed over the request's MAC passes; a changed byte or another secret does not", () => {
  const { request } = exchange();
  const signed = signMessage(answer(0x1234), key(), NOW + 1, { mac: request.mac, timersOnly: false }).bytes;
  const another = signMessage(answer(0x1234).fill(0, 2, 4), key(), NOW + 5).mac;
  assert.deepEqual(
    check(new TsigVerifier(key(), another), signed),
    { ok: false, problem: { kind: 'bad-mac' } },
    'another request',
  );
  assert.deepEqual(check(new TsigVerifier(key(), request.mac), signed), { ok: true, signed: true });
  const changed = Buffer.from(signed);
  changed.writeUInt8(changed.readUInt8(3) ^ 0x08, 3); // rcode NOERROR -> NXRRSET
  assert.deepEqual(check(new TsigVerifier(key(), request.mac), changed), { ok: false, problem: { kind: 'bad-mac' } });
  const otherSecret = key('hmac-sha256', Buffer.alloc(32, 7));
  assert.deepEqual(check(new TsigVerifier(otherSecret, request.mac), signed), {
    ok: false,
    problem: { kind: 'bad-mac' },
  });
});

test('an unsigned answer to a signed request, or one signed with another key, is refused', () => {
  const { request, verifier } = exchange();
  assert.deepEqual(check(verifier, answer(0x1234)), { ok: false, problem: { kind: 'unsigned' } });
  const other = signMessage(answer(0x1234), { ...key(), name: 'other' }, NOW, {
    mac: request.mac,
    timersOnly: false,
  }).bytes;
  assert.deepEqual(check(new TsigVerifier(key(), request.mac), other), {
    ok: false,
    problem: { kind: 'other-key', name: 'other', algorithm: 'hmac-sha256' },
  });
});

test('the time signed must lie within the fudge (300 s) of our clock', () => {
  const { request } = exchange();
  const signed = signMessage(answer(0x1234), key(), NOW, { mac: request.mac, timersOnly: false }).bytes;
  assert.deepEqual(check(new TsigVerifier(key(), request.mac), signed, NOW + FUDGE_SECONDS), {
    ok: true,
    signed: true,
  });
  assert.deepEqual(check(new TsigVerifier(key(), request.mac), signed, NOW - FUDGE_SECONDS - 1), {
    ok: false,
    problem: { kind: 'time', signed: NOW, now: NOW - 301, fudge: 300 },
  });
});

/** `bytes` with its TSIG record's fields changed by `edit`. */
function retsig(
  bytes: Buffer,
  edit: (fields: ReturnType<typeof decodeTsigFields>) => ReturnType<typeof decodeTsigFields>,
): Buffer {
  const decoded = decodeMessage(bytes);
  const record = tsigRecordOf(decoded)!;
  const fields = decodeTsigFields(record.data.kind === 'raw' ? record.data.bytes : new Uint8Array());
  const replaced = encodeRecord({
    name: record.name,
    type: TYPE.TSIG,
    class: CLASS.ANY,
    ttl: 0,
    data: { kind: 'raw', bytes: encodeTsigFields(edit(fields)) },
  });
  return Buffer.concat([bytes.subarray(0, record.offset), replaced]);
}

test('a truncated MAC passes down to half the hash (and 10 bytes), shorter or longer ones are refused', () => {
  const { request } = exchange();
  const signed = signMessage(answer(0x1234), key(), NOW, { mac: request.mac, timersOnly: false }).bytes;
  const cut = (size: number) =>
    check(
      new TsigVerifier(key(), request.mac),
      retsig(signed, (f) => ({ ...f, mac: f.mac.subarray(0, size) })),
    );
  assert.deepEqual(cut(16), { ok: true, signed: true });
  assert.deepEqual(cut(15), { ok: false, problem: { kind: 'mac-size', size: 15, shortest: 16, longest: 32 } });
  assert.deepEqual(cut(0), { ok: false, problem: { kind: 'mac-size', size: 0, shortest: 16, longest: 32 } });
  const long = check(
    new TsigVerifier(key(), request.mac),
    retsig(signed, (f) => ({ ...f, mac: Buffer.concat([f.mac, Buffer.from([0])]) })),
  );
  assert.deepEqual(long, { ok: false, problem: { kind: 'mac-size', size: 33, shortest: 16, longest: 32 } });
  const sha1 = exchange(key('hmac-sha1'));
  const sha1Signed = signMessage(answer(0x1234), key('hmac-sha1'), NOW, {
    mac: sha1.request.mac,
    timersOnly: false,
  }).bytes;
  const sha1Cut = (size: number) =>
    check(
      new TsigVerifier(key('hmac-sha1'), sha1.request.mac),
      retsig(sha1Signed, (f) => ({ ...f, mac: f.mac.subarray(0, size) })),
    );
  assert.deepEqual(sha1Cut(10), { ok: true, signed: true });
  assert.equal(sha1Cut(9).ok, false);
});

test('BADSIG, BADKEY and BADTIME from the server become one config error naming the server and the key', () => {
  const { request } = exchange();
  const refused = (error: number, other = Buffer.alloc(0)) =>
    check(
      new TsigVerifier(key(), request.mac),
      retsig(signMessage(answer(0x1234, 9), key(), NOW).bytes, (f) => ({ ...f, mac: Buffer.alloc(0), error, other })),
    );
  assert.deepEqual(refused(16), { ok: false, problem: { kind: 'refused', error: 'BADSIG' } });
  assert.deepEqual(refused(17), { ok: false, problem: { kind: 'refused', error: 'BADKEY' } });
  assert.deepEqual(refused(18, Buffer.from([0, 0, 0x69, 0x35, 0x7e, 0x00])), {
    ok: false,
    problem: { kind: 'refused', error: 'BADTIME', serverTime: 0x69357e00 },
  });
  const server = { host: '127.0.0.1', port: 15353, timeoutMs: 2000, tsig: key() };
  const error = tsigFailure('update zone cloud.example.com', server, { kind: 'refused', error: 'BADSIG' });
  assert.equal(error.kind, 'config');
  assert.equal(
    error.message,
    'Cannot update zone cloud.example.com on 127.0.0.1:15353: the server refused TSIG key "nebula" (BADSIG); check the key\'s secret',
  );
});

/** A zone transfer's messages, signed as RFC 8945 5.3.1 says, every `every`th one signed. */
function transfer(count: number, every: number, request: Buffer, k = key()): Buffer[] {
  const messages: Buffer[] = [];
  let mac = request;
  let pending: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const plain = encodeMessage({
      header: { id: 0x1234, qr: true, opcode: 0, aa: true, tc: false, rd: false, ra: false, rcode: 0 },
      questions: i === 0 ? [{ name: 'cloud.example.com', type: TYPE.AXFR, class: CLASS.IN }] : [],
      answers: [
        {
          name: `vm-${i}.cloud.example.com`,
          type: TYPE.A,
          class: CLASS.IN,
          ttl: 300,
          data: { kind: 'text', text: `10.0.${i >> 8}.${i & 255}` },
        },
      ],
      authority: [],
      additional: [],
    } satisfies DnsMessage);
    if (i === 0 || i === count - 1 || i % every === 0) {
      const signed = signMessage(plain, k, NOW, { mac, timersOnly: i > 0, unsigned: pending });
      messages.push(signed.bytes);
      mac = signed.mac;
      pending = [];
    } else {
      messages.push(plain);
      pending.push(plain);
    }
  }
  return messages;
}

test("a zone transfer's running MAC covers the unsigned messages between signed ones", () => {
  const { request } = exchange();
  const verifier = new TsigVerifier(key(), request.mac);
  const messages = transfer(250, 100, request.mac);
  const signed = messages.map((bytes) => check(verifier, bytes));
  assert.ok(signed.every((result) => result.ok));
  assert.deepEqual(
    signed.flatMap((result, i) => (result.ok && result.signed ? [i] : [])),
    [0, 100, 200, 249],
  );
  assert.deepEqual(verifier.finish(), { ok: true, signed: true });
});

test('a transfer with an unsigned message changed, 100 unsigned in a row, or an unsigned end is refused', () => {
  const { request } = exchange();
  const messages = transfer(120, 50, request.mac);
  const tampered = messages[20]!;
  tampered.writeUInt8(tampered.readUInt8(tampered.length - 1) ^ 1, tampered.length - 1);
  const changed = new TsigVerifier(key(), request.mac);
  const results = messages.map((bytes) => check(changed, bytes));
  assert.deepEqual(results[50], { ok: false, problem: { kind: 'bad-mac' } });

  const sparse = new TsigVerifier(key(), request.mac);
  const long = transfer(102, 101, request.mac).map((bytes) => check(sparse, bytes));
  assert.deepEqual(long[99], { ok: true, signed: false }, 'the 99th unsigned in a row is allowed');
  assert.deepEqual(long[100], { ok: false, problem: { kind: 'too-many-unsigned' } });

  const cut = new TsigVerifier(key(), request.mac);
  for (const bytes of transfer(10, 5, request.mac).slice(0, 8)) assert.ok(check(cut, bytes).ok);
  assert.deepEqual(cut.finish(), { ok: false, problem: { kind: 'unsigned' } });
});
