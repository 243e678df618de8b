/**
 * `nebula-ipam reconcile` run the way an operator runs it: the bundle through a symlink named
 * nebula-ipam, against a book built by the driver actions exactly as oned drives them, with
 * `onevnet list -x` / `show -x` documents saved to a file.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { expectFailure, expectQuietSuccess, expectReply } from '../../support/driver-assert.ts';
import { spawnSync } from 'node:child_process';
import {
  childEnv,
  createSandbox,
  encodeRequest,
  OnedAr,
  registerXml,
  type DriverSandbox,
  type RunResult,
} from '../../support/driver-harness.ts';
import { onevnetList } from '../../support/onevnet-list.ts';
import { SAMPLE_CONFIG, SAMPLE_POOLS } from '../../support/sample-config.ts';
import type { Book } from '../../../src/core/book/book.ts';
import { decodeBook } from '../../../src/store/encoding/codec.ts';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'onevnet');

/** The book as the product reads it (its file format is the codec's business, not this test's). */
function readBook(sandbox: DriverSandbox): Book {
  return decodeBook(sandbox.bookBytes()!, sandbox.bookPath);
}

const leaseSpans = (book: Book, id: string) =>
  book.ranges.find((r) => r.id === id)!.leases.map((l) => [Number(l.first), Number(l.last), l.holder]);

function cli(sandbox: DriverSandbox, ...args: string[]): RunResult {
  return sandbox.runRaw('nebula-ipam', { args });
}

/** Saves a document as `onevnet ... -x > FILE` would, printed now (after everything the book holds). */
function saveDocument(sandbox: DriverSandbox, name: string, xml: string): string {
  const file = path.join(sandbox.dir, name);
  fs.writeFileSync(file, xml);
  const printed = new Date(Date.now() + 1000);
  fs.utimesSync(file, printed, printed);
  return file;
}

/** `--apply` on a saved file, as of a time after everything the book holds so far. */
const APPLY = () => ['--apply', '--as-of', new Date(Date.now() + 1000).toISOString()];

function register(sandbox: DriverSandbox, attrs: Record<string, string>, arId = 0): OnedAr {
  return new OnedAr(expectReply(sandbox.run('register_address_range', registerXml(attrs)), 'AR'), { arId });
}

function getAddress(sandbox: DriverSandbox, ar: OnedAr): string {
  const ip = expectReply(sandbox.run('get_address', ar.getXml(1)), 'ADDRESS').get('IP')!;
  ar.noteLeased(ar.indexOf(ip));
  return ip;
}

/** The book of list-several-vnets.xml's story, made by the driver actions and one operator lease. */
function buildDisagreeingBook(sandbox: DriverSandbox): void {
  const r1 = register(sandbox, { IPAM_MAD: 'mydrv', IPAM_POOL: 'private', SIZE: '20' });
  assert.equal(r1.attrs.NEBULA_IPAM_RANGE, 'r1');
  assert.equal(r1.attrs.IP, '10.20.0.3', 'the fixture was written for this carving');
  const r2 = register(sandbox, { TYPE: 'IP4', IP: '192.168.50.10', SIZE: '10', IPAM_MAD: 'mydrv' }, 1);
  register(sandbox, {
    TYPE: 'IP6_STATIC',
    IP6: '2001:db8:100::10',
    PREFIX_LENGTH: '64',
    SIZE: '16',
    IPAM_MAD: 'mydrv',
  });
  const r4 = register(sandbox, { IPAM_MAD: 'mydrv', IPAM_POOL: 'private', SIZE: '252' });
  assert.equal(r4.attrs.NEBULA_IPAM_RANGE, 'r4');
  assert.deepEqual([getAddress(sandbox, r1), getAddress(sandbox, r1)], ['10.20.0.3', '10.20.0.4']);
  expectQuietSuccess(sandbox.run('allocate_address', r1.allocateXml(2n)));
  assert.equal(getAddress(sandbox, r2), '192.168.50.10');
  getAddress(sandbox, r4);
  const leased = cli(sandbox, 'lease', '--pool', 'private', '--ip', '10.20.0.7', '--owner', 'bmc-7');
  assert.equal(leased.code, 0, leased.stderr);
}

