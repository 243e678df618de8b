/**
 * The file book's path and file handling in one process: where a symlinked book really is, which
 * files are refused before they are read, and whose the files root makes are.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { realBookPath } from '../../../../src/store/file/book-path.ts';
import { storeOwner } from '../../../../src/store/file/ownership.ts';
import { MAX_BOOK_BYTES, readBook } from '../../../../src/store/file/read-book.ts';
import { openRegularFile } from '../../../../src/access/regular-file.ts';
import { expectIpamError } from '../../../support/expect-ipam-error.ts';

const RULES = { what: 'the test file', kind: 'store-io', follow: false } as const;

function withDir(body: (dir: string) => void): () => void {
  return () => {
    const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'nebula-ipam-files-')));
    try {
      body(dir);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };
}

test(
  "a book that is a symlink resolves to its target; a relative link against the link's directory",
  withDir((dir) => {
    fs.mkdirSync(path.join(dir, 'shared'));
    fs.mkdirSync(path.join(dir, 'fe'));
    fs.writeFileSync(path.join(dir, 'shared', 'leases.json'), '{}');
    fs.symlinkSync('../shared/leases.json', path.join(dir, 'fe', 'leases.json'));
    assert.equal(realBookPath(path.join(dir, 'fe', 'leases.json')), path.join(dir, 'shared', 'leases.json'));
  }),
);

test(
  'a book not written yet resolves through its directory, even a missing one under a symlinked one',
  withDir((dir) => {
    fs.mkdirSync(path.join(dir, 'real'));
    fs.symlinkSync(path.join(dir, 'real'), path.join(dir, 'link'));
    assert.equal(realBookPath(path.join(dir, 'link', 'leases.json')), path.join(dir, 'real', 'leases.json'));
    assert.equal(
      realBookPath(path.join(dir, 'link', 'a', 'b', 'leases.json')),
      path.join(dir, 'real', 'a', 'b', 'leases.json'),
    );
  }),
);

test(
  'a book that is a symlink to nothing, or under a directory symlink to nothing, is refused naming the link and its target',
  withDir((dir) => {
    fs.symlinkSync(path.join(dir, 'gone', 'leases.json'), path.join(dir, 'leases.json'));
    expectIpamError(() => realBookPath(path.join(dir, 'leases.json')), 'store-io', [
      path.join(dir, 'leases.json'),
      path.join(dir, 'gone', 'leases.json'),
      'does not exist',
    ]);
    fs.symlinkSync(path.join(dir, 'unmounted'), path.join(dir, 'share'));
    expectIpamError(() => realBookPath(path.join(dir, 'share', 'leases.json')), 'store-io', [
      path.join(dir, 'share'),
      path.join(dir, 'unmounted'),
    ]);
  }),
);

test(
  'the path is resolved once per process: a symlink changed later does not move the book',
  withDir((dir) => {
    fs.writeFileSync(path.join(dir, 'one'), '{}');
    fs.writeFileSync(path.join(dir, 'two'), '{}');
    const link = path.join(dir, 'leases.json');
    fs.symlinkSync(path.join(dir, 'one'), link);
    assert.equal(realBookPath(link), path.join(dir, 'one'));
    fs.rmSync(link);
    fs.symlinkSync(path.join(dir, 'two'), link);
    assert.equal(realBookPath(link), path.join(dir, 'one'));
  }),
);

test(
  'a FIFO, a directory or a symlink is refused at once, naming the file; a regular file opens',
  withDir((dir) => {
    const fifo = path.join(dir, 'fifo');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    for (const flags of [fs.constants.O_RDONLY, fs.constants.O_WRONLY | fs.constants.O_APPEND]) {
      expectIpamError(() => openRegularFile(fifo, flags, RULES), 'store-io', [fifo, 'not a regular file']);
    }
    expectIpamError(() => openRegularFile(dir, fs.constants.O_RDONLY, RULES), 'store-io', ['a directory']);
    fs.writeFileSync(path.join(dir, 'file'), 'x');
    fs.symlinkSync(path.join(dir, 'file'), path.join(dir, 'link'));
    expectIpamError(() => openRegularFile(path.join(dir, 'link'), fs.constants.O_RDONLY, RULES), 'store-io', [
      'a symlink',
    ]);
    const { fd, stat } = openRegularFile(path.join(dir, 'file'), fs.constants.O_RDONLY, RULES);
    fs.closeSync(fd);
    assert.equal(stat.size, 1);
  }),
);

test(
  'a book over MAX_BOOK_BYTES is refused as corrupt without being read; a missing one reads as absent',
  withDir((dir) => {
    const book = path.join(dir, 'leases.json');
    assert.equal(readBook(book, 'the lease book'), undefined);
    fs.writeFileSync(book, '');
    fs.truncateSync(book, MAX_BOOK_BYTES + 1);
    expectIpamError(() => readBook(book, 'the lease book'), 'store-corrupt', [book, '257 MiB', 'restore']);
  }),
);

test(
  "root gives new files the book's owner, or its nearest existing directory's",
  { skip: process.geteuid?.() !== 0 ? 'only root can give files away' : false },
  withDir((dir) => {
    const book = path.join(dir, 'leases.json');
    fs.chownSync(dir, 4242, 4343);
    assert.deepEqual(storeOwner(path.join(dir, 'new', 'deeper', 'leases.json')), { uid: 4242, gid: 4343 });
    fs.writeFileSync(book, '{}');
    fs.chownSync(book, 5151, 5252);
    assert.deepEqual(storeOwner(book), { uid: 5151, gid: 5252 });
    fs.chownSync(book, 0, 0);
    assert.equal(storeOwner(book), undefined, 'a root-owned book: nothing to give');
  }),
);

test(
  "root follows a user's symlink only into that user's own directories",
  { skip: process.geteuid?.() !== 0 ? "the rule is root's" : false },
  withDir((dir) => {
    fs.mkdirSync(path.join(dir, 'etc'));
    fs.writeFileSync(path.join(dir, 'etc', 'passwd'), 'root:x:0:0::/root:/bin/sh\n');
    fs.mkdirSync(path.join(dir, 'users'));
    fs.mkdirSync(path.join(dir, 'shared'));
    fs.writeFileSync(path.join(dir, 'shared', 'leases.json'), '{}');
    fs.chownSync(path.join(dir, 'users'), 4242, 4242);
    fs.chownSync(path.join(dir, 'shared'), 4242, 4242);
    const hostile = path.join(dir, 'users', 'leases.json');
    fs.symlinkSync(path.join(dir, 'etc', 'passwd'), hostile);
    fs.lchownSync(hostile, 4242, 4242);
    expectIpamError(() => realBookPath(hostile), 'store-io', [
      'as root',
      hostile,
      'uid 4242',
      path.join(dir, 'etc', 'passwd'),
    ]);
    const friendly = path.join(dir, 'users', 'shared.json');
    fs.symlinkSync(path.join(dir, 'shared', 'leases.json'), friendly);
    fs.lchownSync(friendly, 4242, 4242);
    assert.equal(realBookPath(friendly), path.join(dir, 'shared', 'leases.json'));
  }),
);
