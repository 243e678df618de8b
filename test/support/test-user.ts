/**
 * A second, unprivileged user for tests run as root, to act as oneadmin does (the owner of the
 * driver and book directories). Created when missing; never removed here, since another test file
 * running at the same time may be acting as it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const TEST_USER = 'nebipamtest';
export const isRoot = process.getuid?.() === 0;
export const hasRunuser = spawnSync('runuser', ['--help']).status === 0;

export interface TestUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

export function ensureTestUser(): TestUser {
  if (spawnSync('id', ['-u', TEST_USER]).status !== 0) {
    const made = spawnSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', TEST_USER], {
      encoding: 'utf8',
    });
    // Another test file may have made it meanwhile.
    assert.ok(
      made.status === 0 || spawnSync('id', ['-u', TEST_USER]).status === 0,
      `useradd ${TEST_USER}: ${made.stderr}`,
    );
  }
  const id = (flag: string) => Number(spawnSync('id', [flag, TEST_USER], { encoding: 'utf8' }).stdout.trim());
  return { name: TEST_USER, uid: id('-u'), gid: id('-g') };
}

/** Gives `dir` and everything under it to `user` (symlinks themselves, not what they lead to). */
export function chownTree(dir: string, user: TestUser): void {
  fs.lchownSync(dir, user.uid, user.gid);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) chownTree(full, user);
    else fs.lchownSync(full, user.uid, user.gid);
  }
}