interface JsonReport {
  applied: boolean;
  generation: { compared: number; written?: number };
  findings: { kind: string; range: string; addresses?: string; field?: string; adoptable: boolean; why?: string }[];
  notes: { kind: string }[];
  changes: { action: string; range: string; addresses: string }[];
}

const summary = (report: JsonReport) =>
  report.findings.map((f) => `${f.kind} ${f.range} ${f.addresses ?? f.field ?? ''}`.trim()).sort();

test("a hand-made onevnet list -x that disagrees with the driver's book: reconcile tells the truth both ways, and changes nothing", () => {
  const sandbox = createSandbox({ config: SAMPLE_CONFIG });
  try {
    buildDisagreeingBook(sandbox);
    const file = saveDocument(
      sandbox,
      'vnets.xml',
      fs.readFileSync(path.join(FIXTURES, 'list-several-vnets.xml'), 'utf8'),
    );
    const before = sandbox.bookBytes();

    const json = cli(sandbox, 'reconcile', '--from', file, '--json');
    assert.equal(json.code, 1, json.stderr);
    const report = JSON.parse(json.stdout) as JsonReport;
    assert.deepEqual(summary(report), [
      'lease-held-by-operator r1 10.20.0.7',
      'lease-missing-in-book r1 10.20.0.10-10.20.0.11',
      'lease-missing-in-opennebula r1 10.20.0.5',
      'range-differs r2 SIZE',
      'range-missing-in-book r9 10.20.2.3-10.20.2.7',
      'range-missing-in-opennebula r4 10.20.1.2-10.20.1.253',
    ]);
    assert.equal(report.applied, false);

    const text = cli(sandbox, 'reconcile', '--from', file);
    assert.equal(text.code, 1);
    assert.equal(text.stderr, '');
    const row = (problem: string) => text.stdout.split('\n').find((line) => line.startsWith(problem)) ?? '';
    assert.match(
      row('leased in OpenNebula only'),
      /r1\s+VNET 3 AR 0\s+10\.20\.0\.10-10\.20\.0\.11\s+reservation VNET 7; free in the book\s+adds the lease/,
    );
    assert.match(row('held in the book only'), /r1\s+-\s+10\.20\.0\.5\s+OpenNebula lease since .*drops the lease/);
    assert.match(
      row('leased to both'),
      /10\.20\.0\.7\s+hold in OpenNebula; operator lease "bmc-7" in the book\s+left: operator leases are never changed/,
    );
    assert.match(row('range in the book only'), /r4 .*10\.20\.1\.2-10\.20\.1\.253.*removes the range/);
    assert.match(
      text.stdout,
      /2 ARs of other drivers skipped \(this driver.s: NEBULA_IPAM_RANGE or IPAM_MAD nebula-ipam\)/,
    );
    assert.match(text.stdout, /Dry run: nothing was changed\.\n$/);
    assert.deepEqual(sandbox.bookBytes(), before, 'a dry run leaves the book byte for byte');
  } finally {
    sandbox.cleanup();
  }
});

