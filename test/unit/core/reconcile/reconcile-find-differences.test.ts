import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { FAMILIES } from '../../../../src/core/address/family.ts';
import { findRange, type Book } from '../../../../src/core/book/book.ts';
import { decodeBook } from '../../../../src/store/encoding/codec.ts';
import { parseConfig } from '../../../../src/config/parse-config.ts';
import { spanText } from '../../../../src/core/book/range-text.ts';
import { findDifferences, type ReconcileOptions } from '../../../../src/core/reconcile/find-differences.ts';
import { readOnevnetXml } from '../../../../src/core/reconcile/read-onevnet.ts';
import { applyFixes } from '../../../../src/core/reconcile/reconcile-fix.ts';
import { reconcileExitCode, type ReconcileFinding } from '../../../../src/core/reconcile/reconcile-finding.ts';
import { verifyBook } from '../../../../src/core/verify/verify-book.ts';
import { OnedAr } from '../../../support/driver-harness.ts';
import { onevnetList } from '../../../support/onevnet-list.ts';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'fixtures', 'onevnet');
const fixture = (name: string) => readOnevnetXml(fs.readFileSync(path.join(FIXTURES, name), 'utf8'), name);

const config = parseConfig(
  JSON.stringify({
    pools: [
      {
        name: 'private',
        network: '10.20.0.0/16',
        subnetPrefix: 24,
        gateway: 'first',
        dns: ['10.20.0.2'],
        default: true,
      },
    ],
  }),
  'test.json',
);

const BEFORE = '2025-01-01T00:00:00.000Z';
const DOCUMENT = '2025-01-02T00:00:00.000Z';
const AFTER = '2025-01-03T00:00:00.000Z';
const NOW = '2025-01-04T00:00:00.000Z';

const options: ReconcileOptions = {
  config,
  driver: { name: 'nebula-ipam', explicit: false },
  documentTime: DOCUMENT,
  marginMs: 0,
  now: NOW,
};

const on = (from: number, to: number, at = BEFORE) => ({ from, to, holder: 'opennebula', at });
const operator = (from: number, to: number, owner: string) => ({ from, to, holder: 'operator', owner, at: BEFORE });

/** The book as its file holds it (the documented format), decoded by the product's codec. */
function book(ranges: object[], nextRangeId = 6): Book {
  return decodeBook(JSON.stringify({ schema: 1, generation: 9, nextRangeId, ranges }), 'test-book.json');
}

/** What list-several-vnets.xml disagrees with: see the comments on each range. */
function disagreeingBook(): Book {
  return book([
    // OpenNebula: .3 VM 12, .4 VM 13, .7 hold, .10-.11 reservation. Book: .3-.4, .5 (stale), .7 operator.
    {
      id: 'r1',
      type: 'IP4',
      size: 20,
      ip: '10.20.0.3',
      pool: 'private',
      block: ['10.20.0.0', '10.20.0.255'],
      createdAt: BEFORE,
      leases: [on(0, 1), on(2, 2), operator(4, 4, 'bmc-7')],
    },
    // OpenNebula's AR was resized to 12 with updatear; its one lease agrees.
    { id: 'r2', type: 'IP4', size: 10, ip: '192.168.50.10', createdAt: BEFORE, leases: [on(0, 0)] },
    // Listed without LEASES.
    {
      id: 'r3',
      type: 'IP6_STATIC',
      size: 16,
      ip6: '2001:db8:100::10',
      prefixLength: 64,
      createdAt: BEFORE,
      leases: [on(0, 0)],
    },
    // OpenNebula has no AR for it any more.
    {
      id: 'r4',
      type: 'IP4',
      size: 252,
      ip: '10.20.1.3',
      pool: 'private',
      block: ['10.20.1.0', '10.20.1.255'],
      createdAt: BEFORE,
      leases: [on(0, 0)],
    },
    // The operator's own range: never a finding.
    {
      id: 'r5',
      type: 'IP4',
      size: 8,
      ip: '10.99.0.0',
      unmanaged: true,
      createdAt: BEFORE,
      leases: [operator(0, 1, 'bmc-1')],
    },
  ]);
}

