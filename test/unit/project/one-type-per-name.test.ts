/**
 * A type is written once (item 7: `FileOwner` was declared in install/ and in store/file/, the
 * Kea edge had its own `Family`): an exported interface or type name of src/ is declared in one
 * file, unless the two are different things that happen to share a name (listed here).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../../support/driver-harness.ts';

/** Names two files use for different things (a shape, not a copy of one). */
const DIFFERENT_THINGS = new Set(['BookSource', 'DriverChoice', 'Origin']);

function sourceFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) =>
      entry.isDirectory()
        ? sourceFiles(path.join(dir, entry.name))
        : entry.name.endsWith('.ts')
          ? [path.join(dir, entry.name)]
          : [],
    );
}

test('every exported type name of src/ is declared in one file', () => {
  const files = new Map<string, string[]>();
  for (const file of sourceFiles(path.join(REPO_ROOT, 'src'))) {
    for (const match of fs.readFileSync(file, 'utf8').matchAll(/^export (?:interface|type) ([A-Za-z0-9_]+)/gm)) {
      const name = match[1]!;
      files.set(name, [...(files.get(name) ?? []), path.relative(REPO_ROOT, file)]);
    }
  }
  const twice = [...files.entries()].filter(([name, where]) => where.length > 1 && !DIFFERENT_THINGS.has(name));
  assert.deepEqual(twice, [], 'import the one declaration instead of writing the type again');
});