test("--apply adopts OpenNebula's side in one write, keeps the operator lease, logs each change; verify then passes", () => {
  const sandbox = createSandbox({ config: SAMPLE_CONFIG });
  try {
    buildDisagreeingBook(sandbox);
    const file = saveDocument(
      sandbox,
      'vnets.xml',
      fs.readFileSync(path.join(FIXTURES, 'list-several-vnets.xml'), 'utf8'),
    );
    const generation = readBook(sandbox).generation;

    const applied = cli(sandbox, 'reconcile', '--from', file, ...APPLY());
    assert.equal(applied.code, 1, 'one difference is left for the operator');
    // The updatear resize of r2 (10 -> 12, into free space) is adopted too (issue 11 item 6).
    assert.match(
      applied.stdout,
      new RegExp(
        `Applied 7 changes: 1 range added, 1 range removed, 4 leased addresses adopted, 1 leased address dropped \\(generation ${generation} -> ${generation + 1}\\); 1 difference left for the operator\\.`,
      ),
    );
    assert.match(applied.stdout, /^SIZE differs +r2 .*book 10, OpenNebula 12 +range resized to 12$/m);
    const book = readBook(sandbox);
    assert.equal(book.generation, generation + 1, 'one write');
    assert.deepEqual(
      book.ranges.map((r) => r.id),
      ['r1', 'r2', 'r3', 'r9'],
    );
    assert.deepEqual(leaseSpans(book, 'r1'), [
      [0, 0, 'opennebula'],
      [1, 1, 'opennebula'],
      [4, 4, 'operator'],
      [7, 8, 'opennebula'],
    ]);
    assert.equal(book.nextRangeId, 10);

    const audit = fs
      .readFileSync(`${sandbox.bookPath}.audit.jsonl`, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { action: string; addresses?: string; actor: string });
    const reconciled = audit.filter((a) => a.action.startsWith('reconcile'));
    assert.deepEqual(
      reconciled.map((a) => `${a.action} ${a.addresses}`),
      [
        'reconcile-remove-range 10.20.1.2-10.20.1.253',
        'reconcile-drop-lease 10.20.0.5',
        'reconcile-resize-range 192.168.50.10-192.168.50.21',
        'reconcile-add-lease 10.20.0.10-10.20.0.11',
        'reconcile-add-range 10.20.2.3-10.20.2.7',
        'reconcile-add-lease 10.20.2.3',
        'reconcile-add-lease 10.20.2.4',
      ],
    );
    assert.ok(reconciled.every((a) => a.actor.startsWith('cli:')));

    const verify = cli(sandbox, 'verify');
    assert.equal(verify.code, 0, verify.stdout);
    const again = JSON.parse(cli(sandbox, 'reconcile', '--from', file, '--json').stdout) as JsonReport;
    assert.deepEqual(summary(again), ['lease-held-by-operator r1 10.20.0.7']);
    assert.ok(again.findings.every((f) => !f.adoptable && f.why));
  } finally {
    sandbox.cleanup();
  }
});

test('a deleted book is rebuilt from onevnet list -x with --apply, and oned carries on with it', () => {
  const sandbox = createSandbox({ config: SAMPLE_CONFIG });
  try {
    const web = register(sandbox, { IPAM_MAD: 'mydrv', IPAM_POOL: 'private', SIZE: '20' });
    const db = register(sandbox, { TYPE: 'IP4', IP: '192.168.50.10', SIZE: '10', IPAM_MAD: 'mydrv' }, 1);
    const webHolders = new Map<bigint, string>();
    for (let vm = 0; vm < 3; vm++) webHolders.set(web.indexOf(getAddress(sandbox, web)), `VM ${vm}`);
    expectQuietSuccess(sandbox.run('allocate_address', web.allocateXml(9n)));
    webHolders.set(9n, 'VM -1');
    const dbHolders = new Map([[db.indexOf(getAddress(sandbox, db)), 'VNET 12']]);
    const original = readBook(sandbox);

    const file = saveDocument(
      sandbox,
      'vnets.xml',
      onevnetList([
        {
          id: 0,
          name: 'web',
          ars: [
            { ar: web, holders: webHolders },
            { ar: db, holders: dbHolders },
          ],
        },
      ]),
    );
    fs.rmSync(sandbox.bookPath);
    fs.rmSync(`${sandbox.bookPath}.prev`, { force: true });

    // No book: refused, never a new one made in passing; the operator makes it on purpose.
    expectFailure(cli(sandbox, 'reconcile', '--from', file, ...APPLY()), 5, [sandbox.bookPath, 'nebula-ipam init']);
    assert.equal(sandbox.bookBytes(), undefined, 'reconcile did not create a book');
    sandbox.init();
    const empty = sandbox.bookBytes();
    const dry = cli(sandbox, 'reconcile', '--from', file);
    assert.equal(dry.code, 1);
    assert.deepEqual(sandbox.bookBytes(), empty, 'the dry run did not write');
    const rebuilt = cli(sandbox, 'reconcile', '--from', file, ...APPLY());
    assert.equal(rebuilt.code, 0, rebuilt.stdout + rebuilt.stderr);
    assert.match(rebuilt.stdout, /range in OpenNebula only\s+r1 .*range added/);

    const book = readBook(sandbox);
    assert.deepEqual(
      book.ranges.map((r) => [r.id, r.ip, r.size, leaseSpans(book, r.id)]),
      original.ranges.map((r) => [r.id, r.ip, r.size, leaseSpans(original, r.id)]),
    );
    assert.equal(book.nextRangeId, original.nextRangeId);
    assert.equal(cli(sandbox, 'verify').code, 0);
    assert.equal(cli(sandbox, 'reconcile', '--from', file).code, 0, 'the rebuilt book agrees with OpenNebula');

    // oned's next actions find their ranges by the ids the ARs carry, and never get a leased address.
    assert.equal(getAddress(sandbox, web), '10.20.0.6');
    expectQuietSuccess(sandbox.run('free_address', web.freeXml(0n)));
    const nextRange = register(sandbox, { IPAM_MAD: 'mydrv', IPAM_POOL: 'private', SIZE: '20' });
    assert.equal(nextRange.attrs.NEBULA_IPAM_RANGE, 'r3', 'no id is handed out twice');
    assert.equal(
      nextRange.attrs.IP,
      '10.20.1.2',
      'the rebuilt range keeps its subnet: the next one is carved after it',
    );
  } finally {
    sandbox.cleanup();
  }
});

