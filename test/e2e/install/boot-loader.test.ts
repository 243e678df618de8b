/**
 * The bundle's entry (src/boot/entry.ts) reads the part of the program it needs from its
 * own file and may run it from a V8 code cache. Bytecode is run as found, so the cache must only
 * ever meet the text it was made from: these tests pin the guards that keep it so.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { damagedCacheIsRejected } from '../../support/damaged-cache.ts';
import { BUNDLE, childEnv } from '../../support/driver-harness.ts';

const WRAPPER = Buffer.from('(function (exports, require, module, __filename, __dirname) {');

function scratch(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'nebula-boot-'));
}

function run(file: string, cache: string) {
  return spawnSync(file, ['version'], {
    env: childEnv('default', { NEBULA_IPAM_CODE_CACHE: cache }),
    encoding: 'utf8',
    timeout: 20_000,
  });
}

test('a half that no longer sits where the start-up part expects it is refused with one line, exit 1', () => {
  const dir = scratch();
  try {
    const bytes = fs.readFileSync(BUNDLE);
    const at = bytes.indexOf(WRAPPER);
    assert.ok(at > 0, 'the bundle carries its halves as built');
    // What a copy landing over the file between Node's read and the half's read looks like:
    // the same offsets now frame other text.
    const moved = Buffer.concat([bytes.subarray(0, at), Buffer.from(' '), bytes.subarray(at, bytes.length - 1)]);
    const file = path.join(dir, 'nebula-ipam');
    fs.writeFileSync(file, moved, { mode: 0o755 });
    const result = run(file, path.join(dir, 'cache'));
    assert.equal(result.status, 1);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^Cannot start nebula-ipam: .*nebula-ipam changed while it was starting.*\n$/);
    assert.equal(fs.existsSync(path.join(dir, 'cache')), false, 'no cache is made from such text');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the code cache is written for a file unchanged since before the process, and used again', async () => {
  const dir = scratch();
  try {
    const file = path.join(dir, 'nebula-ipam');
    const cache = path.join(dir, 'cache');
    fs.copyFileSync(BUNDLE, file);
    fs.chmodSync(file, 0o755);
    const fresh = run(file, cache);
    assert.equal(fresh.status, 0, fresh.stderr);
    assert.equal(fs.existsSync(cache), false, 'a file changed moments ago gets no cache: it may be mid-replacement');

    // The file's ctime cannot be set back: wait until it is older than the next process.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const first = run(file, cache);
    assert.equal(first.status, 0, first.stderr);
    const made = fs.readdirSync(cache);
    assert.equal(made.length, 1);
    assert.match(made[0]!, /^[0-9a-f]{16}-cli-v\d+\.\d+\.\d+-\w+\.cache$/);
    assert.equal(fs.statSync(path.join(cache, made[0]!)).mode & 0o777, 0o600);
    const second = run(file, cache);
    assert.equal(second.status, 0, second.stderr);
    assert.equal(second.stdout, first.stdout);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a code cache damaged by one flipped byte anywhere is rejected: every action still answers right, and the cache is made again', () =>
  damagedCacheIsRejected('default'));
