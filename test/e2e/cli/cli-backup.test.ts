/** export / import / restore / log, black-box, on books written by the driver and the CLI. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { expectReply } from '../../support/driver-assert.ts';
import { createCliSandbox, expectCliFailure, expectOk, type CliSandbox } from '../../support/cli-harness.ts';

const CONFIG = {
  pools: [{ name: 'private', network: '10.20.0.0/16', subnetPrefix: 24, dns: ['10.20.0.2'], default: true }],
};

describe('export, import, restore, log', () => {
  let s: CliSandbox;
  let other: CliSandbox;
  before(() => {
    s = createCliSandbox({ config: CONFIG });
    other = createCliSandbox({ config: CONFIG });
    const ar = s.register({ SIZE: '10' }, '3');
    expectReply(s.run('get_address', ar.getXml(2), { requestId: '4' }), 'ADDRESS');
    expectOk(s.cli(['lease', '--pool', 'private', '--count', '2', '--owner', 'web, "front"', '--note', 'a,b']));
  });
  after(() => {
    s.cleanup();
    other.cleanup();
  });

  it('exports the book in its own format and as CSV, one row per lease', () => {
    assert.equal(expectOk(s.cli(['export'])), fs.readFileSync(s.bookPath, 'utf8'));
    const csv = expectOk(s.cli(['export', '--format', 'csv'])).split('\r\n');
    assert.equal(
      csv[0],
      'range,pool,type,managed_by,range_first,range_last,addresses,count,holder,owner,note,mac,request_id,since',
    );
    assert.match(
      csv[1]!,
      /^r1,private,IP4,opennebula,10\.20\.0\.3,10\.20\.0\.12,10\.20\.0\.3-10\.20\.0\.4,2,opennebula,,,02:00:0a:14:00:03,4,/,
    );
    assert.match(
      csv[2]!,
      /^r2,private,IP4,operator,10\.20\.1\.2,10\.20\.1\.254,10\.20\.1\.2-10\.20\.1\.3,2,operator,"web, ""front""","a,b",,,/,
    );
    assert.equal(csv.length, 4);
    expectCliFailure(s.cli(['export', '--format', 'xml']), 2, ['xml']);
  });

  it('imports an export into another store, then refuses to import it twice', () => {
    const file = path.join(s.dir, 'backup.json');
    fs.writeFileSync(file, expectOk(s.cli(['export'])));
    assert.match(expectOk(other.cli(['import', file])), /^Imported 2 ranges with 2 leases/);
    assert.deepEqual(other.json<{ leases: unknown[] }>(['leases']), s.json<{ leases: unknown[] }>(['leases']));
    const bytes = other.bookBytes();
    expectCliFailure(other.cli(['import', file]), 5, ['r1', "OpenNebula's", 'nothing was imported']);
    assert.deepEqual(other.bookBytes(), bytes);
  });

  it('refuses a file that is not a lease book, naming the file and the field', () => {
    const bad = path.join(s.dir, 'bad.json');
    fs.writeFileSync(bad, '{"schema":1,"generation":1,"nextRangeId":2,"ranges":[{"id":"r1","type":"IP5"}]}');
    const bytes = other.bookBytes();
    expectCliFailure(other.cli(['import', bad]), 3, [bad, 'ranges[0].type']);
    expectCliFailure(other.cli(['import', path.join(s.dir, 'missing.json')]), 5, ['missing.json', 'no such file']);
    assert.deepEqual(other.bookBytes(), bytes);
  });

  it('restore shows what would change, applies only with --yes, and a second restore undoes it', () => {
    const before = s.bookBytes()!;
    expectOk(s.cli(['release', '--owner', 'web, "front"']));
    const released = s.bookBytes()!;
    const preview = expectOk(s.cli(['restore']));
    assert.match(preview, /lease-added +r2 +10\.20\.1\.2-10\.20\.1\.3/);
    assert.match(preview, /run again with --yes/);
    assert.deepEqual(s.bookBytes(), released);
    const applied = s.json<{ applied: boolean; generation: number; changes: { change: string }[] }>([
      'restore',
      '--yes',
    ]);
    assert.equal(applied.applied, true);
    assert.deepEqual(
      applied.changes.map((c) => c.change),
      ['lease-added'],
    );
    const restored = JSON.parse(s.bookBytes()!.toString());
    assert.deepEqual(restored.ranges, JSON.parse(before.toString()).ranges);
    assert.equal(restored.generation, JSON.parse(released.toString()).generation + 1);
    // Undo: the released book comes back.
    expectOk(s.cli(['restore', '--yes']));
    assert.deepEqual(JSON.parse(s.bookBytes()!.toString()).ranges, JSON.parse(released.toString()).ranges);
    expectOk(s.cli(['restore', '--yes']));
  });

  it('restore repairs a book that no longer decodes', () => {
    const good = JSON.parse(s.bookBytes()!.toString());
    fs.writeFileSync(s.bookPath, '{"schema":1,"generation":');
    expectCliFailure(s.cli(['status']), 7, [s.bookPath, 'restore']);
    assert.match(expectOk(s.cli(['restore'])), /does not decode/);
    expectOk(s.cli(['restore', '--yes']));
    assert.equal(s.json<{ ranges: unknown[] }>(['status']).ranges.length, good.ranges.length);
    assert.equal(
      fs.readFileSync(`${s.bookPath}.prev`, 'utf8'),
      '{"schema":1,"generation":',
      'the broken book is kept for inspection',
    );
  });

  it('restore without a previous generation says so', () => {
    const fresh = createCliSandbox({ config: CONFIG });
    try {
      expectCliFailure(fresh.cli(['restore']), 5, ['.prev']);
    } finally {
      fresh.cleanup();
    }
  });

  it('log lists changes by oned and by operators, filtered by address and time', () => {
    const records = s.json<{ records: { actor: string; action: string; addresses?: string }[] }>([
      'log',
      '--ip',
      '10.20.0.4',
    ]).records;
    assert.deepEqual(
      records.map((r) => `${r.actor} ${r.action} ${r.addresses}`),
      ['oned:3 register_address_range 10.20.0.3-10.20.0.12', 'oned:4 get_address 10.20.0.3-10.20.0.4'],
    );
    const table = expectOk(s.cli(['log', '--last', '3']));
    assert.match(table, /^TIME +ACTOR +ACTION/);
    assert.equal(table.trim().split('\n').length, 4);
    assert.equal(s.json<{ records: unknown[] }>(['log', '--since', '2099-01-01']).records.length, 0);
    assert.ok(s.json<{ records: unknown[] }>(['log', '--since', '1h']).records.length >= 5);
    expectCliFailure(s.cli(['log', '--since', 'yesterday']), 2, ['yesterday']);
    fs.appendFileSync(`${s.bookPath}.audit.jsonl`, 'not json\n');
    assert.equal(s.json<{ skipped: number }>(['log']).skipped, 1);
  });
});

describe('restore never hands a range id out twice (issue 8 item 3)', () => {
  /** Two networks registered, the second one's book write undone by restore; a third network registered. */
  function restoreAfterSecondRegister(s: CliSandbox, spoil?: (bookPath: string) => void) {
    const first = s.register({ SIZE: '10' }, '1');
    const old = s.register({ SIZE: '10' }, '2');
    assert.equal(old.attrs.NEBULA_IPAM_RANGE, 'r2');
    assert.equal(old.attrs.IP, '10.20.1.2');
    spoil?.(s.bookPath);
    expectOk(s.cli(['restore', '--yes']));
    const fresh = s.register({ SIZE: '10' }, '3');
    return { first, old, fresh };
  }

  it('restore --yes keeps the range oned registered since; the next register gets a new id and other addresses', () => {
    const s = createCliSandbox({ config: CONFIG });
    try {
      const { old, fresh } = restoreAfterSecondRegister(s);
      assert.equal(fresh.attrs.NEBULA_IPAM_RANGE, 'r3', 'r2 was handed out before the restore: never again');
      assert.notEqual(fresh.attrs.IP, old.attrs.IP, "r2 is still oned's network: its subnet is not carved again");
      const leased = expectReply(s.run('get_address', fresh.getXml(1), { requestId: '4' }), 'ADDRESS').get('IP');
      assert.equal(leased, fresh.attrs.IP);
      fresh.noteLeased(0n);

      // The old network's AR still says r2, which is still its own range.
      const oldLease = expectReply(s.run('get_address', old.getXml(1), { requestId: '5' }), 'ADDRESS').get('IP');
      assert.equal(oldLease, old.attrs.IP);
      // Deleting the old network unregisters r2 alone: the new range and its lease stay.
      s.run('free_address', old.freeXml(0n), { requestId: '6' });
      s.run('unregister_address_range', old.unregisterXml('delete'), { requestId: '7' });
      const book = s.json<{ ranges: { id: string; used: number }[] }>(['status']);
      assert.deepEqual(book.ranges.map((r) => r.id).sort(), ['r1', 'r3']);
      const leases = s.json<{ leases: { range: string; addresses: string }[] }>(['leases']).leases;
      assert.ok(
        leases.some((l) => l.range === 'r3' && l.addresses.startsWith(leased!)),
        JSON.stringify(leases),
      );
    } finally {
      s.cleanup();
    }
  });

  it('restore --yes never drops what oned leased since: the next get_address hands out another address', () => {
    const s = createCliSandbox({ config: CONFIG });
    try {
      const net = s.register({ SIZE: '10' }, '1');
      expectOk(s.cli(['lease', '--pool', 'private', '--owner', 'bmc-7']));
      const vm = expectReply(s.run('get_address', net.getXml(1), { requestId: '2' }), 'ADDRESS').get('IP');
      net.noteLeased(0n);
      const preview = s.json<{ changes: { change: string }[] }>(['restore']);
      assert.ok(
        !preview.changes.some((c) => c.change === 'lease-removed' && JSON.stringify(c).includes(vm!)),
        JSON.stringify(preview.changes),
      );
      expectOk(s.cli(['restore', '--yes']));
      const leases = s.json<{ leases: { range: string; addresses: string; holder: string }[] }>(['leases']).leases;
      assert.ok(
        leases.some((l) => l.addresses.startsWith(vm!)),
        `the VM's ${vm} is still leased: ${JSON.stringify(leases)}`,
      );
      const next = expectReply(s.run('get_address', net.getXml(1), { requestId: '3' }), 'ADDRESS').get('IP');
      assert.notEqual(next, vm);
    } finally {
      s.cleanup();
    }
  });

  it('restoring over a book that no longer decodes still keeps the ids its text names', () => {
    const s = createCliSandbox({ config: CONFIG });
    try {
      // The newest write was torn after the second range's line began: the counter is in the text.
      const { fresh } = restoreAfterSecondRegister(s, (bookPath) => {
        const text = fs.readFileSync(bookPath, 'utf8');
        fs.writeFileSync(bookPath, text.slice(0, text.indexOf('"id":"r2"') + 12));
      });
      assert.equal(fresh.attrs.NEBULA_IPAM_RANGE, 'r3');
    } finally {
      s.cleanup();
    }
  });
});

describe('import never takes the range-id counter back (issue 8 item 3)', () => {
  it('an older export brings its range back, and the next register still gets a new id', () => {
    const s = createCliSandbox({ config: CONFIG });
    try {
      const first = s.register({ SIZE: '10' }, '1');
      const file = path.join(s.dir, 'old-export.json');
      fs.writeFileSync(file, expectOk(s.cli(['export']))); // nextRangeId 2
      const second = s.register({ SIZE: '10' }, '2');
      assert.equal(second.attrs.NEBULA_IPAM_RANGE, 'r2');
      s.run('unregister_address_range', first.unregisterXml('delete'), { requestId: '3' });
      assert.match(expectOk(s.cli(['import', file])), /^Imported 1 range/);
      const third = s.register({ SIZE: '10' }, '4');
      assert.equal(
        third.attrs.NEBULA_IPAM_RANGE,
        'r3',
        "r2 is still handed out: the old export's counter does not win",
      );
      assert.deepEqual(
        s
          .json<{ ranges: { id: string }[] }>(['status'])
          .ranges.map((r) => r.id)
          .sort(),
        ['r1', 'r2', 'r3'],
      );
    } finally {
      s.cleanup();
    }
  });
});