test('malformed XML: one clear line, exit 3, the book byte-identical, with or without --apply', () => {
  const sandbox = createSandbox({ config: SAMPLE_CONFIG });
  try {
    buildDisagreeingBook(sandbox);
    const before = sandbox.bookBytes();
    const malformed = saveDocument(
      sandbox,
      'broken.xml',
      fs.readFileSync(path.join(FIXTURES, 'malformed.xml'), 'utf8'),
    );
    for (const extra of [[], APPLY()]) {
      expectFailure(cli(sandbox, 'reconcile', '--from', malformed, ...extra), 3, [
        'broken.xml',
        'not well-formed XML',
        'nothing was changed',
      ]);
      assert.deepEqual(sandbox.bookBytes(), before);
    }
    const doctype = saveDocument(
      sandbox,
      'doctype.xml',
      '<!DOCTYPE VNET_POOL [<!ENTITY x SYSTEM "file:///etc/passwd">]><VNET_POOL>&x;</VNET_POOL>',
    );
    expectFailure(cli(sandbox, 'reconcile', '--from', doctype, ...APPLY()), 3, ['DOCTYPE']);
    const wrong = saveDocument(sandbox, 'vms.xml', '<VM_POOL><VM><ID>1</ID></VM></VM_POOL>');
    expectFailure(cli(sandbox, 'reconcile', '--from', wrong, ...APPLY()), 3, ['VM_POOL', 'onevnet list -x']);
    expectFailure(cli(sandbox, 'reconcile', '--from', path.join(sandbox.dir, 'missing.xml')), 5, [
      'missing.xml',
      'no such file',
    ]);
    expectFailure(cli(sandbox, 'reconcile'), 2, ['--from']);
    assert.deepEqual(sandbox.bookBytes(), before);
  } finally {
    sandbox.cleanup();
  }
});

test('leases taken after the document was printed are not judged stale, and onevnet show -x of one VNET removes no range', () => {
  const sandbox = createSandbox({ config: SAMPLE_CONFIG });
  try {
    const ar = register(sandbox, { IPAM_MAD: 'mydrv', IPAM_POOL: 'private', SIZE: '20' });
    register(sandbox, { TYPE: 'IP4', IP: '192.168.50.10', SIZE: '10', IPAM_MAD: 'mydrv' }, 1);
    const holders = new Map([[ar.indexOf(getAddress(sandbox, ar)), 'VM 1']]);
    const printed = new Date();
    const show = onevnetList([{ id: 4, name: 'web', ars: [{ ar, holders }] }]).replace(
      /^<VNET_POOL>|<\/VNET_POOL>$/g,
      '',
    );
    const file = path.join(sandbox.dir, 'show.xml');
    fs.writeFileSync(file, show);
    getAddress(sandbox, ar); // oned leased 10.20.0.4 after onevnet printed
    fs.utimesSync(file, printed, printed);

    const result = cli(sandbox, 'reconcile', '--from', file, '--apply', '--as-of', printed.toISOString());
    assert.equal(result.code, 0, result.stdout);
    assert.match(result.stdout, /OpenNebula and the lease book agree/);
    assert.match(result.stdout, /1 OpenNebula lease in the book is newer than the document/);
    assert.match(result.stdout, /the document is one VNET \(onevnet show -x 4\)/);
    assert.deepEqual(
      readBook(sandbox).ranges.map((r) => [r.id, r.leases.length]),
      [
        ['r1', 2],
        ['r2', 0],
      ],
    );

    // The same document dated after the lease: now the lease is judged (and would be dropped).
    const dated = cli(
      sandbox,
      'reconcile',
      '--from',
      file,
      '--as-of',
      new Date(Date.now() + 60_000).toISOString(),
      '--json',
    );
    assert.equal(dated.code, 1);
    assert.deepEqual(summary(JSON.parse(dated.stdout) as JsonReport), ['lease-missing-in-opennebula r1 10.20.0.4']);
    expectFailure(cli(sandbox, 'reconcile', '--from', file, '--as-of', 'yesterday'), 2, ['--as-of']);
  } finally {
    sandbox.cleanup();
  }
});

