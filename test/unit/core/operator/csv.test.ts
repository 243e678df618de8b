/** The CSV `export --format csv` writes is the CSV `import --format csv` reads, spreadsheets' quirks included. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { csvLine, parseCsv } from '../../../../src/core/operator/csv.ts';

test('fields with commas, quotes and line breaks come back as they were written', () => {
  const rows = [
    ['a', 'b, c', 'say "hi"', ''],
    ['x\r\ny', '"', ',', 'plain'],
  ];
  const text = `${rows.map(csvLine).join('\r\n')}\r\n`;
  assert.deepEqual(
    parseCsv(text, 'f.csv').map((r) => r.fields),
    rows,
  );
  // The second record starts on line 2 and its quoted line break makes the file 3 lines long.
  assert.deepEqual(
    parseCsv(text, 'f.csv').map((r) => r.line),
    [1, 2],
  );
});

test('LF line ends and blank lines are read; a record after a quoted line break is numbered by its file line', () => {
  assert.deepEqual(parseCsv('h1,h2\n\n"a\nb",c\nd,e', 'f.csv'), [
    { line: 1, fields: ['h1', 'h2'] },
    { line: 3, fields: ['a\nb', 'c'] },
    { line: 5, fields: ['d', 'e'] },
  ]);
});

test('an unclosed quote and text after a closing quote are refused, naming the file and line', () => {
  assert.throws(
    () => parseCsv('a,b\n"open,c\n', 'f.csv'),
    /^IpamError: Cannot import f\.csv: line 3: a quoted field is never closed/,
  );
  assert.throws(
    () => parseCsv('a,b\n"x"y,c\n', 'f.csv'),
    /Cannot import f\.csv: line 2: "y" right after a closing quote/,
  );
});