function kinds(findings: readonly ReconcileFinding[]) {
  return findings
    .map((f) => `${f.kind} ${f.range} ${'addresses' in f ? f.addresses : ''}${'field' in f ? f.field : ''}`.trim())
    .sort();
}

test('both ways: leases and ranges each side lacks, with what holds them, and what --apply would do', () => {
  const plan = findDifferences(disagreeingBook(), fixture('list-several-vnets.xml'), options);
  assert.deepEqual(kinds(plan.findings), [
    'lease-held-by-operator r1 10.20.0.7',
    'lease-missing-in-book r1 10.20.0.10-10.20.0.11',
    'lease-missing-in-opennebula r1 10.20.0.5',
    'range-differs r2 SIZE',
    'range-missing-in-book r9 10.20.2.3-10.20.2.7',
    'range-missing-in-opennebula r4 10.20.1.3-10.20.1.254',
  ]);
  const byKind = new Map(plan.findings.map((f) => [f.kind, f]));
  assert.deepEqual(byKind.get('lease-missing-in-book'), {
    kind: 'lease-missing-in-book',
    range: 'r1',
    ar: 'VNET 3 AR 0',
    addresses: '10.20.0.10-10.20.0.11',
    count: 2,
    holder: 'reservation VNET 7',
    adoptable: true,
  });
  const clash = byKind.get('lease-held-by-operator')!;
  assert.equal(clash.adoptable, false);
  assert.ok(clash.kind === 'lease-held-by-operator' && clash.holder === 'hold' && clash.operator === 'bmc-7');
  assert.match(clash.why!, /operator leases are never changed/);
  const resized = byKind.get('range-differs')!;
  // An updatear resize into space nobody has is adopted (issue 11 item 6).
  assert.ok(
    resized.kind === 'range-differs' && resized.book === '10' && resized.opennebula === '12' && resized.adoptable,
  );
  assert.deepEqual(plan.scope, { document: 'VNET_POOL', vnets: 5, ars: 4, leases: 8 });
  assert.equal(reconcileExitCode(plan.findings, false), 1);
});

test("what was not compared is said: unlisted leases, reservations, other drivers' ARs", () => {
  const plan = findDifferences(disagreeingBook(), fixture('list-several-vnets.xml'), options);
  assert.deepEqual(plan.notes.map((n) => n.kind).sort(), [
    'leases-not-listed',
    'other-ars-skipped',
    'reservation-skipped',
  ]);
  assert.deepEqual(
    plan.notes.find((n) => n.kind === 'leases-not-listed'),
    { kind: 'leases-not-listed', range: 'r3', ar: 'VNET 5 AR 0' },
  );
  assert.deepEqual(
    plan.notes.find((n) => n.kind === 'reservation-skipped'),
    { kind: 'reservation-skipped', ar: 'VNET 7 AR 0', parent: '3' },
  );
  assert.ok(plan.notes.some((n) => n.kind === 'other-ars-skipped' && n.count === 2));
});

