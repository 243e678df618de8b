/** The one file reader (`src/regular-file.ts`): what it refuses, and in which words and kind. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import type { ErrorKind } from '../../../src/core/errors.ts';
import { FileTooBig, NotRegularFile, readRegularFile } from '../../../src/access/regular-file.ts';
import { expectIpamError } from '../../support/expect-ipam-error.ts';

function withDir(body: (dir: string) => void): () => void {
  return () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nebula-ipam-regular-'));
    try {
      body(dir);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };
}

/** The error `fn` throws, checked as expectIpamError checks it. */
function thrown(fn: () => unknown, kind: ErrorKind, mentions: readonly string[]): unknown {
  expectIpamError(fn, kind, mentions);
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

const RULES = { what: 'the test file', kind: 'config', maxBytes: 16 } as const;

test(
  'reads a regular file, through a symlink unless told not to; nothing at the name is undefined',
  withDir((dir) => {
    const file = path.join(dir, 'file');
    fs.writeFileSync(file, 'sixteen bytes ok');
    fs.symlinkSync(file, path.join(dir, 'link'));
    assert.equal(readRegularFile(file, RULES)?.bytes.toString(), 'sixteen bytes ok');
    assert.equal(readRegularFile(path.join(dir, 'link'), RULES)?.stat.size, 16);
    assert.equal(readRegularFile(path.join(dir, 'missing'), RULES), undefined);
    const refused = thrown(() => readRegularFile(path.join(dir, 'link'), { ...RULES, follow: false }), 'config', [
      path.join(dir, 'link'),
      'a symlink',
    ]);
    assert.ok(refused instanceof NotRegularFile);
  }),
);

test(
  'a FIFO, a directory and a device are refused in the kind asked for, without blocking',
  withDir((dir) => {
    const fifo = path.join(dir, 'fifo');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    for (const [file, kind] of [
      [fifo, 'a FIFO (named pipe)'],
      [dir, 'a directory'],
      ['/dev/zero', 'a character device'],
    ] as const) {
      const refused = thrown(() => readRegularFile(file, RULES), 'config', [file, kind, 'not a regular file']);
      assert.ok(refused instanceof NotRegularFile);
    }
  }),
);

test(
  'a file over the cap is refused without being read, as FileTooBig with its size',
  withDir((dir) => {
    const file = path.join(dir, 'big');
    fs.writeFileSync(file, 'x'.repeat(17));
    const refused = thrown(() => readRegularFile(file, RULES), 'config', [file, '17 bytes', '16 bytes']);
    assert.ok(refused instanceof FileTooBig);
    assert.equal(refused.bytes, 17);
  }),
);