test('--from - reads the document from standard input', () => {
  const sandbox = createSandbox({ config: SAMPLE_CONFIG });
  try {
    const result = sandbox.runRaw('nebula-ipam', {
      args: ['reconcile', '--from', '-', '--json'],
      stdin: fs.readFileSync(path.join(FIXTURES, 'show-ip4-with-leases.xml')),
    });
    assert.equal(result.code, 1, result.stderr);
    const report = JSON.parse(result.stdout) as JsonReport & { document: { file: string; root: string } };
    assert.deepEqual(report.document.file, '(standard input)');
    assert.deepEqual(summary(report), ['range-missing-in-book r1 10.20.0.3-10.20.0.22']);
  } finally {
    sandbox.cleanup();
  }
});

test("two drivers sharing one book: reconcile --driver alpha --apply judges only alpha's ranges and leaves beta's (issue 8 item 7)", () => {
  const alpha = createSandbox({ driver: 'alpha', config: SAMPLE_CONFIG });
  const beta = createSandbox({ driver: 'beta', config: SAMPLE_CONFIG });
  try {
    // beta's actions run from its own driver directory, on alpha's book (one shared store).
    const shared = { env: { NEBULA_IPAM_STORE: alpha.bookPath } };
    const registerAs = (sandbox: DriverSandbox, attrs: Record<string, string>, arId: number) =>
      new OnedAr(expectReply(sandbox.run('register_address_range', registerXml(attrs), shared), 'AR'), { arId });
    const web = registerAs(alpha, { IPAM_MAD: 'alpha', IPAM_POOL: 'private', SIZE: '20' }, 0);
    const gone = registerAs(alpha, { IPAM_MAD: 'alpha', IPAM_POOL: 'private', SIZE: '20' }, 1);
    const b1 = registerAs(beta, { IPAM_MAD: 'beta', IPAM_POOL: 'private', SIZE: '20' }, 0);
    const b2 = registerAs(beta, { IPAM_MAD: 'beta', TYPE: 'IP4', IP: '192.168.50.10', SIZE: '10' }, 1);
    expectReply(beta.run('get_address', b1.getXml(1), shared), 'ADDRESS');
    b1.noteLeased(0n);
    assert.deepEqual(
      [web, gone, b1, b2].map((ar) => ar.attrs.NEBULA_IPAM_RANGE),
      ['r1', 'r2', 'r3', 'r4'],
    );

    // oned's complete list: alpha's r2 is gone from OpenNebula (refused, or its VNET deleted
    // without unregister); beta's two ARs are there.
    const holders = (ar: OnedAr) => new Map([...ar.leased].map((i) => [i, 'VM 1']));
    const file = saveDocument(
      alpha,
      'vnets.xml',
      onevnetList([
        { id: 0, name: 'alpha-net', ars: [{ ar: web, holders: holders(web) }] },
        {
          id: 1,
          name: 'beta-net',
          ars: [
            { ar: b1, holders: holders(b1) },
            { ar: b2, holders: holders(b2) },
          ],
        },
      ]),
    );
    const asOf = new Date(Date.now() + 1000).toISOString();
    const applied = cli(alpha, 'reconcile', '--driver', 'alpha', '--from', file, '--as-of', asOf, '--apply', '--json');
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    const report = JSON.parse(applied.stdout) as JsonReport;
    assert.deepEqual(summary(report), ['range-missing-in-opennebula r2 10.20.1.2-10.20.1.21']);
    assert.ok(
      report.notes.some((n) => n.kind === 'other-drivers-ranges'),
      JSON.stringify(report.notes),
    );
    const book = readBook(alpha);
    assert.deepEqual(
      book.ranges.map((r) => [r.id, r.driver]),
      [
        ['r1', 'alpha'],
        ['r3', 'beta'],
        ['r4', 'beta'],
      ],
    );
    assert.deepEqual(leaseSpans(book, 'r3'), [[0, 0, 'opennebula']]);

    // beta's own reconcile of the same document agrees with the book now.
    const fromBeta = cli(alpha, 'reconcile', '--driver', 'beta', '--from', file, '--as-of', asOf);
    assert.equal(fromBeta.code, 0, fromBeta.stdout);
  } finally {
    alpha.cleanup();
    beta.cleanup();
  }
});