test("--apply adopts OpenNebula's leases and ranges, leaves operator leases, and a second pass finds only what it cannot fix", () => {
  const before = disagreeingBook();
  const plan = findDifferences(before, fixture('list-several-vnets.xml'), options);
  const { book: after, changes } = applyFixes(before, plan.fixes);

  const r1 = findRange(after, 'r1')!;
  assert.deepEqual(
    r1.leases.map((l) => [spanText(r1, l), l.holder, l.owner ?? '']),
    [
      ['10.20.0.3-10.20.0.4', 'opennebula', ''],
      ['10.20.0.7', 'operator', 'bmc-7'],
      ['10.20.0.10-10.20.0.11', 'opennebula', 'reservation VNET 7'],
    ],
  );
  assert.equal(findRange(after, 'r4'), undefined, 'the range OpenNebula no longer has is gone');
  assert.deepEqual(findRange(after, 'r5'), findRange(before, 'r5'), 'the unmanaged range is untouched');
  const r9 = findRange(after, 'r9')!;
  assert.equal(r9.pool, 'private');
  assert.deepEqual(
    [FAMILIES.ipv4.format(r9.block!.first), FAMILIES.ipv4.format(r9.block!.last)],
    ['10.20.2.0', '10.20.2.255'],
    "the carved subnet is the rebuilt range's space",
  );
  assert.deepEqual(
    r9.leases.map((l) => [spanText(r9, l), l.owner]),
    [
      ['10.20.2.3', 'VM 30'],
      ['10.20.2.4', 'VROUTER 2'],
    ],
  );
  assert.equal(after.nextRangeId, 10, 'ids above the rebuilt r9 are never handed out again');
  assert.deepEqual(
    changes.map((c) => `${c.action} ${c.range} ${c.addresses}`),
    [
      'reconcile-remove-range r4 10.20.1.3-10.20.1.254',
      'reconcile-drop-lease r1 10.20.0.5',
      'reconcile-resize-range r2 192.168.50.10-192.168.50.21',
      'reconcile-add-lease r1 10.20.0.10-10.20.0.11',
      'reconcile-add-range r9 10.20.2.3-10.20.2.7',
      'reconcile-add-lease r9 10.20.2.3',
      'reconcile-add-lease r9 10.20.2.4',
    ],
  );

  const again = findDifferences(after, fixture('list-several-vnets.xml'), options);
  assert.deepEqual(kinds(again.findings), ['lease-held-by-operator r1 10.20.0.7']);
  assert.equal(findRange(after, 'r2')!.size, 12n, 'the resize was adopted');
  assert.ok(again.findings.every((f) => !f.adoptable));
  assert.deepEqual(again.fixes, []);
  assert.deepEqual(
    again.notes.map((n) => n.kind).sort(),
    ['leases-not-listed', 'other-ars-skipped', 'reservation-skipped'],
    'what was adopted is dated by the document, so it is judged again',
  );
  assert.equal(findRange(after, 'r9')!.createdAt, DOCUMENT);
  assert.equal(reconcileExitCode(plan.findings, true), 1, 'unresolved findings remain after --apply');
  assert.deepEqual(verifyBook(after, config), [], 'the adopted book keeps every invariant');
});

test('a lost book is rebuilt from onevnet list -x: same ids, same leases, a clean verify', () => {
  const empty = book([], 1);
  const plan = findDifferences(empty, fixture('list-several-vnets.xml'), options);
  assert.deepEqual(kinds(plan.findings), [
    'range-missing-in-book r1 10.20.0.3-10.20.0.22',
    'range-missing-in-book r2 192.168.50.10-192.168.50.21',
    'range-missing-in-book r3 2001:db8:100::10-2001:db8:100::1f',
    'range-missing-in-book r9 10.20.2.3-10.20.2.7',
  ]);
  const { book: rebuilt } = applyFixes(empty, plan.fixes);
  const r1 = findRange(rebuilt, 'r1')!;
  assert.deepEqual(
    r1.leases.map((l) => [spanText(r1, l), l.owner]),
    [
      ['10.20.0.3', 'VM 12'],
      ['10.20.0.4', 'VM 13'],
      ['10.20.0.7', 'hold'],
      ['10.20.0.10-10.20.0.11', 'reservation VNET 7'],
    ],
  );
  assert.equal(findRange(rebuilt, 'r2')!.size, 12n, "a rebuilt range takes OpenNebula's SIZE");
  assert.equal(rebuilt.nextRangeId, 10);
  assert.deepEqual(verifyBook(rebuilt, config), []);
  assert.deepEqual(findDifferences(rebuilt, fixture('list-several-vnets.xml'), options).findings, []);
});

