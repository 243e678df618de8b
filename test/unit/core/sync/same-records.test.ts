/**
 * sameRecords, which tells a name in step on the no-change pass, compares field by field: it must
 * agree with the key-string comparison it replaced (issue 18), on equal lists, reordered lists,
 * and lists that differ in one field.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { sameRecords } from '../../../../src/core/sync/plan-dns.ts';
import type { DnsRecord } from '../../../../src/core/sync/target-records.ts';

/** The comparison sameRecords had before: each record's fields joined into one key string. */
function byKeys(have: readonly DnsRecord[], want: readonly DnsRecord[]): boolean {
  const keyOf = (r: DnsRecord) => `${r.name}\u0000${r.type}\u0000${r.data}\u0000${r.ttl}`;
  if (have.length !== want.length) return false;
  const wanted = want.map(keyOf).sort();
  return have
    .map(keyOf)
    .sort()
    .every((key, i) => key === wanted[i]);
}

const record: fc.Arbitrary<DnsRecord> = fc.record({
  name: fc.constantFrom('a.example', 'b.example', '_nebula-ipam.a.example'),
  type: fc.constantFrom('A', 'AAAA', 'PTR', 'TXT'),
  ttl: fc.constantFrom(60, 300),
  data: fc.constantFrom('10.0.0.1', '10.0.0.2', 'heritage=nebula-ipam,owner=a,lease=r1/10.0.0.1'),
});

test('field by field agrees with the key strings: any two lists, and a list against its own reordering', () => {
  fc.assert(
    fc.property(fc.array(record, { maxLength: 4 }), fc.array(record, { maxLength: 4 }), (have, want) => {
      assert.equal(sameRecords(have, want), byKeys(have, want));
      const reordered = [...have].reverse();
      assert.equal(sameRecords(have, reordered), true);
      assert.equal(byKeys(have, reordered), true);
    }),
    { numRuns: 2000 },
  );
});

test('one field apart is not the same; the same multiset in another order is', () => {
  const a: DnsRecord = { name: 'a.example', type: 'A', ttl: 300, data: '10.0.0.1' };
  const b: DnsRecord = { name: 'a.example', type: 'A', ttl: 300, data: '10.0.0.2' };
  assert.equal(sameRecords([a], [{ ...a, ttl: 60 }]), false);
  assert.equal(sameRecords([a], [{ ...a }]), true);
  assert.equal(sameRecords([a, b], [b, a]), true);
  assert.equal(sameRecords([a, a], [a, b]), false);
  assert.equal(sameRecords([a], [a, a]), false);
});
