/** The pure parts of the operator CLI of issue 11: suggestions, driver choice, fitting tables, counts. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { didYouMean, editDistance, nearest } from '../../../src/core/did-you-mean.ts';
import { exitCodeHelp } from '../../../src/cli/exit-code-help.ts';
import { pickDriver } from '../../../src/cli/pick-driver.ts';
import { formatCounts } from '../../../src/cli/render/count.ts';
import { cut, fitWidths, renderTable } from '../../../src/cli/render/table.ts';
import { tableWidth } from '../../../src/cli/render/terminal-width.ts';
import { IpamError } from '../../../src/core/errors.ts';

describe('did you mean', () => {
  it('measures edits and suggests only near words', () => {
    assert.equal(editDistance('status', 'stauts'), 2);
    assert.equal(editDistance('', 'abc'), 3);
    assert.equal(nearest('stauts', ['status', 'show', 'leases']), 'status');
    assert.equal(nearest('--ownr', ['--owner', '--note']), '--owner');
    assert.equal(nearest('privte', ['private', 'public6']), 'private');
    assert.equal(nearest('zzzzzz', ['status', 'show']), undefined);
    assert.equal(nearest('status', ['status']), undefined, 'an exact word is not a typo');
    assert.equal(nearest('rec', ['reconcile', 'release', 'restore']), 'reconcile', 'a prefix of exactly one');
    assert.equal(didYouMean('x', []), '');
  });
});

describe('pick the driver', () => {
  it('given wins; one installed is used; several ask; none keeps the default', () => {
    assert.deepEqual(pickDriver('a', ['b', 'c'], '/r'), { how: 'given', name: 'a' });
    assert.deepEqual(pickDriver(undefined, ['nebula'], '/r'), { how: 'found', name: 'nebula', remotes: '/r' });
    assert.deepEqual(pickDriver(undefined, [], '/r'), { how: 'default', name: 'nebula-ipam' });
    assert.throws(
      () => pickDriver(undefined, ['lab', 'nebula'], '/r'),
      (e: unknown) => e instanceof IpamError && e.kind === 'usage' && /"lab", "nebula"/.test(e.message),
    );
  });
});

describe('tables that fit', () => {
  const columns = [
    { header: 'ID' },
    { header: 'ADDRESS' },
    { header: 'N', align: 'right' as const },
    { header: 'NOTE', shrink: true },
  ];
  const rows = [['r1', '10.0.0.1', '5', 'a long note that goes on and on']];
  it('cut free text first, with an ellipsis, and never a number', () => {
    const text = renderTable(columns, rows, 30);
    assert.ok(
      text.split('\n').every((l) => l.length <= 30),
      text,
    );
    assert.match(text, /a long[^\n]*\u2026\n/);
    assert.match(text, /10\.0\.0\.1/);
    assert.equal(renderTable(columns, rows), renderTable(columns, rows, 500), 'no limit, or room enough: whole');
  });
  it('then other text columns, never below their header, and coloured cells stay whole', () => {
    const widths = fitWidths(columns, [2, 20, 1, 30], [['r1', 'x'.repeat(20), '5', 'y'.repeat(30)]], 20);
    assert.equal(widths[2], 1);
    assert.ok(widths[1]! >= 'ADDRESS'.length && widths[3]! >= 'NOTE'.length);
    assert.deepEqual(fitWidths([{ header: 'B' }], [10], [['\u001b[31m##########\u001b[0m']], 5), [10]);
    assert.equal(cut('abcdef', 4), 'abc\u2026');
    assert.equal(cut('abc', 4), 'abc');
  });
  it('take the width from the terminal only', () => {
    assert.equal(tableWidth({ wide: false, stdoutIsTty: true, ttyColumns: 100, env: {} }), 100);
    assert.equal(tableWidth({ wide: false, stdoutIsTty: true, ttyColumns: undefined, env: { COLUMNS: '90' } }), 90);
    assert.equal(tableWidth({ wide: false, stdoutIsTty: true, ttyColumns: undefined, env: {} }), 80);
    assert.equal(tableWidth({ wide: false, stdoutIsTty: false, ttyColumns: 100, env: { COLUMNS: '90' } }), undefined);
    assert.equal(tableWidth({ wide: true, stdoutIsTty: true, ttyColumns: 100, env: {} }), undefined);
  });
});

describe('counts and exit codes', () => {
  it('plain integers up to 2^53, the exponent form above, cell by cell', () => {
    assert.deepEqual(formatCounts([3n, 65536n]), ['3', '65536']);
    assert.deepEqual(formatCounts([3n, 1n << 64n]), ['3', '1.84e19']);
    assert.deepEqual(formatCounts([20n, 2_000_000_000n, 1n << 53n]), ['20', '2000000000', '9007199254740992']);
    assert.deepEqual(formatCounts([0n, 1n << 64n]), ['0', '1.84e19']);
  });
  it('lists each code once, in order', () => {
    assert.equal(
      exitCodeHelp([
        [5, 'b'],
        [0, 'ok'],
        [5, 'c'],
      ]),
      'Exit codes:\n  0    ok\n  5    b; c\n',
    );
  });
});