test('nothing in the book newer than the document is judged: oned may have leased it since', () => {
  const fresh = book(
    [
      {
        id: 'r1',
        type: 'IP4',
        size: 20,
        ip: '10.20.0.3',
        pool: 'private',
        block: ['10.20.0.0', '10.20.0.255'],
        createdAt: BEFORE,
        leases: [on(0, 1), on(5, 5, AFTER), on(6, 6)],
      },
      { id: 'r6', type: 'IP4', size: 4, ip: '10.30.0.1', createdAt: AFTER, leases: [] },
    ],
    7,
  );
  const plan = findDifferences(fresh, fixture('show-ip4-with-leases.xml'), { ...options, documentTime: DOCUMENT });
  assert.deepEqual(
    kinds(plan.findings).filter((k) => k.startsWith('lease-missing-in-opennebula')),
    ['lease-missing-in-opennebula r1 10.20.0.9'],
  );
  assert.ok(plan.notes.some((n) => n.kind === 'leases-newer-than-document' && n.range === 'r1' && n.count === 1));

  const listed = findDifferences(fresh, readOnevnetXml('<VNET_POOL/>', 'x'), options);
  assert.ok(listed.notes.some((n) => n.kind === 'range-newer-than-document' && n.range === 'r6'));
  assert.ok(!listed.findings.some((f) => f.range === 'r6'));
});

test('a lease stamped just before the document by a clock behind (HA front-ends) is not judged within the margin', () => {
  // 2 s before the document's time: one second after it by a clock 3 s ahead.
  const skewed = new Date(Date.parse(DOCUMENT) - 2000).toISOString();
  const fresh = book([
    {
      id: 'r1',
      type: 'IP4',
      size: 20,
      ip: '10.20.0.3',
      pool: 'private',
      block: ['10.20.0.0', '10.20.0.255'],
      createdAt: BEFORE,
      leases: [on(0, 1), on(9, 9, skewed)],
    },
  ]);
  const stale = (marginMs: number) =>
    kinds(findDifferences(fresh, fixture('show-ip4-with-leases.xml'), { ...options, marginMs }).findings).filter((k) =>
      k.startsWith('lease-missing-in-opennebula'),
    );
  assert.deepEqual(stale(0), ['lease-missing-in-opennebula r1 10.20.0.12']);
  assert.deepEqual(stale(300_000), [], 'newer than the document less the margin: left alone');
});

test('onevnet show -x holds one VNET: ranges it does not list are not called missing', () => {
  const plan = findDifferences(disagreeingBook(), fixture('show-ip4-with-leases.xml'), options);
  assert.ok(!plan.findings.some((f) => f.kind === 'range-missing-in-opennebula'));
  assert.ok(plan.notes.some((n) => n.kind === 'single-vnet' && n.vnet === '3'));
});

test('a document without any AR of the driver does not get every range removed', () => {
  const plan = findDifferences(disagreeingBook(), fixture('list-several-vnets.xml'), {
    ...options,
    driver: { name: 'typo', explicit: true },
  });
  const missing = plan.findings.filter((f) => f.kind === 'range-missing-in-opennebula');
  // r1-r3 (no driver recorded) stand for ARs of driver mydrv: they are mydrv's, not judged here.
  assert.deepEqual(
    missing.map((f) => f.range),
    ['r4'],
  );
  assert.ok(plan.notes.some((n) => n.kind === 'other-drivers-ranges' && n.count === 3));
  assert.ok(missing.every((f) => !f.adoptable && /no AR of driver typo.*--driver/.test(f.why!)));
  assert.deepEqual(plan.fixes, []);
});

test('--driver NAME selects ARs by IPAM_MAD alone', () => {
  const plan = findDifferences(book([], 1), fixture('list-several-vnets.xml'), {
    ...options,
    driver: { name: 'dummy', explicit: true },
  });
  assert.deepEqual(
    plan.findings.map((f) => `${f.kind} ${f.range} ${'ar' in f ? f.ar : ''}`),
    ['range-missing-in-book r1 VNET 8 AR 0'],
  );
});

test('a range OpenNebula lacks that holds operator leases stays, and says why', () => {
  const withOperator = book(
    [{ id: 'r4', type: 'IP4', size: 10, ip: '10.20.1.3', createdAt: BEFORE, leases: [operator(3, 3, 'pdu')] }],
    5,
  );
  const plan = findDifferences(
    withOperator,
    readOnevnetXml('<VNET_POOL><VNET><ID>1</ID><AR_POOL/></VNET></VNET_POOL>', 'x'),
    options,
  );
  const [finding] = plan.findings;
  assert.ok(finding && finding.kind === 'range-missing-in-opennebula' && !finding.adoptable);
  assert.match(finding.why!, /no AR of driver|operator lease/);
});

