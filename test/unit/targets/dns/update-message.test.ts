/**
 * A DnsUpdate becomes the UPDATE nsupdate would send for the same change (RFC 2136): each
 * prerequisite with its class and type, deletes of single records (class NONE) before adds.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IpamError } from '../../../../src/core/errors.ts';
import { applyUpdates } from '../../../../src/targets/dns/apply-updates.ts';
import { updateMessage } from '../../../../src/targets/dns/update-message.ts';
import { decodeMessage, encodeMessage } from '../../../../src/targets/dns/wire-message.ts';
import { CLASS, TYPE } from '../../../../src/targets/dns/wire-rdata.ts';
import { NSUPDATE_SHA256 } from './bind-vectors.ts';

const strip = (records: readonly { offset: number }[]) => records.map(({ offset: _offset, ...rest }) => rest);

test("an update reads back as nsupdate's message for the same change (zone, prerequisite, delete, adds)", () => {
  const ours = decodeMessage(
    encodeMessage(
      updateMessage(0xd142, {
        zone: 'cloud.example.com',
        prerequisites: [{ kind: 'name-not-in-use', name: 'vm-1.cloud.example.com' }],
        remove: [{ name: 'vm-2.cloud.example.com', type: 'A', ttl: 300, data: '192.0.2.2' }],
        add: [
          { name: 'vm-1.cloud.example.com', type: 'A', ttl: 300, data: '192.0.2.1' },
          { name: 'vm-1.cloud.example.com', type: 'AAAA', ttl: 300, data: '2001:db8::1' },
        ],
      }),
    ),
  );
  const bind = decodeMessage(Buffer.from(NSUPDATE_SHA256, 'hex'));
  assert.deepEqual({ ...ours.header, arcount: 1 }, bind.header);
  assert.deepEqual(ours.questions, bind.questions);
  assert.deepEqual(strip(ours.answers), strip(bind.answers));
  assert.deepEqual(strip(ours.authority), strip(bind.authority));
});

test('rrset-absent is the type with class NONE; rrset-equals is each record with class IN and TTL 0', () => {
  const message = updateMessage(1, {
    zone: '0/26.2.0.192.in-addr.arpa',
    prerequisites: [
      { kind: 'rrset-absent', name: '5.0/26.2.0.192.in-addr.arpa', type: 'PTR' },
      {
        kind: 'rrset-equals',
        records: [
          { name: '6.0/26.2.0.192.in-addr.arpa', type: 'PTR', ttl: 300, data: 'vm-6.cloud.example.com' },
          { name: '6.0/26.2.0.192.in-addr.arpa', type: 'PTR', ttl: 300, data: 'alias.cloud.example.com' },
        ],
      },
    ],
    remove: [],
    add: [],
  });
  assert.deepEqual(
    message.answers.map((r) => [r.name, r.type, r.class, r.ttl, r.data]),
    [
      ['5.0/26.2.0.192.in-addr.arpa', TYPE.PTR, CLASS.NONE, 0, { kind: 'raw', bytes: new Uint8Array(0) }],
      ['6.0/26.2.0.192.in-addr.arpa', TYPE.PTR, CLASS.IN, 0, { kind: 'text', text: 'vm-6.cloud.example.com' }],
      ['6.0/26.2.0.192.in-addr.arpa', TYPE.PTR, CLASS.IN, 0, { kind: 'text', text: 'alias.cloud.example.com' }],
    ],
  );
  assert.throws(
    () => updateMessage(1, { zone: 'z', prerequisites: [{ kind: 'rrset-equals', records: [] }], remove: [], add: [] }),
    RangeError,
  );
  assert.throws(
    () =>
      encodeMessage(
        updateMessage(1, {
          zone: 'z',
          prerequisites: [],
          remove: [],
          add: [{ name: 'a.z', type: 'A', ttl: 1, data: '10.0.0.256' }],
        }),
      ),
    /not an IPv4 address/,
  );
});

test('an update larger than one DNS message is refused before anything is sent', async () => {
  const add = Array.from({ length: 2000 }, (_, i) => ({
    name: `a-very-long-name-for-vm-${i}.cloud.example.com`,
    type: 'A' as const,
    ttl: 300,
    data: '192.0.2.1',
  }));
  // Port 9 on 127.0.0.1: nothing is sent, so nothing needs to listen.
  const server = { host: '127.0.0.1', port: 9, timeoutMs: 100 };
  await assert.rejects(
    applyUpdates(server, [{ zone: 'cloud.example.com', prerequisites: [], remove: [], add }]),
    (error: unknown) => {
      assert.ok(error instanceof IpamError && error.kind === 'internal', String(error));
      assert.match(
        error.message,
        /^Cannot update zone cloud\.example\.com on 127\.0\.0\.1:9: the update cannot be written as a DNS message: it takes \d+ bytes, more than one message holds/,
      );
      return true;
    },
  );
});
