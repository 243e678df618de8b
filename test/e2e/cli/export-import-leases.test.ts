/**
 * `export --format json` (one object per lease, for scripts) and `import --format csv` (the
 * operator leases of `export --format csv`, back at their addresses), black-box on books the
 * driver and the CLI wrote. A bad row refuses the file with one line naming line, column and
 * value, and the book keeps its bytes.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { expectReply } from '../../support/driver-assert.ts';
import { createCliSandbox, expectCliFailure, expectOk, type CliSandbox } from '../../support/cli-harness.ts';

const CONFIG = {
  pools: [
    { name: 'private', network: '10.20.0.0/16', subnetPrefix: 24, dns: ['10.20.0.2'], default: true },
    { name: 'lab', network: '10.30.0.0/16', subnetPrefix: 24 },
  ],
};

const KEYS = [
  'range',
  'rangeType',
  'managedBy',
  'pool',
  'family',
  'first',
  'last',
  'count',
  'holder',
  'owner',
  'note',
  'mac',
  'requestId',
  'since',
];

interface LeaseObject {
  readonly [key: string]: unknown;
}

describe('export --format json and import --format csv', () => {
  let s: CliSandbox;
  let csvFile: string;
  let csvText: string;
  before(() => {
    s = createCliSandbox({ config: CONFIG });
    const ar = s.register({ SIZE: '10' }, '3');
    expectReply(s.run('get_address', ar.getXml(2), { requestId: '4' }), 'ADDRESS');
    expectOk(s.cli(['lease', '--pool', 'private', '--count', '2', '--owner', 'web, "front"', '--note', 'a,b']));
    expectOk(s.cli(['lease', '--pool', 'private', '--ip', '10.20.0.9', '--owner', 'bm-1']));
    expectOk(s.cli(['lease', '--pool', 'lab', '--ip', '10.30.5.7', '--owner', 'bm-2', '--note', 'rack 9']));
    csvText = expectOk(s.cli(['export', '--format', 'csv']));
    csvFile = path.join(s.dir, 'leases.csv');
    fs.writeFileSync(csvFile, csvText);
  });
  after(() => s.cleanup());

  /** A sandbox with the same config where oned registered the same network: r1 is there, free. */
  function target(): CliSandbox {
    const t = createCliSandbox({ config: CONFIG });
    t.register({ SIZE: '10' }, '7');
    return t;
  }

  it('export --format json has one object per lease, every documented key in each', () => {
    const out = JSON.parse(expectOk(s.cli(['export', '--format', 'json'])));
    assert.equal(out.format, 'nebula-ipam leases');
    assert.equal(out.version, 1);
    assert.equal(typeof out.generation, 'number');
    const leases: LeaseObject[] = out.leases;
    assert.equal(leases.length, 4);
    for (const lease of leases) assert.deepEqual(Object.keys(lease), KEYS);
    assert.deepEqual(leases[0], {
      range: 'r1',
      rangeType: 'IP4',
      managedBy: 'opennebula',
      pool: 'private',
      family: 'ipv4',
      first: '10.20.0.3',
      last: '10.20.0.4',
      count: 2,
      holder: 'opennebula',
      owner: null,
      note: null,
      mac: '02:00:0a:14:00:03',
      requestId: '4',
      since: leases[0]!.since,
    });
    assert.match(String(leases[0]!.since), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const operator = leases
      .filter((l) => l.holder === 'operator')
      .map((l) => [l.range, l.first, l.last, l.owner, l.note]);
    assert.deepEqual(operator, [
      ['r1', '10.20.0.9', '10.20.0.9', 'bm-1', null],
      ['r2', '10.20.1.2', '10.20.1.3', 'web, "front"', 'a,b'],
      ['r3', '10.30.5.7', '10.30.5.7', 'bm-2', 'rack 9'],
    ]);
    assert.equal(leases.find((l) => l.range === 'r2')!.managedBy, 'operator');
  });

  it('export alone, --format book and --json alone are still the book itself (the backup import reads)', () => {
    const book = fs.readFileSync(s.bookPath, 'utf8');
    assert.equal(expectOk(s.cli(['export'])), book);
    assert.equal(expectOk(s.cli(['export', '--format', 'book'])), book);
    assert.equal(expectOk(s.cli(['--json', 'export'])), book);
    expectCliFailure(s.cli(['export', '--format', 'yaml']), 2, ['book, json or csv', '"yaml"']);
  });

  it('import --format csv puts the operator leases back, skipping OpenNebula rows; a dry run changes nothing', () => {
    const t = target();
    try {
      const bytes = t.bookBytes();
      assert.equal(
        expectOk(t.cli(['import', csvFile, '--format', 'csv', '--dry-run'])),
        `Would import 3 operator leases (4 addresses) from ${csvFile} (making operator ranges r2, r3 again)\n` +
          "Skipped 1 OpenNebula lease (oned's own; reconcile brings it back)\nDry run: nothing was changed.\n",
      );
      assert.deepEqual(t.bookBytes(), bytes);
      assert.match(
        expectOk(t.cli(['import', csvFile, '--format', 'csv'])),
        /^Imported 3 operator leases \(4 addresses\) from \S+ \(made operator ranges r2, r3 again\)\n/,
      );
      const view = (x: CliSandbox) => x.json<{ leases: LeaseObject[] }>(['leases', '--holder', 'operator']).leases;
      assert.deepEqual(view(t), view(s));
      // The round trip: the target exports the same operator rows (OpenNebula's differ: oned took none there).
      const operatorRows = (text: string) => text.split('\r\n').filter((line) => line.includes(',operator,'));
      assert.deepEqual(operatorRows(expectOk(t.cli(['export', '--format', 'csv']))), operatorRows(csvText));
      const ranges = t.json<{ ranges: { id: string; first: string; last: string }[] }>(['range', 'list']).ranges;
      assert.deepEqual(
        ranges.map((r) => [r.id, r.first, r.last]),
        [
          ['r1', '10.20.0.3', '10.20.0.12'],
          ['r2', '10.20.1.2', '10.20.1.254'],
          ['r3', '10.30.5.7', '10.30.5.7'],
        ],
      );
      // Twice: the addresses are taken now, and nothing changes.
      const after = t.bookBytes();
      expectCliFailure(t.cli(['import', csvFile, '--format', 'csv']), 5, [
        'line 3',
        'column addresses',
        '"10.20.0.9"',
        'is taken: it is leased to "bm-1"',
        'nothing was imported',
      ]);
      assert.deepEqual(t.bookBytes(), after);
    } finally {
      t.cleanup();
    }
  });

  it('an operator lease whose OpenNebula range is not in this book is refused, not given a range oned does not know', () => {
    const t = createCliSandbox({ config: CONFIG });
    try {
      const bytes = t.bookBytes();
      expectCliFailure(t.cli(['import', csvFile, '--format', 'csv']), 5, [
        'line 3',
        'column addresses',
        '"10.20.0.9"',
        "OpenNebula's (r1)",
      ]);
      assert.deepEqual(t.bookBytes(), bytes);
    } finally {
      t.cleanup();
    }
  });

  it('a bad row, even the last one, refuses the file naming its line, column and value', () => {
    const lines = csvText.split('\r\n');
    const last = lines.length - 2; // the last row (index), before the final empty string
    const withLast = (edit: (row: string) => string) =>
      [...lines.slice(0, last), edit(lines[last]!), ...lines.slice(last + 1)].join('\r\n');
    const lastRow = lines[last]!;
    assert.match(lastRow, /^r3,lab,/);
    const cases: [string, string, number, string[]][] = [
      [
        'bad address',
        withLast((r) => r.replace(',10.30.5.7,1,', ',10.30.5.300,1,')),
        3,
        ['line 5', 'column addresses', '"10.30.5.300"'],
      ],
      [
        'wrong count',
        withLast((r) => r.replace(',10.30.5.7,1,', ',10.30.5.7,2,')),
        3,
        ['line 5', 'column count', '"2"'],
      ],
      ['unknown pool', withLast((r) => r.replace('r3,lab,', 'r3,labb,')), 5, ['line 5', 'column pool', '"labb"']],
      [
        'a note on two lines',
        withLast((r) => r.replace(',rack 9,', ',"rack\n9",')),
        3,
        ['line 5', 'column note', '"rack\\n9"', 'line break'],
      ],
      ['empty owner', withLast((r) => r.replace(',bm-2,', ',,')), 3, ['line 5', 'column owner', '""']],
      ['bad time', withLast((r) => r.replace(/,[^,]+$/, ',yesterday')), 3, ['line 5', 'column since', '"yesterday"']],
      [
        'bad holder',
        withLast((r) => r.replace(',operator,bm-2', ',someone,bm-2')),
        3,
        ['line 5', 'column holder', '"someone"'],
      ],
      ['a missing field', withLast((r) => r.replace(/,[^,]+$/, '')), 3, ['line 5', '13 fields', 'the header 14']],
      ['an unclosed quote', `${csvText}r9,lab,"oops\r\n`, 3, ['line 7', 'never closed']],
      ['unknown column', csvText.replace('owner,', 'ownr,'), 3, ['line 1', 'column 10', '"ownr"']],
    ];
    const t = target();
    try {
      const bytes = t.bookBytes();
      for (const [what, text, code, mentions] of cases) {
        const file = path.join(s.dir, 'bad.csv');
        fs.writeFileSync(file, text);
        const message = expectCliFailure(t.cli(['import', file, '--format', 'csv']), code, [
          ...mentions,
          'nothing was imported',
        ]);
        assert.ok(message.startsWith(`Cannot import ${file}: `), `${what}: ${message}`);
        assert.deepEqual(t.bookBytes(), bytes, `${what}: the book is unchanged`);
      }
    } finally {
      t.cleanup();
    }
  });

  it('import without --format csv says what the file is when it is a CSV or the JSON for scripts', () => {
    const t = target();
    try {
      expectCliFailure(t.cli(['import', csvFile]), 3, ['a CSV of leases', '--format csv']);
      const json = path.join(s.dir, 'leases-for-scripts.json');
      fs.writeFileSync(json, expectOk(s.cli(['export', '--format', 'json'])));
      expectCliFailure(t.cli(['import', json]), 3, ['export --format json', 'not a lease book']);
      expectCliFailure(t.cli(['import', csvFile, '--format', 'json']), 2, ['book or csv', '"json"']);
    } finally {
      t.cleanup();
    }
  });
});