test('an AR the book lacks that overlaps a book range is not added over it', () => {
  const blocking = book(
    [{ id: 'r1', type: 'IP4', size: 10, ip: '10.20.2.5', unmanaged: true, createdAt: BEFORE, leases: [] }],
    2,
  );
  const plan = findDifferences(blocking, fixture('list-several-vnets.xml'), {
    ...options,
    driver: { name: 'mydrv', explicit: true },
  });
  const r9 = plan.findings.find((f) => f.range === 'r9')!;
  assert.equal(r9.adoptable, false);
  assert.match(r9.why!, /overlaps range r1 IP4 10\.20\.2\.5\+10/);
  assert.ok(!plan.fixes.some((f) => f.kind === 'add-range' && f.range.id === 'r9'));
});

test('two ARs naming one range are a finding, and neither is used to change the book', () => {
  const xml = (ar: string) =>
    `<AR><AR_ID>${ar}</AR_ID><IP>10.20.0.3</IP><IPAM_MAD>mydrv</IPAM_MAD><NEBULA_IPAM_RANGE>r1</NEBULA_IPAM_RANGE><SIZE>20</SIZE><TYPE>IP4</TYPE><LEASES/></AR>`;
  const doc = readOnevnetXml(
    `<VNET_POOL><VNET><ID>1</ID><AR_POOL>${xml('0')}${xml('1')}</AR_POOL></VNET></VNET_POOL>`,
    'x',
  );
  const plan = findDifferences(disagreeingBook(), doc, options);
  const twice = plan.findings.find((f) => f.kind === 'range-claimed-twice');
  assert.deepEqual(twice && twice.kind === 'range-claimed-twice' ? twice.ars : [], ['VNET 1 AR 0', 'VNET 1 AR 1']);
  assert.ok(!plan.fixes.some((f) => 'range' in f && f.range === 'r1'));
});

test('ETHER and IP6 leases are placed by MAC', () => {
  const ether = book(
    [{ id: 'r1', type: 'ETHER', size: 8, mac: '02:00:00:00:01:00', createdAt: BEFORE, leases: [on(1, 1)] }],
    2,
  );
  const doc = readOnevnetXml(
    '<VNET><ID>4</ID><AR_POOL><AR><AR_ID>0</AR_ID><IPAM_MAD>mydrv</IPAM_MAD><MAC>02:00:00:00:01:00</MAC><NEBULA_IPAM_RANGE>r1</NEBULA_IPAM_RANGE><SIZE>8</SIZE><TYPE>ETHER</TYPE><LEASES><LEASE><MAC>02:00:00:00:01:01</MAC><VM>1</VM></LEASE><LEASE><MAC>02:00:00:00:01:03</MAC><VM>2</VM></LEASE></LEASES></AR></AR_POOL></VNET>',
    'x',
  );
  const plan = findDifferences(ether, doc, options);
  assert.deepEqual(kinds(plan.findings), ['lease-missing-in-book r1 02:00:00:00:01:03']);
});

test('a resized AR: its lease in the grown part is adopted with the resize, when the growth is free space', () => {
  const doc = readOnevnetXml(
    '<VNET><ID>4</ID><AR_POOL><AR><AR_ID>0</AR_ID><IP>192.168.50.10</IP><IPAM_MAD>mydrv</IPAM_MAD><NEBULA_IPAM_RANGE>r2</NEBULA_IPAM_RANGE><SIZE>12</SIZE><TYPE>IP4</TYPE><LEASES><LEASE><IP>192.168.50.10</IP><VM>20</VM></LEASE><LEASE><IP>192.168.50.21</IP><VM>21</VM></LEASE></LEASES></AR></AR_POOL></VNET>',
    'x',
  );
  const plan = findDifferences(disagreeingBook(), doc, options);
  assert.deepEqual(
    plan.findings.filter((f) => f.range === 'r2').map((f) => `${f.kind} ${f.adoptable}`),
    ['range-differs true', 'lease-missing-in-book true'],
  );
  const { book: after, changes } = applyFixes(
    disagreeingBook(),
    plan.fixes.filter((f) => f.range === 'r2'),
  );
  assert.deepEqual(
    changes.map((c) => c.action),
    ['reconcile-resize-range', 'reconcile-add-lease'],
  );
  assert.equal(changes[0]!.detail, 'SIZE 10 -> 12');
  const r2 = findRange(after, 'r2')!;
  assert.deepEqual([r2.size, r2.leases.map((l) => spanText(r2, l))], [12n, ['192.168.50.10', '192.168.50.21']]);
});

