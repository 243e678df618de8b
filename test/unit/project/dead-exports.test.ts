/**
 * No export of src/ is dead (issue 17 item 7): each is imported by some other file of src/,
 * test/, bench/ or scripts/ (scripts/dead-exports.ts, an equivalent of knip's unused exports).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { deadExports } from '../../../scripts/dead-exports.ts';
import { REPO_ROOT } from '../../support/driver-harness.ts';

test('every export of src/ is imported by another file', () => {
  assert.deepEqual(
    deadExports(REPO_ROOT),
    [],
    'drop the `export` of what only its own file uses, delete what nothing uses (node --import tsx scripts/dead-exports.ts lists them)',
  );
});

test('an export nobody imports is found; imports of every form count as uses', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dead-exports-'));
  try {
    const write = (file: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      fs.writeFileSync(path.join(root, file), text);
    };
    write(
      'src/a.ts',
      [
        'export function used() {}',
        'export const viaType = 1;',
        'export async function dead() {}',
        'export interface NotAValue {}',
        'const local = 2;',
        'export { local as renamed };',
      ].join('\n'),
    );
    write('src/b.ts', "import { used, type viaType as v } from './a.ts';\nexport const everything = 1;\n");
    write('src/c.ts', "import * as all from './b.ts';\nexport { renamed } from './a.ts';\nvoid all;\n");
    write('test/c.test.ts', "const m = await import('../src/c.ts');\n");
    assert.deepEqual(deadExports(root), ['src/a.ts: dead']);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