/**
 * The race of issue 8 item 10: oned takes its snapshot, then leases an address (the document
 * lacks it), then `onevnet` finishes writing. Returns the AR, the address leased in between, and
 * the document (holding only the first lease).
 */
function snapshotThenLease(sandbox: DriverSandbox) {
  const ar = register(sandbox, { IPAM_MAD: 'mydrv', IPAM_POOL: 'private', SIZE: '20' });
  const holders = new Map([[ar.indexOf(getAddress(sandbox, ar)), 'VM 1']]);
  const xml = onevnetList([{ id: 0, name: 'web', ars: [{ ar, holders }] }]);
  return { ar, xml };
}

/** A stand-in `onevnet` on PATH (run by the test's shell): takes a lease through the driver (oned, meanwhile), then prints `xml`. */
function fakeOnevnet(sandbox: DriverSandbox, ar: OnedAr, xml: string, pause = '0'): string {
  const bin = path.join(sandbox.dir, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  fs.writeFileSync(path.join(sandbox.dir, 'get.b64'), encodeRequest(ar.getXml(1)));
  fs.writeFileSync(path.join(sandbox.dir, 'doc.xml'), xml);
  const script = `#!/bin/sh\nsleep ${pause}\n"${sandbox.driverDir}/get_address" 9 < "${sandbox.dir}/get.b64" > /dev/null || exit 9\ncat "${sandbox.dir}/doc.xml"\n`;
  fs.writeFileSync(path.join(bin, 'onevnet'), script, { mode: 0o755 });
  return bin;
}

const withPath = (bin: string) => ({ PATH: `${bin}${path.delimiter}${childEnv('default').PATH}` });

test('--apply on a saved file never takes its modification time as "as of": --as-of is required, and a lease younger than it is kept', () => {
  const sandbox = createSandbox({ config: SAMPLE_CONFIG });
  try {
    const { ar, xml } = snapshotThenLease(sandbox);
    const snapshot = new Date(Date.now() - 1).toISOString();
    getAddress(sandbox, ar); // oned leased 10.20.0.4 after its snapshot...
    const file = path.join(sandbox.dir, 'vnets.xml');
    fs.writeFileSync(file, xml); // ...and onevnet list -x > vnets.xml finished after that
    const before = sandbox.bookBytes();

    expectFailure(cli(sandbox, 'reconcile', '--from', file, '--apply'), 2, ['--as-of', 'vnets.xml']);
    // The same file on standard input (`--from - < vnets.xml`): now is no better a time.
    const fd = fs.openSync(file, 'r');
    try {
      const redirected = spawnSync(
        path.join(sandbox.driverDir, 'nebula-ipam'),
        ['reconcile', '--from', '-', '--apply'],
        {
          env: childEnv('default', { NEBULA_IPAM_STORE: sandbox.bookPath, NEBULA_IPAM_CONFIG: sandbox.configPath }),
          stdio: [fd, 'pipe', 'pipe'],
          encoding: 'utf8',
          timeout: 30_000,
        },
      );
      expectFailure({ code: redirected.status ?? -1, stdout: redirected.stdout, stderr: redirected.stderr }, 2, [
        '--as-of',
        'saved file',
      ]);
    } finally {
      fs.closeSync(fd);
    }
    assert.deepEqual(sandbox.bookBytes(), before, 'nothing changed');

    const applied = cli(sandbox, 'reconcile', '--from', file, '--apply', '--as-of', snapshot, '--json');
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    assert.deepEqual(
      leaseSpans(readBook(sandbox), 'r1'),
      [
        [0, 0, 'opennebula'],
        [1, 1, 'opennebula'],
      ],
      'the lease made after the snapshot stays',
    );
    // A dry run still reads the file's time (it changes nothing): it would judge the young lease.
    assert.equal(cli(sandbox, 'reconcile', '--from', file).code, 1);
  } finally {
    sandbox.cleanup();
  }
});

test('onevnet list -x | reconcile --from - --apply: stamped before reading, a lease oned makes while onevnet runs is kept', () => {
  const sandbox = createSandbox({ config: SAMPLE_CONFIG });
  try {
    const { ar, xml } = snapshotThenLease(sandbox);
    const bin = fakeOnevnet(sandbox, ar, xml, '1');
    cli(sandbox, 'status'); // makes the nebula-ipam link
    // --as-of is evaluated as the pipeline starts, before onevnet asks oned for its snapshot.
    const piped = spawnSync(
      'sh',
      [
        '-c',
        `onevnet | "${sandbox.driverDir}/nebula-ipam" --json reconcile --from - --apply --as-of "$(date -u +%FT%TZ)"`,
      ],
      {
        env: childEnv('default', {
          NEBULA_IPAM_STORE: sandbox.bookPath,
          NEBULA_IPAM_CONFIG: sandbox.configPath,
          ...withPath(bin),
        }),
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    assert.equal(piped.status, 0, piped.stdout + piped.stderr);
    assert.deepEqual(leaseSpans(readBook(sandbox), 'r1'), [
      [0, 0, 'opennebula'],
      [1, 1, 'opennebula'],
    ]);
  } finally {
    sandbox.cleanup();
  }
});

test("a free oned did not honour (onevnet release of a VM's address): reconcile reports the address held in OpenNebula and free in the book, --apply adopts it (issue 8 item 13)", () => {
  const sandbox = createSandbox({ config: SAMPLE_CONFIG });
  try {
    const ar = register(sandbox, { IPAM_MAD: 'mydrv', IPAM_POOL: 'private', SIZE: '20' });
    const ip = getAddress(sandbox, ar);
    // onevnet release calls free_address, which succeeds; oned 7.4 keeps VM 1's lease.
    expectQuietSuccess(sandbox.run('free_address', ar.freeXml(ar.indexOf(ip))));
    const show = onevnetList([
      { id: 4, name: 'web', ars: [{ ar, holders: new Map([[ar.indexOf(ip), 'VM 1']]) }] },
    ]).replace(/^<VNET_POOL>|<\/VNET_POOL>$/g, '');
    const file = saveDocument(sandbox, 'show.xml', show);

    const dry = cli(sandbox, 'reconcile', '--from', file, '--json');
    assert.equal(dry.code, 1);
    assert.deepEqual(summary(JSON.parse(dry.stdout) as JsonReport), [`lease-missing-in-book r1 ${ip}`]);
    const applied = cli(sandbox, 'reconcile', '--from', file, ...APPLY());
    assert.equal(applied.code, 0, applied.stdout);
    assert.match(
      applied.stdout,
      /leased in OpenNebula only\s+r1\s+VNET 4 AR 0\s+10\.20\.0\.3\s+VM 1; free in the book\s+lease added/,
    );
    assert.deepEqual(leaseSpans(readBook(sandbox), 'r1'), [[0, 0, 'opennebula']]);
    assert.notEqual(getAddress(sandbox, ar), ip, 'the adopted address is not handed out again');
  } finally {
    sandbox.cleanup();
  }
});

test('cat vnets.xml | reconcile --from - --apply: a pipe cannot tell a saved file from onevnet, so --apply needs --as-of (issue 15 item 7)', () => {
  const sandbox = createSandbox({ config: SAMPLE_CONFIG });
  try {
    const { ar, xml } = snapshotThenLease(sandbox);
    getAddress(sandbox, ar); // oned leased 10.20.0.4 after the saved document was printed
    const file = path.join(sandbox.dir, 'vnets.xml');
    fs.writeFileSync(file, xml);
    cli(sandbox, 'status'); // makes the nebula-ipam link
    const before = sandbox.bookBytes();
    const piped = spawnSync(
      'sh',
      ['-c', `cat "${file}" | "${sandbox.driverDir}/nebula-ipam" reconcile --from - --apply`],
      {
        env: childEnv('default', { NEBULA_IPAM_STORE: sandbox.bookPath, NEBULA_IPAM_CONFIG: sandbox.configPath }),
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    expectFailure({ code: piped.status ?? -1, stdout: piped.stdout, stderr: piped.stderr }, 2, [
      '--apply',
      '--as-of',
      'a pipe cannot tell onevnet from a saved file',
    ]);
    assert.deepEqual(sandbox.bookBytes(), before, 'nothing changed: the lease made after the document stays');
    // A dry run says which time it took.
    const dry = spawnSync('sh', ['-c', `cat "${file}" | "${sandbox.driverDir}/nebula-ipam" reconcile --from -`], {
      env: childEnv('default', { NEBULA_IPAM_STORE: sandbox.bookPath, NEBULA_IPAM_CONFIG: sandbox.configPath }),
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.match(
      dry.stdout,
      /as of [0-9T:.Z-]+ \(the start of reconcile; the book judged up to [0-9T:.Z-]+, reconcileMarginSeconds 0\)/,
    );
  } finally {
    sandbox.cleanup();
  }
});

test('HA front-ends 3 s apart: a lease made one second after the document, stamped by a clock behind, is not judged (reconcileMarginSeconds, default 300) (issue 15 item 7)', () => {
  for (const margin of [undefined, 0]) {
    const sandbox = createSandbox({
      config: { pools: SAMPLE_POOLS, ...(margin === undefined ? {} : { reconcileMarginSeconds: margin }) },
    });
    try {
      const ar = register(sandbox, { IPAM_MAD: 'mydrv', IPAM_POOL: 'private', SIZE: '20' });
      // onevnet list -x on front-end B printed the AR with nothing leased; one second later (real
      // time) front-end A, whose clock is 3 s behind B's, ran get_address: stamped 2 s before B's "as of".
      const xml = onevnetList([{ id: 0, name: 'web', ars: [{ ar, holders: new Map() }] }]);
      const ip = getAddress(sandbox, ar);
      const asOf = new Date(Date.now() + 2000).toISOString();
      const file = path.join(sandbox.dir, 'vnets.xml');
      fs.writeFileSync(file, xml);
      const applied = cli(sandbox, 'reconcile', '--from', file, '--apply', '--as-of', asOf, '--json');
      const spans = leaseSpans(readBook(sandbox), 'r1');
      if (margin === undefined) {
        assert.equal(applied.code, 0, applied.stdout + applied.stderr);
        assert.deepEqual(spans, [[0, 0, 'opennebula']], `${ip} stays leased: it may be newer than the document`);
        assert.equal(
          (JSON.parse(applied.stdout) as { document: { judgedUntil: string } }).document.judgedUntil,
          new Date(Date.parse(asOf) - 300_000).toISOString(),
        );
      } else {
        // Without a margin the skew decides: the lease is judged stale and freed (what the margin prevents).
        assert.deepEqual(spans, [], 'with reconcileMarginSeconds 0 the lease is dropped');
      }
    } finally {
      sandbox.cleanup();
    }
  }
});

test('reconcileMarginSeconds must be a whole number of seconds from 0 to 86400: anything else is refused in one line naming it (exit 4)', () => {
  for (const value of [-1, 1.5, '300', 86_401]) {
    const sandbox = createSandbox({ config: { pools: SAMPLE_POOLS, reconcileMarginSeconds: value }, book: 'none' });
    try {
      expectFailure(cli(sandbox, 'reconcile', '--from', path.join(FIXTURES, 'show-ip4-with-leases.xml')), 4, [
        'reconcileMarginSeconds',
        JSON.stringify(value),
      ]);
    } finally {
      sandbox.cleanup();
    }
  }
});