test("a resize that is not safe is explained and its lease beyond the book's range reported, not adopted", () => {
  const doc = (size: number) =>
    readOnevnetXml(
      `<VNET><ID>4</ID><AR_POOL><AR><AR_ID>0</AR_ID><IP>192.168.50.10</IP><IPAM_MAD>mydrv</IPAM_MAD><NEBULA_IPAM_RANGE>r2</NEBULA_IPAM_RANGE><SIZE>${size}</SIZE><TYPE>IP4</TYPE><LEASES><LEASE><IP>192.168.50.10</IP><VM>20</VM></LEASE></LEASES></AR></AR_POOL></VNET>`,
      'x',
    );
  // Growth onto another range's addresses.
  const crowded = book(
    [
      { id: 'r2', type: 'IP4', size: 10, ip: '192.168.50.10', createdAt: BEFORE, leases: [on(0, 0), on(8, 8)] },
      { id: 'r6', type: 'IP4', size: 4, ip: '192.168.50.21', unmanaged: true, createdAt: BEFORE, leases: [] },
    ],
    7,
  );
  const grown = findDifferences(crowded, doc(12), options).findings.find((f) => f.kind === 'range-differs')!;
  assert.equal(grown.adoptable, false);
  assert.match(grown.why!, /192\.168\.50\.20-192\.168\.50\.21 overlaps range r6/);
  // Shrinking past a lease the book holds (oned no longer lists it: dropping it is another finding).
  const shrunk = findDifferences(crowded, doc(5), options);
  const why = shrunk.findings.find((f) => f.kind === 'range-differs')!;
  assert.equal(why.adoptable, false);
  assert.match(why.why!, /1 lease lie past the new end/);
  assert.ok(!shrunk.fixes.some((f) => f.kind === 'resize-range'));
  // Growth past the subnet of a carved range, or onto its broadcast address.
  const carved = book([
    {
      id: 'r1',
      type: 'IP4',
      size: 250,
      ip: '10.20.0.3',
      pool: 'private',
      block: ['10.20.0.0', '10.20.0.255'],
      createdAt: BEFORE,
      leases: [],
    },
  ]);
  const carvedDoc = (size: number) =>
    readOnevnetXml(
      `<VNET><ID>4</ID><AR_POOL><AR><AR_ID>0</AR_ID><IP>10.20.0.3</IP><IPAM_MAD>mydrv</IPAM_MAD><NEBULA_IPAM_RANGE>r1</NEBULA_IPAM_RANGE><SIZE>${size}</SIZE><TYPE>IP4</TYPE><LEASES/></AR></AR_POOL></VNET>`,
      'x',
    );
  assert.match(findDifferences(carved, carvedDoc(253), options).findings[0]!.why!, /broadcast address 10\.20\.0\.255/);
  assert.match(findDifferences(carved, carvedDoc(300), options).findings[0]!.why!, /leaves the range's subnet/);
  assert.equal(findDifferences(carved, carvedDoc(252), options).findings[0]!.adoptable, true);
});

test('an AR whose values oned could never have stored is a bad document, naming the AR', () => {
  const doc = readOnevnetXml(
    '<VNET><ID>4</ID><AR_POOL><AR><AR_ID>2</AR_ID><IP>10.0.0.256</IP><IPAM_MAD>mydrv</IPAM_MAD><SIZE>2</SIZE><TYPE>IP4</TYPE></AR></AR_POOL></VNET>',
    'x',
  );
  assert.throws(
    () => findDifferences(book([], 1), doc, { ...options, driver: { name: 'mydrv', explicit: true } }),
    (error: Error & { kind?: string }) =>
      error.kind === 'bad-request' &&
      /^Cannot reconcile VNET 4 AR 2: its IP "10\.0\.0\.256" is not an IPv4 address/.test(error.message),
  );
});

test('the exit code: 0 when both agree, 1 with findings; after --apply 1 only for what remains', () => {
  assert.equal(reconcileExitCode([], false), 0);
  assert.equal(reconcileExitCode([], true), 0);
  const fixable: ReconcileFinding = {
    kind: 'lease-missing-in-opennebula',
    range: 'r1',
    addresses: '10.0.0.1',
    count: 1,
    since: BEFORE,
    adoptable: true,
  };
  assert.equal(reconcileExitCode([fixable], false), 1);
  assert.equal(reconcileExitCode([fixable], true), 0);
});

/** A `onevnet list -x` of IP4 ARs: [vnet, IPAM_MAD, range id, IP, SIZE, leased IPs]. */
function listOf(
  ars: [number, string, string | undefined, string, number, string[]][],
): ReturnType<typeof readOnevnetXml> {
  const vnets = new Map<number, string[]>();
  ars.forEach(([vnet, mad, id, ip, size, leased], i) => {
    const leases = leased.map((l) => `<LEASE><IP>${l}</IP><VM>1</VM></LEASE>`).join('');
    const ar = `<AR><AR_ID>${i}</AR_ID><IP>${ip}</IP><IPAM_MAD>${mad}</IPAM_MAD>${id ? `<NEBULA_IPAM_RANGE>${id}</NEBULA_IPAM_RANGE>` : ''}<SIZE>${size}</SIZE><TYPE>IP4</TYPE><LEASES>${leases}</LEASES></AR>`;
    vnets.set(vnet, [...(vnets.get(vnet) ?? []), ar]);
  });
  return readOnevnetXml(
    `<VNET_POOL>${[...vnets].map(([id, a]) => `<VNET><ID>${id}</ID><AR_POOL>${a.join('')}</AR_POOL></VNET>`).join('')}</VNET_POOL>`,
    'x',
  );
}

const ip4 = (id: string, ip: string, extra: object = {}) => ({
  id,
  type: 'IP4',
  size: 10,
  ip,
  createdAt: BEFORE,
  leases: [],
  ...extra,
});
const alpha = { ...options, driver: { name: 'alpha', explicit: true } };

test("--driver alpha on a shared book: beta's ranges are not judged, with or without their ARs; a range no AR of any driver stands for is", () => {
  const shared = book(
    [
      ip4('r1', '10.1.0.1', { driver: 'alpha' }),
      ip4('r2', '10.2.0.1', { driver: 'alpha' }), // refused by oned after register: no AR anywhere
      ip4('r3', '10.3.0.1', { driver: 'beta' }),
      ip4('r4', '10.4.0.1', { driver: 'beta' }), // beta's leak: beta's reconcile will say so
      ip4('r5', '10.5.0.1'), // no driver recorded (an older book); beta's AR carries r5
      ip4('r6', '10.6.0.1'), // no driver recorded, no AR of any driver
    ],
    7,
  );
  const doc = listOf([
    [0, 'alpha', 'r1', '10.1.0.1', 10, []],
    [1, 'beta', 'r3', '10.3.0.1', 10, ['10.3.0.1']],
    [1, 'beta', 'r5', '10.5.0.1', 10, []],
  ]);
  const plan = findDifferences(shared, doc, alpha);
  assert.deepEqual(kinds(plan.findings), [
    'range-missing-in-opennebula r2 10.2.0.1-10.2.0.10',
    'range-missing-in-opennebula r6 10.6.0.1-10.6.0.10',
  ]);
  assert.deepEqual(
    plan.fixes.map((f) => f.kind === 'remove-range' && f.range),
    ['r2', 'r6'],
  );
  assert.ok(plan.notes.some((n) => n.kind === 'other-drivers-ranges' && n.count === 3 && n.drivers.join() === 'beta'));

  // Without --driver every nebula-ipam AR is selected: beta's leak is found too.
  const all = findDifferences(shared, doc, options);
  assert.deepEqual(all.fixes.flatMap((f) => (f.kind === 'remove-range' ? [f.range] : [])).sort(), ['r2', 'r4', 'r6']);
});

test("an AR of this driver naming another driver's range is a finding; that range's leases are not touched", () => {
  const shared = book([ip4('r3', '10.3.0.1', { driver: 'beta', leases: [on(0, 0)] })], 4);
  const plan = findDifferences(shared, listOf([[0, 'alpha', 'r3', '10.3.0.1', 10, []]]), alpha);
  assert.deepEqual(kinds(plan.findings), ['range-differs r3 IPAM_MAD']);
  assert.deepEqual(plan.fixes, []);
});

test('an AR of another driver sharing the book holds its space: a rebuilt range of ours does not overlap it', () => {
  // beta shares the book (r3 is beta's); its r2 was lost from the book, its AR is still there.
  const shared = book([ip4('r3', '10.9.0.1', { driver: 'beta' })], 4);
  const doc = listOf([
    [0, 'alpha', 'r1', '10.7.0.1', 10, []],
    [1, 'beta', 'r2', '10.7.0.5', 10, []],
    [1, 'beta', 'r3', '10.9.0.1', 10, []],
  ]);
  const [finding] = findDifferences(shared, doc, alpha).findings;
  assert.ok(
    finding && finding.kind === 'range-missing-in-book' && finding.range === 'r1' && !finding.adoptable,
    JSON.stringify(finding),
  );
  assert.match(finding.why!, /VNET 1 AR 1 of driver beta/);

  // gamma has a book of its own (nothing of it here): the same network there is no clash.
  const apart = findDifferences(
    shared,
    listOf([
      [0, 'alpha', 'r1', '10.7.0.1', 10, []],
      [1, 'gamma', 'r1', '10.7.0.5', 10, []],
    ]),
    alpha,
  );
  const added = apart.fixes.find((f) => f.kind === 'add-range');
  assert.equal(
    added?.kind === 'add-range' && added.range.driver,
    'alpha',
    'adopted, recording the driver its AR names',
  );
});

test('a range of the book OpenNebula lacks is not removed while an OpenNebula lease in it is newer than the document', () => {
  const fresh = book(
    [ip4('r1', '10.1.0.1', { driver: 'alpha' }), ip4('r2', '10.2.0.1', { driver: 'alpha', leases: [on(0, 0, AFTER)] })],
    3,
  );
  const plan = findDifferences(fresh, listOf([[0, 'alpha', 'r1', '10.1.0.1', 10, []]]), alpha);
  const [finding] = plan.findings;
  assert.ok(finding && finding.kind === 'range-missing-in-opennebula' && !finding.adoptable);
  assert.match(finding.why!, /newer than the document/);
  assert.deepEqual(plan.fixes, []);
});

test("nothing compared: the hint names the nebula-ipam driver whose ARs carry a range id, not another IPAM's", () => {
  const ours = new OnedAr(
    { TYPE: 'IP4', IP: '10.20.0.3', SIZE: '20', IPAM_MAD: 'nebula', NEBULA_IPAM_RANGE: 'r1' },
    { modern: false },
  );
  const theirs = (ip: string, arId: number) =>
    new OnedAr({ TYPE: 'IP4', IP: ip, SIZE: '10', IPAM_MAD: 'dummy' }, { arId, modern: false });
  const doc = readOnevnetXml(
    onevnetList([
      { id: 3, name: 'private', ars: [{ ar: ours, holders: new Map() }] },
      {
        id: 8,
        name: 'lab',
        ars: [
          { ar: theirs('192.168.50.10', 0), holders: new Map() },
          { ar: theirs('192.168.60.10', 1), holders: new Map() },
        ],
      },
    ]),
    'vnets.xml',
  );
  const plan = findDifferences(book([], 1), doc, { ...options, driver: { name: 'nebula-lab', explicit: true } });
  assert.match(plan.nothingCompared ?? '', /IPAM_MAD dummy, nebula; to compare those, add --driver nebula$/);
});
